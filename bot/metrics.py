"""Prometheus metrics of the engine and channels: messages by type and intent, latency, handoffs, errors."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

MESSAGES = Counter("yibao_messages_total", "Inbound messages handled", ["channel", "kind", "intent"])
LATENCY = Histogram(
    "yibao_reply_seconds",
    "Time to produce a reply",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8),
)
HANDOFFS = Counter("yibao_handoffs_total", "Conversations handed to a person", ["channel"])
ERRORS = Counter("yibao_errors_total", "Requests refused or failed", ["channel", "reason"])


def intent_label(intent: str) -> str:
    """Bounded label values: the intent family and key, never free text."""
    return intent[:60] if intent else "none"
