"""Flow `bind`: name, ID number (GB 11643), phone, then a verification code; binds the chat to the person.

Slots never hold personal data in the clear: the name, ID number and phone are sealed (ctx.services.cipher)
as soon as they are parsed, and only masked forms are shown back. The code goes through the SMS gateway
(ctx.services.sms); the demo gateway returns it to be shown on screen. Nothing here logs.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flows.base import Flow, FlowContext, Invalid, Outcome, Say, Slots, Step
from flows.errors import ServiceUnavailable
from flows.identity import IdProblem, valid_phone, validate_id_number

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)  # security setting, not a policy number
MAX_CODE_ATTEMPTS = 5
_NAME = re.compile(r"^[\u3400-\u9fff·•A-Za-z][\u3400-\u9fff·• A-Za-z]{0,28}[\u3400-\u9fffA-Za-z]$")


def _mask(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def _mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:]


def parse_name(text: str, _slots: Slots, ctx: FlowContext) -> dict[str, str]:
    name = re.sub(r"\s+", " ", text.strip())
    if not _NAME.match(name):
        raise Invalid("bind/name_invalid")
    return {"enc": ctx.services.cipher.seal(name, "name"), "masked": name[:1] + "*" * (len(name) - 1)}


def parse_id_number(text: str, _slots: Slots, ctx: FlowContext) -> dict[str, str]:
    try:
        number = validate_id_number(text, ctx.services.id_provinces, ctx.today)
    except IdProblem as problem:
        raise Invalid(f"bind/id_{problem.reason}") from problem
    cipher = ctx.services.cipher
    return {
        "enc": cipher.seal(number, "id_number"),
        "hash": cipher.lookup_hash(number, "id_number"),
        "masked": _mask(number),
    }


def parse_phone(text: str, slots: Slots, ctx: FlowContext) -> dict[str, Any]:
    """Check the phone against the registry, then send the code."""
    phone = valid_phone(text)
    if phone is None:
        raise Invalid("bind/phone_invalid")
    cipher = ctx.services.cipher
    registry = ctx.services.registry(ctx.services.session)
    record = registry.lookup(slots["id_number"]["hash"])
    name = cipher.open(slots["name"]["enc"], "name")
    if record is None or not registry.matches(record, name, phone):
        raise Invalid("bind/not_found")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    try:
        shown = ctx.services.sms.send_code(phone, code)
    except ServiceUnavailable as exc:  # the person is told to try again later; nothing was bound
        raise Invalid("bind/sms_failed") from exc
    return {
        "masked": _mask_phone(phone),
        "person_id": record.person_id,
        "code_hash": cipher.lookup_hash(code, f"sms_code:{ctx.user_key}"),
        "expires": (ctx.now + CODE_TTL).isoformat(timespec="seconds"),
        "shown": shown,
    }


def _attempts(ctx: FlowContext, code_hash: str) -> int:
    """Wrong tries of the code last sent (kept on the conversation through Invalid.remember); a new code
    starts again from none."""
    kept = ctx.kept.get("bind_attempts")
    return int(kept[1]) if isinstance(kept, list) and kept and kept[0] == code_hash else 0


def parse_code(text: str, slots: Slots, ctx: FlowContext) -> bool:
    sent = slots["phone"]
    if ctx.now > datetime.fromisoformat(sent["expires"]):
        raise Invalid("bind/code_expired")
    if _attempts(ctx, sent["code_hash"]) >= MAX_CODE_ATTEMPTS:
        raise Invalid("bind/code_locked")
    code = re.sub(r"\s+", "", text)
    if ctx.services.cipher.lookup_hash(code, f"sms_code:{ctx.user_key}") != sent["code_hash"]:
        wrong = _attempts(ctx, sent["code_hash"]) + 1
        remember = {"bind_attempts": [sent["code_hash"], wrong]}
        locked = wrong >= MAX_CODE_ATTEMPTS
        raise Invalid("bind/code_locked" if locked else "bind/code_wrong", remember=remember)
    return True


def _code_prompt(slots: Slots, _ctx: FlowContext) -> dict[str, Any]:
    return {"phone_masked": slots["phone"]["masked"], "shown_code": slots["phone"]["shown"]}


def complete(slots: Slots, ctx: FlowContext) -> Outcome:
    session = ctx.services.session
    person = ctx.services.people.get_person(session, slots["phone"]["person_id"])
    ctx.services.people.bind(session, ctx.services.conversation, person)
    after = ctx.kept.get("after_bind")
    return Outcome(
        says=(
            Say(
                "bind/done",
                {
                    "name_masked": slots["name"]["masked"],
                    "id_masked": slots["id_number"]["masked"],
                    "pooling_region_name": person.pooling_region_name,
                    "scheme": person.scheme,
                },
            ),
        ),
        next_flow=after,
        intent="bind:done",
        forget=("after_bind", "bind_attempts"),
    )


def take(given: Mapping[str, Any], _slots: Slots, _ctx: FlowContext) -> dict[str, Any]:
    """Identity typed in one sentence ("我叫李红 身份证2201… 手机139…"): each value to its step, in order."""
    return {slot: str(given[slot]) for slot in ("name", "id_number", "phone") if given.get(slot)}


def _current(_slots: Slots, ctx: FlowContext) -> dict[str, Any]:
    return {"bound": ctx.person_id is not None}


FLOW = Flow(
    name="bind",
    steps=(
        Step("name", "bind/ask_name", parse_name, prompt_context=_current, sensitive=True),
        Step("id_number", "bind/ask_id", parse_id_number, sensitive=True),
        Step("phone", "bind/ask_phone", parse_phone, sensitive=True),
        Step("code", "bind/ask_code", parse_code, prompt_context=_code_prompt),
    ),
    on_complete=complete,
    take=take,
)
