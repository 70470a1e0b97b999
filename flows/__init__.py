"""Conversations, one module each, listed explicitly: module, name, template folder and menu key match."""

from __future__ import annotations

from flows import bind, filing_guide, institutions, materials
from flows.base import Flow

FLOWS: tuple[Flow, ...] = (filing_guide.FLOW, materials.FLOW, institutions.FLOW, bind.FLOW)
