"""GB 11643 citizen ID numbers: format, real date of birth, known region code and the ISO 7064 check digit.

Each failure is its own reason (a template under content/templates/bind/), so the person is told exactly
what is wrong. The region codes (province level of GB/T 2260) come from content/id_regions.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17-i) mod 11, ISO 7064 MOD 11-2
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９ＸｘX", "0123456789XXX")
_EARLIEST_BIRTH = date(1900, 1, 1)  # GB 11643 dates of birth are 19xx or 20xx

REASONS = ("length", "characters", "region", "birth_date", "future_birth", "check_digit")


class IdProblem(Exception):  # noqa: N818 - a reason, raised and caught by the bind flow
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # one of REASONS


def normalise_id(text: str) -> str:
    """Strip spaces, turn full-width digits and x into ASCII, uppercase X."""
    return re.sub(r"\s+", "", text).translate(_FULLWIDTH).upper()


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def validate_id_number(text: str, provinces: Mapping[str, str], today: date) -> str:
    """The normalised number, or IdProblem with the first reason it fails."""
    number = normalise_id(text)
    if len(number) != 18:
        raise IdProblem("length")
    if not _SHAPE.match(number):
        raise IdProblem("characters")
    if number[:2] not in provinces or number[2:4] == "00":
        raise IdProblem("region")
    try:
        born = birth_date(number)
    except ValueError as exc:
        raise IdProblem("birth_date") from exc
    if born < _EARLIEST_BIRTH:
        raise IdProblem("birth_date")
    if born > today:
        raise IdProblem("future_birth")
    if check_digit(number[:17]) != number[17]:
        raise IdProblem("check_digit")
    return number


def valid_phone(text: str) -> str | None:
    """An 11-digit mainland mobile number, or None."""
    digits = re.sub(r"[\s-]", "", text).translate(_FULLWIDTH)
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits if re.fullmatch(r"1[3-9]\d{9}", digits) else None
