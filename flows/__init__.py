"""Conversations, one module each, listed explicitly: module, name, template folder and menu key match."""

from __future__ import annotations

from flows import filing_guide, materials
from flows.base import Flow

FLOWS: tuple[Flow, ...] = (filing_guide.FLOW, materials.FLOW)
