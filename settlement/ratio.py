"""The remote-treatment ratio from what is known of a case: the region's rules applied to the person's own
local ratio (or to none: "the fund pays 20%" needs no local ratio), each rule cited.

Only rules whose every condition is known and holds are applied; what is not known is not guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from settlement.rules import Adjustment, RemoteRules

_RATIO_EFFECTS = ("set_ratio", "reduce_ratio", "local_ratio")


@dataclass(frozen=True, slots=True)
class RatioAnswer:
    """What the fund pays of the in-policy amount after the deductible, as a fraction, and why."""

    local_ratio: Decimal | None  # the person's own local ratio, if they gave it
    ratio: Decimal | None  # None when it depends on a local ratio nobody gave
    first_self_pay: Decimal  # share paid first by the person (Dezhou temporary-outside 10%)
    reduction: Decimal  # percentage points taken off the local ratio, summed (stacked)
    rules: tuple[Adjustment, ...]
    citations: tuple[str, ...]


def known_rules(rules: RemoteRules, facts: Mapping[str, Any], on: dt.date) -> list[Adjustment]:
    """The adjustments whose every condition is among the known facts and holds on the date."""
    return [a for a in rules.adjustments if set(a.when) <= set(facts) and a.applies(facts, on)]


def remote_ratio(
    rules: RemoteRules, facts: Mapping[str, Any], on: dt.date, local_ratio: Decimal | None = None
) -> RatioAnswer:
    applied = known_rules(rules, facts, on)
    first = max((a.value or Decimal(0) for a in applied if a.effect == "first_self_pay"), default=Decimal(0))
    fixed = [a.value for a in applied if a.effect == "set_ratio" and a.value is not None]
    reduction = sum((a.value or Decimal(0) for a in applied if a.effect == "reduce_ratio"), Decimal(0))
    base = min(fixed) if fixed else local_ratio
    ratio = None if base is None else max(base - reduction, Decimal(0))
    used = tuple(a for a in applied if a.effect in _RATIO_EFFECTS or a.effect == "first_self_pay")
    citations = tuple(dict.fromkeys(a.citation for a in used))
    if rules.stacking_citation and len([a for a in used if a.effect in ("set_ratio", "reduce_ratio")]) > 1:
        citations += (rules.stacking_citation,)
    return RatioAnswer(local_ratio, ratio, first, reduction, used, citations)
