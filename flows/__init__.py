"""Conversations, one module each, listed explicitly: module, name, template folder and menu key match."""

from __future__ import annotations

from flows import bind, deadline, estimate, filing, filing_guide, institutions, materials, status
from flows.base import Flow

FLOWS: tuple[Flow, ...] = (
    filing_guide.FLOW,
    materials.FLOW,
    institutions.FLOW,
    bind.FLOW,
    filing.FLOW,
    status.FLOW,
    estimate.FLOW,
    deadline.FLOW,
)
