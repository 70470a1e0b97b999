"""Helpers shared by the settlement tests: the shipped region packs' texts (a uniquely named module)."""

from __future__ import annotations

from pathlib import Path

CONTENT = Path(__file__).resolve().parents[2] / "content"


def pack_texts(region: str) -> dict[str, str]:
    """{source name: text} of a shipped region pack's policy files."""
    folder = CONTENT / "regions" / region / "policy"
    return {f"regions/{region}/policy/{p.name}": p.read_text(encoding="utf-8") for p in folder.glob("*.yaml")}
