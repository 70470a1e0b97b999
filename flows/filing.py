"""Flow `filing` (办理备案): new filings of the region's kinds, pledge filings, retroactive filings, change
and cancellation, every request decided by flows.filing_rules.

Steps (the first unfilled one whose condition holds is asked): action → kind (pledge / retroactive) →
target (change / cancel) → cancel proof (Dezhou, first months) → destination → place role (Jilin long-term)
→ start date → proof (or "no proof yet: pledge") → the full pledge text answered with 我承诺, or a yes/no
confirmation. The rules run early where they can (a second pledge is refused when it is chosen) and always
on completion; a refusal names the rule and its citation (template filing/refused).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flows import filing_rules as rules
from flows.base import Flow, FlowContext, Invalid, Option, Outcome, Refused, Say, Slots, Step, iso
from flows.dates import add_months, parse_day
from flows.destinations import find_destination, load_places
from flows.errors import RuleViolation

PLEDGE = "pledge"
NEW_PREFIX = "new:"
CHINA = ZoneInfo("Asia/Shanghai")
# Reply that signs a pledge in chat (the issue: "replying 我承诺"); spaces and punctuation are ignored.
PLEDGE_REPLY = "我承诺"


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    province: str
    level: str
    cross_province: bool


# ---- context helpers ------------------------------------------------------------------------------------
def _session(ctx: FlowContext) -> Any:
    return ctx.services.session


def _person(ctx: FlowContext) -> Any:
    assert ctx.person_id is not None
    record = ctx.services.registry(_session(ctx)).record(ctx.person_id)
    assert record is not None
    return record


def _policy(ctx: FlowContext) -> rules.FilingPolicy:
    return ctx.services.filing_policies.on(_person(ctx).region, ctx.today)


def _filings(ctx: FlowContext) -> list[Any]:
    assert ctx.person_id is not None
    return list(ctx.services.filings.filings_of(_session(ctx), ctx.person_id))


def _current(ctx: FlowContext) -> list[Any]:
    policy = _policy(ctx)
    return [f for f in _filings(ctx) if rules.is_current(f, policy, ctx.today)]


def _refusal(violation: RuleViolation) -> dict[str, Any]:
    context = {k: v if isinstance(v, str | int | None) else str(v) for k, v in violation.context.items()}
    return {"rule": violation.rule, "citation": violation.citation, **context}


def _refused(violation: RuleViolation) -> dict[str, Any]:
    """A slot value that ends the flow with the refusal: the rules refused what was just chosen."""
    return {"refused": _refusal(violation)}


def _refusal_in(slots: Slots) -> dict[str, Any] | None:
    return next((v["refused"] for v in slots.values() if isinstance(v, dict) and "refused" in v), None)


def _open(condition: Any) -> Any:
    """A step condition that also requires no refusal so far."""
    return lambda slots, ctx: _refusal_in(slots) is None and condition(slots, ctx)


def _action(slots: Slots) -> str:
    return str(slots.get("action", ""))


def _is_new(slots: Slots) -> bool:
    action = _action(slots)
    return action.startswith(NEW_PREFIX) or action in (PLEDGE, "retroactive")


def _kind_id(slots: Slots, ctx: FlowContext) -> str:
    action = _action(slots)
    if action.startswith(NEW_PREFIX):
        return action[len(NEW_PREFIX) :]
    if action in ("change", "cancel") and "target" in slots:
        filing = _target(slots, ctx)
        return str(filing.kind) if filing is not None else ""
    return str(slots.get("kind", ""))


def _is_pledge(slots: Slots, ctx: FlowContext) -> bool:
    if not _is_new(slots):
        return False
    if _action(slots) == PLEDGE or slots.get("proof") == PLEDGE:
        return True
    kind = _policy(ctx).kinds.get(_kind_id(slots, ctx))
    return kind is not None and kind.pledge == "required"


def _target(slots: Slots, ctx: FlowContext) -> Any:
    wanted = int(slots["target"])
    return next((f for f in _filings(ctx) if f.id == wanted), None)


# ---- start: bound persons only --------------------------------------------------------------------------
def on_start(ctx: FlowContext) -> Outcome | None:
    if ctx.person_id is not None:
        return None
    return Outcome(
        says=(Say("filing/bind_first"),),
        next_flow="bind",
        intent="filing:bind_first",
        remember={"after_bind": "filing"},
    )


# ---- steps ----------------------------------------------------------------------------------------------
def action_options(_slots: Slots, ctx: FlowContext) -> tuple[Option, ...]:
    policy = _policy(ctx)
    options = [Option(f"{NEW_PREFIX}{kind.id}", kind.label) for kind in policy.kinds.values()]
    if policy.pledge_label and policy.pledge_months is not None:
        options.append(Option(PLEDGE, policy.pledge_label))
    if policy.retroactive_label:
        options.append(Option("retroactive", policy.retroactive_label))
    if policy.change_label:
        options.append(Option("change", policy.change_label))
    if policy.cancel_label:
        options.append(Option("cancel", policy.cancel_label))
    return tuple(options)


def parse_action(value: str, _slots: Slots, ctx: FlowContext) -> Any:
    """Refuse at once what cannot be done at all: a second open pledge, a pledge after a lapsed one."""
    policy = _policy(ctx)
    if value == PLEDGE:
        try:
            rules.check_pledge_possible(_filings(ctx), policy, ctx.today)
        except RuleViolation as violation:
            return _refused(violation)
    if value in ("change", "cancel") and not _current(ctx):
        raise Invalid("filing/nothing_current")
    return value


def kind_options(slots: Slots, ctx: FlowContext) -> tuple[Option, ...]:
    policy = _policy(ctx)
    if _action(slots) == PLEDGE:
        kinds = [k for k in policy.kinds.values() if k.pledge == "allowed"]
    else:
        kinds = [k for k in policy.kinds.values() if k.pledge != "required"]
    return tuple(Option(k.id, k.label) for k in kinds)


def _filing_label(filing: Any, policy: rules.FilingPolicy) -> str:
    kind = policy.kinds.get(filing.kind)
    label = kind.label.split("（")[0] if kind else filing.kind
    return f"{label}·{filing.destination_name}·{filing.valid_from.isoformat()}"


def target_options(_slots: Slots, ctx: FlowContext) -> tuple[Option, ...]:
    policy = _policy(ctx)
    return tuple(Option(str(f.id), _filing_label(f, policy)) for f in _current(ctx))


def parse_target(value: str, slots: Slots, ctx: FlowContext) -> Any:
    if _action(slots) == "change":
        filing = next((f for f in _current(ctx) if str(f.id) == value), None)
        policy = _policy(ctx)
        if filing is not None and policy.applies("pledge_locked") and rules.is_open_pledge(filing, policy):
            return _refused(policy.violation("pledge_locked", due=filing.materials_due))
    return value


def _needs_cancel_proof(slots: Slots, ctx: FlowContext) -> bool:
    if _action(slots) != "cancel" or "target" not in slots:
        return False
    policy = _policy(ctx)
    filing = _target(slots, ctx)
    months = policy.cancel_proof_within_months
    return (
        bool(policy.cancel_proofs)
        and months is not None
        and filing is not None
        and filing.kind == "long_term"
        and ctx.today < add_months(filing.valid_from, months)
    )


def cancel_proof_options(_slots: Slots, ctx: FlowContext) -> tuple[Option, ...]:
    return tuple(Option(c.value, c.label) for c in _policy(ctx).cancel_proofs)


def parse_cancel_proof(value: str, slots: Slots, ctx: FlowContext) -> Any:
    """Dezhou 三（一）: without a proof a young long-term filing is not changed back; refuse at once."""
    filing = _target(slots, ctx)
    try:
        rules.check_cancel(filing, _policy(ctx), ctx.today, value)
    except RuleViolation as violation:
        return _refused(violation)
    return value


def _cancel_proof_context(_slots: Slots, ctx: FlowContext) -> Mapping[str, Any]:
    return {"months": _policy(ctx).cancel_proof_within_months}


def parse_destination(text: str, slots: Slots, ctx: FlowContext) -> dict[str, Any]:
    """A place at filing granularity; the place rules (not remote, level, no filing needed) run at once."""
    person = _person(ctx)
    found = find_destination(text, person.region)
    if found is None:
        raise Invalid("filing/destination_unknown")
    try:
        rules.check_destination(_kind_id(slots, ctx), found, person, _policy(ctx))
    except RuleViolation as violation:
        return _refused(violation)
    return {
        "code": found.code,
        "name": found.name,
        "province": found.province,
        "level": found.level,
        "cross_province": found.cross_province,
    }


def _needs_place_role(slots: Slots, ctx: FlowContext) -> bool:
    if not _is_new(slots):
        return False
    kind = _policy(ctx).kinds.get(_kind_id(slots, ctx))
    return kind is not None and kind.place_roles and bool(_policy(ctx).place_roles)


DEFAULT_PLACE_ROLE = "residence"


def place_role_of(slots: Slots, ctx: FlowContext) -> str | None:
    """The role of the place filed for, as said or shown by the proof; else where one lives or works (the
    common case: shown in the confirmation, and "户籍地" there changes it)."""
    if not _needs_place_role(slots, ctx):
        return None
    return str(slots.get("place_role") or DEFAULT_PLACE_ROLE)


def place_role_options(_slots: Slots, ctx: FlowContext) -> tuple[Option, ...]:
    return tuple(Option(c.value, c.label) for c in _policy(ctx).place_roles)


def parse_start(text: str, slots: Slots, ctx: FlowContext) -> Any:
    day = parse_day(text, ctx.today, "past" if _action(slots) == "retroactive" else "future")
    if day is None:
        raise Invalid("filing/start_invalid")
    policy = _policy(ctx)
    if _action(slots) == "retroactive":
        if day >= ctx.today:
            raise Invalid("filing/start_not_past")
    elif day < ctx.today:
        if policy.retroactive_label:
            raise Invalid("filing/start_in_past")
        return _refused(policy.violation("retroactive_not_provided", start=day))
    if day > ctx.today + timedelta(days=policy.max_days_ahead):
        raise Invalid("filing/start_too_far", days=policy.max_days_ahead)
    return day.isoformat()


def _needs_proof(slots: Slots, ctx: FlowContext) -> bool:
    if not _is_new(slots) or _action(slots) == PLEDGE:
        return False
    kind = _policy(ctx).kinds.get(_kind_id(slots, ctx))
    return kind is not None and bool(kind.proofs) and kind.pledge != "required"


def proof_options(slots: Slots, ctx: FlowContext) -> tuple[Option, ...]:
    policy = _policy(ctx)
    kind = policy.kind(_kind_id(slots, ctx))
    options = [Option(p.value, p.label) for p in kind.proofs]
    if (
        kind.pledge == "allowed"
        and _action(slots) != "retroactive"
        and policy.pledge_months is not None
        and policy.pledge_label
    ):
        options.append(Option(PLEDGE, policy.pledge_label))
    return tuple(options)


def parse_proof(value: str, _slots: Slots, ctx: FlowContext) -> Any:
    if value == PLEDGE:
        try:
            rules.check_pledge_possible(_filings(ctx), _policy(ctx), ctx.today)
        except RuleViolation as violation:
            return _refused(violation)
    return value


def _person_data(ctx: FlowContext) -> dict[str, str]:
    assert ctx.person_id is not None
    person_row = ctx.services.people.get_person(_session(ctx), ctx.person_id)
    return dict(ctx.services.people.personal_data(ctx.services.cipher, person_row))


def _filing_data(slots: Slots, ctx: FlowContext) -> dict[str, Any]:
    policy = _policy(ctx)
    kind = policy.kind(_kind_id(slots, ctx))
    start = date.fromisoformat(slots["start"])
    destination = slots["destination"]
    due = add_months(start, policy.pledge_months) if policy.pledge_months else None
    return {
        "kind": kind.id,
        "kind_label": kind.label,
        "destination_name": destination["name"],
        "destination_province": destination["province"],
        "destination_code": destination["code"],
        "valid_from": start,
        "materials_due": due,
        "place_role": place_role_of(slots, ctx),
    }


def render_pledge(slots: Slots, ctx: FlowContext) -> str:
    documents = ctx.services.pledge_documents
    if documents is None:
        raise Refused("filing/pledge_unavailable")
    region = _person(ctx).region
    return str(
        documents.render_pledge_text(
            ctx.services.content_dir, region, _person_data(ctx), _filing_data(slots, ctx), ctx.today
        )
    )


def _pledge_prompt(slots: Slots, ctx: FlowContext) -> Mapping[str, Any]:
    return {"pledge_text": render_pledge(slots, ctx), "web": ctx.channel == "web"}


def parse_pledge_reply(text: str, _slots: Slots, _ctx: FlowContext) -> bool:
    if re.sub(r"[\s，。！,.!]", "", text) != PLEDGE_REPLY:
        raise Invalid("filing/pledge_reply")
    return True


def _summary(slots: Slots, ctx: FlowContext) -> Mapping[str, Any]:
    policy = _policy(ctx)
    action = _action(slots)
    context: dict[str, Any] = {"action": action}
    if _is_new(slots):
        context.update(_filing_data(slots, ctx))
        kind = policy.kind(_kind_id(slots, ctx))
        context["proof_label"] = next((p.label for p in kind.proofs if p.value == slots.get("proof")), "")
    if "target" in slots:
        filing = _target(slots, ctx)
        context["target_label"] = _filing_label(filing, policy) if filing is not None else ""
    if "destination" in slots:
        context["destination_name"] = slots["destination"]["name"]
    roles = {r.value: r.label for r in policy.place_roles}
    role = str(place_role_of(slots, ctx) or "")
    context["place_role_label"] = roles.get(role, "")
    context["place_role_household"] = role == "household"
    return context


def yes_no(_slots: Slots, ctx: FlowContext) -> tuple[Option, ...]:
    return ctx.options("yes_no")


# ---- what a sentence already says ---------------------------------------------------------------------
def _is_home(destination: Any, ctx: FlowContext) -> bool:
    """The insured region itself (Dezhou city; for a province pack the person's own pooling region)."""
    if not hasattr(destination, "code"):
        return False
    if load_places().is_home(destination, _person(ctx).region):
        return True
    return bool(destination.code == getattr(_person(ctx), "pooling_region", None))


_ROLE_OF_PROOF = {"long_term_residence": "residence", "work_away": "residence", "resettlement": "household"}


def take(given: Mapping[str, Any], slots: Slots, ctx: FlowContext) -> dict[str, Any]:
    """Step answers from the understood slots: "给我办个生育备案 去南京生孩子" → action new:childbirth and
    destination 南京; "我想走承诺备案" → action pledge; "把我的备案撤了" → cancel (of the one current
    filing)."""
    policy = _policy(ctx)
    out: dict[str, Any] = {}
    action, kind, pledge = given.get("action"), given.get("filing_kind"), bool(given.get("pledge"))
    if kind not in policy.kinds:
        kind = None
    can_pledge = bool(policy.pledge_label) and policy.pledge_months is not None
    if "action" in slots and not action:
        if pledge and slots["action"] == PLEDGE:
            out["action"] = PLEDGE  # "那就先承诺": what was chosen, said again
        kind, pledge = None, False  # once chosen, the kind of request changes only when said again
    destination = given.get("destination")
    if action == "change" and destination is not None and _is_home(destination, ctx):
        action = "cancel"  # "把长期备案改回德州": back to the insured region is ending the filing (三（一）)
    if action in ("cancel", "change"):
        out["action"] = action
        current = _current(ctx)
        if len(current) == 1:
            out["target"] = str(current[0].id)
    elif action == "retroactive" and policy.retroactive_label:
        out["action"] = "retroactive"
    elif pledge and can_pledge and (kind is None or policy.kinds[kind].pledge == "allowed"):
        out["action"] = PLEDGE
    elif kind is not None:
        out["action"] = f"{NEW_PREFIX}{kind}"
    if kind is not None:
        out["kind"] = kind
    if destination is not None and out.get("action") != "cancel":
        out["destination"] = getattr(destination, "name", str(destination))
    if given.get("start") is not None:
        out["start"] = iso(given["start"])
    if given.get("proof"):
        out["proof"] = given["proof"]
    # The place's role (第六条（二）: one filing of each may be open at once): as said, else what the proof
    # shows (a residence or work proof: where one lives or works; a household register: the household place).
    role = given.get("place_role") or _ROLE_OF_PROOF.get(str(given.get("proof") or ""))
    if role is not None and any(r.value == role for r in policy.place_roles):
        out["place_role"] = role
    elif pledge and can_pledge:
        out["proof"] = PLEDGE
    return out


# ---- completion -----------------------------------------------------------------------------------------
def _materials(ctx: FlowContext, region: str, case_id: str, proof: str | None) -> list[dict[str, Any]]:
    """The groups of a materials case, proof items narrowed to the chosen proof."""
    case = ctx.content.pack(region).catalogue.case(case_id)
    if case is None:
        return []
    english = ctx.locale == "en"
    groups = []
    for group in case.groups:
        items = [i for i in group.items if not (proof and i.applies_to and i.applies_to != proof)]
        groups.append(
            {
                "label": group.label_en if english and group.label_en else group.label,
                "choose": group.choose if len(items) > 1 else "all",
                "items": [
                    {"name": i.name_en if english and i.name_en else i.name, "generated": i.generated}
                    for i in items
                ],
            }
        )
    return groups


def _aware(now: datetime) -> datetime:
    return now if now.utcoffset() is not None else now.replace(tzinfo=CHINA)


def _actor(ctx: FlowContext) -> str:
    return f"person:{ctx.person_id}"


def _offer_institutions(ctx: FlowContext) -> tuple[Option, ...]:
    """A numbered offer the engine remembers, so "1" picks it next."""
    label = dict(ctx.content.choice_set("flows")).get("institutions", "institutions")
    return (Option("flow:institutions", label),)


def _complete_new(slots: Slots, ctx: FlowContext) -> Outcome:
    policy = _policy(ctx)
    person = _person(ctx)
    pledge = _is_pledge(slots, ctx)
    request = rules.FilingRequest(
        kind=_kind_id(slots, ctx),
        destination=Place(**slots["destination"]),
        valid_from=date.fromisoformat(slots["start"]),
        proof=None if pledge else slots.get("proof"),
        pledge=pledge,
        place_role=place_role_of(slots, ctx),
    )
    try:
        planned = rules.check_new_filing(request, person, _filings(ctx), policy, ctx.today)
    except RuleViolation as violation:
        raise Refused("filing/refused", **_refusal(violation)) from violation
    store = ctx.services.filings
    try:
        filing = store.create_filing(
            _session(ctx),
            person_id=person.person_id,
            values=planned.as_row(),
            actor=_actor(ctx),
            channel=ctx.channel,
            at=_aware(ctx.now),
        )
    except store.OpenPledgeExists as exc:
        raise Refused("filing/refused", **_refusal(policy.violation("one_open_pledge"))) from exc
    kind = policy.kind(planned.kind)
    context: dict[str, Any] = {
        "filing_id": filing.id,
        "kind_label": kind.label,
        "destination_name": planned.destination_name,
        "valid_from": planned.valid_from,
        "valid_to": planned.valid_to,
        "validity": kind.validity,
        "materials_due": planned.materials_due,
        "pledge": planned.pledge,
        "retroactive": planned.retroactive,
        "citations": list(planned.citations),
        "materials": _materials(ctx, person.region, kind.case, planned.proof),
        "materials_title": "",
        "verify_code": "",
        "web": ctx.channel == "web",
    }
    data: dict[str, Any] = {"filing_id": filing.id}
    if planned.pledge:
        documents = ctx.services.pledge_documents
        if documents is None:
            raise Refused("filing/pledge_unavailable")
        text = render_pledge(slots, ctx)
        code = documents.new_verify_code()
        store.add_pledge(
            _session(ctx),
            ctx.services.cipher,
            text=text,
            sha256=documents.text_digest(text),
            filing_id=filing.id,
            person_id=person.person_id,
            region=person.region,
            channel=ctx.channel,
            account=ctx.account,
            signed_at=_aware(ctx.now),
            verify_code=code,
        )
        context["verify_code"] = code
        if ctx.channel == "web":
            # the web chat draws a signature pad for this (one shape for every signature request)
            data["signature_request"] = {"post_url": f"/api/v1/pledges/{filing.id}/signature"}
    return Outcome(
        says=(Say("filing/done", context, options=_offer_institutions(ctx), data=data),),
        intent=f"filing:{'pledge' if planned.pledge else planned.kind}",
    )


def _complete_change(slots: Slots, ctx: FlowContext) -> Outcome:
    policy = _policy(ctx)
    filing = _target(slots, ctx)
    if filing is None:
        raise Refused("filing/nothing_current")
    try:
        if _action(slots) == "change":
            values = rules.check_change(
                filing, Place(**slots["destination"]), _person(ctx), _filings(ctx), policy, ctx.today
            )
        else:
            values = rules.check_cancel(filing, policy, ctx.today, slots.get("cancel_proof"))
    except RuleViolation as violation:
        raise Refused("filing/refused", **_refusal(violation)) from violation
    action = "changed" if _action(slots) == "change" else "cancelled"
    label = _filing_label(filing, policy)
    ctx.services.filings.change_filing(
        _session(ctx),
        filing,
        values,
        action=action,
        actor=_actor(ctx),
        channel=ctx.channel,
        at=_aware(ctx.now),
    )
    return Outcome(
        says=(
            Say(
                f"filing/{action}",
                {
                    "label": label,
                    "destination_name": filing.destination_name,
                    "today": ctx.today,
                    "citation": policy.rules.get("admitted_before_end", ""),
                    "cancel_proof": slots.get("cancel_proof"),
                },
            ),
        ),
        intent=f"filing:{action}",
    )


def echo(slots: Slots, ctx: FlowContext) -> Say | None:
    """What the first message already said ("给我办个生育备案 去南京"), said back before the next question."""
    if _refusal_in(slots) is not None or "action" not in slots:
        return None
    policy = _policy(ctx)
    kind = policy.kinds.get(_kind_id(slots, ctx))
    context = {
        "action": _action(slots),
        # a pledge in place of missing proofs (Jilin); where a pledge is the normal way (Dezhou) it is no news
        "pledge": _action(slots) == PLEDGE or slots.get("proof") == PLEDGE,
        "kind_label": kind.label if kind is not None else "",
        "destination_name": slots["destination"]["name"] if "destination" in slots else "",
    }
    return Say("filing/understood", context)


def complete(slots: Slots, ctx: FlowContext) -> Outcome:
    refusal = _refusal_in(slots)
    if refusal is not None:
        raise Refused("filing/refused", **refusal)
    if slots.get("confirm") == "no":
        return Outcome(says=(Say("filing/not_submitted"),), intent="filing:not_submitted")
    if _action(slots) in ("change", "cancel"):
        if "target" not in slots:
            raise Refused("filing/nothing_current")
        return _complete_change(slots, ctx)
    return _complete_new(slots, ctx)


FLOW = Flow(
    name="filing",
    on_start=on_start,
    steps=(
        Step("action", "filing/ask_action", parse_action, options=action_options),
        Step(
            "kind",
            "filing/ask_kind",
            lambda v, _s, _c: v,
            when=_open(lambda s, _c: _action(s) in (PLEDGE, "retroactive")),
            options=kind_options,
            prompt_context=lambda s, _c: {"action": _action(s)},
        ),
        Step(
            "target",
            "filing/ask_target",
            parse_target,
            when=_open(lambda s, _c: _action(s) in ("change", "cancel")),
            options=target_options,
            prompt_context=lambda s, _c: {"action": _action(s)},
        ),
        Step(
            "cancel_proof",
            "filing/ask_cancel_proof",
            parse_cancel_proof,
            when=_open(_needs_cancel_proof),
            options=cancel_proof_options,
            prompt_context=_cancel_proof_context,
        ),
        Step(
            "destination",
            "filing/ask_destination",
            parse_destination,
            when=_open(lambda s, _c: _is_new(s) or _action(s) == "change"),
        ),
        Step(
            "place_role",
            "filing/ask_place_role",
            lambda v, _s, _c: v,
            when=_open(_needs_place_role),
            options=place_role_options,
            asked=False,  # taken as said, else the default shown in the confirmation (place_role_of)
        ),
        Step(
            "start",
            "filing/ask_start",
            parse_start,
            when=_open(lambda s, _c: _is_new(s)),
            prompt_context=lambda s, _c: {"retroactive": _action(s) == "retroactive"},
        ),
        Step("proof", "filing/ask_proof", parse_proof, when=_open(_needs_proof), options=proof_options),
        Step(
            "pledge",
            "filing/pledge_text",
            parse_pledge_reply,
            when=_open(_is_pledge),
            prompt_context=_pledge_prompt,
            repeat=False,
        ),
        Step(
            "confirm",
            "filing/ask_confirm",
            lambda v, _s, _c: v,
            when=_open(lambda s, c: not _is_pledge(s, c)),
            options=yes_no,
            prompt_context=_summary,
        ),
    ),
    on_complete=complete,
    take=take,
    echo=echo,
)
