"""Loads the policy files of the region packs (content/regions/<region>/policy/*.yaml) into RegionPolicy."""

from __future__ import annotations

from pathlib import Path

from bot.errors import ContentError
from settlement import POLICY_FILES, PolicyLoadError, RegionPolicy, parse_region_policy


def load_policies(content_root: Path) -> dict[str, RegionPolicy]:
    """Every region pack that has a policy/ folder, keyed by region (the folder name)."""
    regions = content_root / "regions"
    policies: dict[str, RegionPolicy] = {}
    for policy_dir in sorted(regions.glob("*/policy")):
        region = policy_dir.parent.name
        texts: dict[str, str] = {}
        for name in POLICY_FILES:
            path = policy_dir / name
            try:
                texts[path.relative_to(content_root).as_posix()] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ContentError(f"cannot read {path}: {exc}") from exc
        try:
            policies[region] = parse_region_policy(region, texts)
        except PolicyLoadError as exc:
            raise ContentError(str(exc)) from exc
    if not policies:
        raise ContentError(f"no region policy packs under {regions}")
    return policies
