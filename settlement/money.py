"""Money arithmetic of the settlement core: Decimal yuan, rounded half-up to the fen at each step."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: Decimal | int | str) -> Decimal:
    """Round a yuan amount half-up to 0.01."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def share(amount: Decimal, ratio: Decimal) -> Decimal:
    """amount × ratio, rounded half-up to 0.01."""
    return (amount * ratio).quantize(CENT, rounding=ROUND_HALF_UP)
