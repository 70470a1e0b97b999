"""Redaction of personal data in free text before it is logged or stored: ID numbers, phones, bank cards."""

from __future__ import annotations

import re

_ID_NUMBER = re.compile(r"(?<![0-9])(\d{4})\d{10}(\d{3}[0-9Xx])(?![0-9])")
_PHONE = re.compile(r"(?<![0-9])(1[3-9]\d)\d{4}(\d{4})(?![0-9])")
_LONG_DIGITS = re.compile(r"(?<![0-9])\d{12,}(?![0-9])")


def mask_id_number(value: str) -> str:
    """2201**********123X: first four and last four characters kept."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)


def redact(text: str) -> str:
    """Mask ID numbers, mobile numbers and other long digit runs in free text."""
    text = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), text)
    text = _PHONE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
    return _LONG_DIGITS.sub(lambda m: m.group(0)[:2] + "*" * (len(m.group(0)) - 4) + m.group(0)[-2:], text)
