"""Shared fixtures for the settlement tests: the shipped region packs, parsed from their texts."""

from __future__ import annotations

import pytest
from settlement_test_support import pack_texts

from settlement import RegionPolicy, parse_region_policy


@pytest.fixture(scope="session")
def policies() -> dict[str, RegionPolicy]:
    return {region: parse_region_policy(region, pack_texts(region)) for region in ("jilin", "dezhou")}
