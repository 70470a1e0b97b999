"""Identity values typed in a sentence: name, citizen ID number and mobile number, and where they were typed.

"我叫李红 身份证2201 0419 9008 1534 52 手机139-0000-0003" → name 李红, id_number (normalised, checked by
flows.identity), phone 13900000003. An ID number that fails a check is kept only as its reason
(`id_number_invalid`), never as text. The spans (with the words that announce a value: 我叫, 身份证号,
手机) let the understanding stage take these values out before the text is searched as a question. The
tables are patterns for input, not user-facing text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flows.identity import IdProblem, normalise_id, valid_phone, validate_id_number
from flows.typed_text import fold

_ID_LABEL = r"(?:(?:身份证号码|证件号码|身份证号|证件号|身份证)\s*(?:是|为|:)?\s*)"
_ID = re.compile(rf"{_ID_LABEL}?(?<![0-9])(?P<value>\d(?:[ -]?\d){{16}}[ -]?[\dx])(?![0-9])")
# After an ID label, a run of digits that is no 18-character number: told apart as a wrong length.
_ID_WRONG_LENGTH = re.compile(rf"{_ID_LABEL}(?P<value>[\dx](?:[ -]?[\dx]){{5,24}})(?![\dx])")
_PHONE_LABEL = r"(?:(?:手机号码|手机号|手机|电话号码|电话|联系方式)\s*(?:是|为|:)?\s*)"
_PHONE = re.compile(rf"{_PHONE_LABEL}?(?<![0-9])(?:\+?86[ -]?)?(?P<value>1[3-9]\d(?:[ -]?\d){{8}})(?![0-9])")
_NAME = re.compile(
    r"(?:我叫|俺叫|我的名字(?:是|叫)|我名字(?:是|叫)|名字(?:是|叫)|姓名\s*(?:是|叫|为|:)?)\s*"
    r"(?P<value>[\u4e00-\u9fff·]{2,6})"
)
# A name ends where these begin ("我叫李红身份证…", "我叫王芳想办备案").
_NAME_END = re.compile(r"身份|手机|电话|号码|证件|今年|参保|想|要|办|的|在|是|住|去|来|从|和|,")
_NOT_IN_NAMES = set("了吗呢吧啊呀么啥什怎错改写填能不没有")


@dataclass(frozen=True)
class Identity:
    """The identity slots of a text and the spans (in the text as typed) that held them."""

    slots: dict[str, Any] = field(default_factory=dict)
    spans: tuple[tuple[int, int], ...] = ()


def _free(taken: list[bool], match: re.Match[str]) -> bool:
    return not any(taken[match.start() : match.end()])


def _take(taken: list[bool], match: re.Match[str]) -> tuple[int, int]:
    taken[match.start() : match.end()] = [True] * (match.end() - match.start())
    return match.span()


def _id_number(number: str, today: date, provinces: Mapping[str, str] | None) -> dict[str, Any]:
    # Without the province table any province code passes; length, birth date and check digit still count.
    known = provinces if provinces is not None else {number[:2]: ""}
    try:
        return {"id_number": validate_id_number(number, known, today)}
    except IdProblem as problem:
        return {"id_number_invalid": problem.reason}


def _name(clean: str, taken: list[bool]) -> tuple[str, tuple[int, int]] | None:
    for match in _NAME.finditer(clean):
        if not _free(taken, match):
            continue
        value = match["value"]
        end = _NAME_END.search(value, 2)
        value = value[: end.start()] if end else value
        if 2 <= len(value) <= 4 and not set(value) & _NOT_IN_NAMES:
            return value, (match.start(), match.start("value") + len(value))
    return None


def read_identity(text: str, today: date, provinces: Mapping[str, str] | None = None) -> Identity:
    """Name, ID number (or why it is invalid) and mobile number typed in `text`, with their spans."""
    clean = fold(text)
    taken = [False] * len(clean)
    slots: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []
    for match in _ID.finditer(clean):
        if _free(taken, match) and "id_number" not in slots:
            slots.update(_id_number(normalise_id(match["value"].replace("-", "")), today, provinces))
            spans.append(_take(taken, match))
    for match in _ID_WRONG_LENGTH.finditer(clean):
        if _free(taken, match) and not {"id_number", "id_number_invalid"} & slots.keys():
            slots["id_number_invalid"] = "length"
            spans.append(_take(taken, match))
    for match in _PHONE.finditer(clean):
        phone = valid_phone(match["value"])
        if phone is not None and _free(taken, match) and "phone" not in slots:
            slots["phone"] = phone
            spans.append(_take(taken, match))
    named = _name(clean, taken)
    if named is not None:
        slots["name"] = named[0]
        spans.append(named[1])
    return Identity(slots, tuple(sorted(spans)))


def blank(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """`text` with each span turned into spaces (positions kept, so later readers see separate clauses)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = [" "] * (end - start)
    return "".join(chars)
