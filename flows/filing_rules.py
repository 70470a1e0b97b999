"""THE filing domain: every rule on filing, changing, cancelling and ending remote-treatment filings.

Pure: no clock, database, files or logging. Callers pass the person, their existing filings (anything with the
FilingLike attributes: table rows or test records), the region's FilingPolicy (from content/regions/<r>/
filing.yaml plus the pledge period of policy/deadlines.yaml) and today's date. A refusal raises RuleViolation
naming the rule and its citation; a rule applies in a region only when the region lists it with a citation.

Rules (ids as in filing.yaml):
- insured_active: only an insured person with active insurance files.
- not_remote / granularity: the destination is not the insured pooling region and is filed at the level of
  吉医保规〔2023〕4号 第十二条 (pooling region in province; city or municipality across provinces; Hainan,
  Tibet and XPCC at province level).
- duplicate_filing: no second active filing of the same kind to the same place.
- two_places (Jilin 第六条（二）): at most two long-term places at once, one per role
  (work/residence, household).
- one_long_term (Dezhou 三（一）): one long-term residence filing at a time.
- pledge_kinds / one_open_pledge / no_pledge_after_lapse / pledge_locked (Jilin 第六条): a pledge only for
  the cases of 第三、四条; one open pledge at most; never again after a pledge lapsed unfulfilled; an open
  pledge's data cannot change until its materials are complete (cancelling it is still allowed, 第九条).
- retroactive_allowed / retroactive_needs_materials / start_after_insured (Jilin 第八条, 第十四条); Dezhou
  retroactive_not_provided (past costs go to manual reimbursement, 三（二）).
- in_province_temporary_no_filing (Dezhou 二（四）): temporary treatment in another Shandong city needs none.
- early_change_needs_proof (Dezhou 三（一）): ending a long-term filing in its first 6 months needs a proof.
- registry_change_ends (Jilin 第十四条): a change of insured region or scheme ends the filings.
- admitted_before_end (Jilin 第十三条): a stay admitted while the filing was valid still settles directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from flows.dates import add_months
from flows.errors import RuleViolation

ACTIVE = "active"
ENDED = "ended"
LAPSED = "lapsed"


# ---- what the rules read --------------------------------------------------------------------------------
class PersonLike(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def region(self) -> str: ...

    @property
    def pooling_region(self) -> str: ...

    @property
    def scheme(self) -> str: ...

    @property
    def insurance_status(self) -> str: ...

    @property
    def insured_since(self) -> date: ...


class FilingLike(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def region(self) -> str: ...

    @property
    def scheme(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def proof(self) -> str | None: ...

    @property
    def pledge(self) -> bool: ...

    @property
    def place_role(self) -> str | None: ...

    @property
    def destination_code(self) -> str: ...

    @property
    def valid_from(self) -> date: ...

    @property
    def valid_to(self) -> date | None: ...

    @property
    def materials_due(self) -> date | None: ...

    @property
    def materials_completed_on(self) -> date | None: ...

    @property
    def status(self) -> str: ...

    @property
    def ended_on(self) -> date | None: ...


class DestinationLike(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def province(self) -> str: ...

    @property
    def level(self) -> str: ...

    @property
    def cross_province(self) -> bool: ...


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class KindPolicy:
    id: str
    label: str
    case: str
    validity: str  # until_changed | insurance_year | not_specified
    validity_citation: str | None
    pledge: str  # allowed | required | no
    proofs: tuple[Choice, ...] = ()
    place_roles: bool = False


@dataclass(frozen=True)
class FilingPolicy:
    """A region's filing rules as data; `pledge_months` is None where a pledge has no materials period."""

    region: str
    province_code: str
    effective_from: date
    rules: Mapping[str, str]
    kinds: Mapping[str, KindPolicy]
    registry_change_ends: tuple[str, ...] = ()
    pledge_months: int | None = None
    pledge_months_citation: str | None = None
    pledge_case: str = ""
    pledge_label: str = ""
    pledge_lapses: bool = False
    retroactive_case: str = ""
    retroactive_label: str = ""
    cancel_case: str = ""
    cancel_label: str = ""
    cancel_proof_within_months: int | None = None
    cancel_proofs: tuple[Choice, ...] = ()
    change_label: str = ""
    place_roles: tuple[Choice, ...] = ()
    max_days_ahead: int = 365
    reminder_days: tuple[int, ...] = ()

    def applies(self, rule: str) -> bool:
        return rule in self.rules

    def violation(self, rule: str, **context: object) -> RuleViolation:
        return RuleViolation(rule, self.rules[rule], **context)

    def kind(self, kind: str) -> KindPolicy:
        return self.kinds[kind]


@dataclass(frozen=True)
class FilingRequest:
    """What a person asks to file."""

    kind: str
    destination: DestinationLike
    valid_from: date
    proof: str | None = None
    pledge: bool = False
    place_role: str | None = None


@dataclass(frozen=True)
class PlannedFiling:
    """A request the rules accepted, with the dates they computed."""

    kind: str
    proof: str | None
    pledge: bool
    place_role: str | None
    destination_code: str
    destination_name: str
    destination_province: str
    destination_level: str
    cross_province: bool
    valid_from: date
    valid_to: date | None
    materials_due: date | None
    retroactive: bool
    region: str
    scheme: str
    citations: tuple[str, ...] = field(default=())

    def as_row(self) -> dict[str, object]:
        return {
            name: getattr(self, name)
            for name in (
                "kind",
                "proof",
                "pledge",
                "place_role",
                "destination_code",
                "destination_name",
                "destination_province",
                "destination_level",
                "cross_province",
                "valid_from",
                "valid_to",
                "materials_due",
                "retroactive",
                "region",
                "scheme",
            )
        }


def _kind_valid_to(kind: KindPolicy, valid_from: date) -> date | None:
    if kind.validity == "insurance_year":  # 吉医保发〔2019〕34号 第十二项: valid within the insurance year
        return date(valid_from.year, 12, 31)
    return None  # until_changed, not_specified


# ---- state of one filing --------------------------------------------------------------------------------
def is_open_pledge(filing: FilingLike, policy: FilingPolicy) -> bool:
    """A pledge whose materials are still due (Jilin); Dezhou pledges have no materials period."""
    return (
        filing.pledge
        and policy.pledge_months is not None
        and filing.materials_completed_on is None
        and filing.status == ACTIVE
    )


def state(filing: FilingLike, policy: FilingPolicy, today: date) -> str:
    """active | pending (starts later) | expired | lapsed (pledge period over, materials missing) | ended."""
    if filing.status == ENDED:
        return ENDED
    if filing.status == LAPSED:
        return LAPSED
    if is_open_pledge(filing, policy) and filing.materials_due is not None and filing.materials_due < today:
        return LAPSED
    if filing.valid_to is not None and filing.valid_to < today:
        return "expired"
    if filing.valid_from > today:
        return "pending"
    return ACTIVE


def is_current(filing: FilingLike, policy: FilingPolicy, today: date) -> bool:
    return state(filing, policy, today) in (ACTIVE, "pending")


def lapses_now(filing: FilingLike, policy: FilingPolicy, today: date) -> bool:
    """True when a job should mark this open pledge lapsed (its period ended without the materials)."""
    return policy.pledge_lapses and filing.status == ACTIVE and state(filing, policy, today) == LAPSED


def effective_end(filing: FilingLike, policy: FilingPolicy) -> date | None:
    """The last day the filing was valid, or None while it has no end."""
    ends = [d for d in (filing.valid_to, filing.ended_on) if d is not None]
    if filing.pledge and policy.pledge_months is not None and filing.materials_completed_on is None:
        if filing.materials_due is not None:
            ends.append(filing.materials_due)
    return min(ends) if ends else None


def settles_directly(filing: FilingLike, admitted_on: date, policy: FilingPolicy | None = None) -> bool:
    """吉医保规〔2023〕4号 第十三条: a stay admitted while the filing was valid settles directly, whenever the
    filing ends afterwards; a stay admitted outside the validity does not."""
    if admitted_on < filing.valid_from:
        return False
    end = (
        effective_end(filing, policy)
        if policy
        else min(
            (d for d in (filing.valid_to, filing.ended_on) if d is not None),
            default=None,
        )
    )
    return end is None or admitted_on <= end


def has_lapsed_pledge(filings: Sequence[FilingLike], policy: FilingPolicy, today: date) -> bool:
    return any(f.pledge and state(f, policy, today) == LAPSED for f in filings)


# ---- new filings ----------------------------------------------------------------------------------------
def _check_person(person: PersonLike, policy: FilingPolicy) -> None:
    if policy.applies("insured_active") and person.insurance_status != ACTIVE:
        raise policy.violation("insured_active", status=person.insurance_status)


def expected_level(destination: DestinationLike) -> str:
    """吉医保规〔2023〕4号 第十二条: the granularity a destination must be filed at."""
    if destination.level == "province":
        return "province"
    return "city" if destination.cross_province else "pooling_region"


def check_destination(
    kind: str, destination: DestinationLike, person: PersonLike, policy: FilingPolicy
) -> None:
    """The place rules: not the insured pooling region, filed at the level of 第十二条, and (Dezhou 二（四）)
    no filing at all for temporary treatment elsewhere in the province."""
    if policy.applies("not_remote") and destination.code == person.pooling_region:
        raise policy.violation("not_remote", destination=destination.name)
    if policy.applies("granularity") and destination.level not in ("pooling_region", "city", "province"):
        raise policy.violation("granularity", destination=destination.name)
    if (
        policy.applies("in_province_temporary_no_filing")
        and kind == "temporary"
        and not destination.cross_province
    ):
        raise policy.violation("in_province_temporary_no_filing", destination=destination.name)


def _check_destination(request: FilingRequest, person: PersonLike, policy: FilingPolicy) -> None:
    check_destination(request.kind, request.destination, person, policy)


def _check_dates(request: FilingRequest, person: PersonLike, policy: FilingPolicy, today: date) -> bool:
    """Returns whether the filing is retroactive (starts before today)."""
    retroactive = request.valid_from < today
    if retroactive:
        if policy.applies("retroactive_not_provided"):
            raise policy.violation("retroactive_not_provided", start=request.valid_from)
        if not policy.applies("retroactive_allowed"):
            raise RuleViolation("retroactive_allowed", "", start=request.valid_from)
        if request.pledge and policy.applies("retroactive_needs_materials"):
            raise policy.violation("retroactive_needs_materials")
    if policy.applies("start_after_insured") and request.valid_from < person.insured_since:
        raise policy.violation("start_after_insured", insured_since=person.insured_since)
    return retroactive


def _check_pledge(
    request: FilingRequest,
    kind: KindPolicy,
    all_filings: Sequence[FilingLike],
    policy: FilingPolicy,
    today: date,
) -> None:
    citation = policy.rules.get("pledge_kinds") or kind.validity_citation or ""
    if kind.pledge == "required" and not request.pledge:
        raise RuleViolation("pledge_required", citation, kind=kind.id)
    if not request.pledge:
        return
    if kind.pledge == "no":
        raise RuleViolation("pledge_kinds", citation, kind=kind.id)
    check_pledge_possible(all_filings, policy, today)


def check_pledge_possible(filings: Sequence[FilingLike], policy: FilingPolicy, today: date) -> None:
    """Jilin 第六条（二）: no pledge after a lapsed one, and one open pledge at most. Dezhou: always possible
    (the pledge is the normal way to file long-term residence, nothing is due later)."""
    if policy.pledge_months is None:
        return
    if policy.applies("no_pledge_after_lapse") and has_lapsed_pledge(filings, policy, today):
        raise policy.violation("no_pledge_after_lapse")
    current = [f for f in filings if is_current(f, policy, today)]
    if policy.applies("one_open_pledge") and any(is_open_pledge(f, policy) for f in current):
        raise policy.violation("one_open_pledge")


def _check_places(request: FilingRequest, current: list[FilingLike], policy: FilingPolicy) -> None:
    same = [f for f in current if f.kind == request.kind and f.destination_code == request.destination.code]
    if same and policy.applies("duplicate_filing"):
        raise policy.violation("duplicate_filing", destination=request.destination.name)
    if request.kind != "long_term":
        return
    long_term = [f for f in current if f.kind == "long_term"]
    if policy.applies("one_long_term") and long_term:
        raise policy.violation("one_long_term")
    if policy.applies("two_places"):
        if request.place_role is None or any(f.place_role == request.place_role for f in long_term):
            raise policy.violation("two_places", role=request.place_role or "")
        if len(long_term) >= len(policy.place_roles or ("residence", "household")):
            raise policy.violation("two_places", role=request.place_role)


def check_new_filing(
    request: FilingRequest,
    person: PersonLike,
    filings: Sequence[FilingLike],
    policy: FilingPolicy,
    today: date,
) -> PlannedFiling:
    """Every rule on a new filing; returns the filing to store, with its validity and materials due date."""
    if request.kind not in policy.kinds:
        raise RuleViolation("unknown_kind", "", kind=request.kind)
    kind = policy.kind(request.kind)
    _check_person(person, policy)
    _check_destination(request, person, policy)
    retroactive = _check_dates(request, person, policy, today)
    current = [f for f in filings if is_current(f, policy, today)]
    _check_pledge(request, kind, filings, policy, today)
    _check_places(request, current, policy)
    if kind.proofs and not request.pledge and request.proof not in {p.value for p in kind.proofs}:
        raise RuleViolation("proof_required", kind.validity_citation or "", kind=kind.id)
    valid_to = _kind_valid_to(kind, request.valid_from)
    materials_due = None
    if request.pledge and policy.pledge_months is not None:
        materials_due = add_months(request.valid_from, policy.pledge_months)
        valid_to = materials_due if valid_to is None else min(valid_to, materials_due)
    citations = tuple(
        c for c in (kind.validity_citation, policy.pledge_months_citation if materials_due else None) if c
    )
    return PlannedFiling(
        kind=kind.id,
        proof=None if request.pledge else request.proof,
        pledge=request.pledge,
        place_role=request.place_role if kind.place_roles else None,
        destination_code=request.destination.code,
        destination_name=request.destination.name,
        destination_province=request.destination.province,
        destination_level=request.destination.level,
        cross_province=request.destination.cross_province,
        valid_from=request.valid_from,
        valid_to=valid_to,
        materials_due=materials_due,
        retroactive=retroactive,
        region=policy.region,
        scheme=person.scheme,
        citations=citations,
    )


# ---- changes to existing filings -------------------------------------------------------------------------
def _check_current(filing: FilingLike, policy: FilingPolicy, today: date) -> None:
    if not is_current(filing, policy, today):
        raise policy.violation("nothing_to_change", state=state(filing, policy, today))


def check_change(
    filing: FilingLike,
    destination: DestinationLike,
    person: PersonLike,
    filings: Sequence[FilingLike],
    policy: FilingPolicy,
    today: date,
) -> dict[str, object]:
    """Changing the place of a filing; returns the new values. An open pledge is locked (第六条（一）)."""
    _check_person(person, policy)
    _check_current(filing, policy, today)
    if policy.applies("pledge_locked") and is_open_pledge(filing, policy):
        raise policy.violation("pledge_locked", due=filing.materials_due)
    if policy.applies("one_long_term") and filing.kind == "long_term":
        # Dezhou 三（一）: a long-term filing is ended and filed again, not moved.
        raise policy.violation("one_long_term")
    request = FilingRequest(
        kind=filing.kind, destination=destination, valid_from=filing.valid_from, place_role=filing.place_role
    )
    _check_destination(request, person, policy)
    others = [f for f in filings if f.id != filing.id and is_current(f, policy, today)]
    if any(f.kind == filing.kind and f.destination_code == destination.code for f in others) or (
        destination.code == filing.destination_code
    ):
        raise policy.violation("duplicate_filing", destination=destination.name)
    return {
        "destination_code": destination.code,
        "destination_name": destination.name,
        "destination_province": destination.province,
        "destination_level": destination.level,
        "cross_province": destination.cross_province,
    }


def check_cancel(
    filing: FilingLike, policy: FilingPolicy, today: date, proof: str | None = None
) -> dict[str, object]:
    """Cancelling a filing (Jilin 第九条: the ID is enough); Dezhou 三（一）: a long-term filing in its first
    months is ended back to home only with a proof. Returns the new values."""
    _check_current(filing, policy, today)
    months = policy.cancel_proof_within_months
    if (
        policy.applies("early_change_needs_proof")
        and months is not None
        and filing.kind == "long_term"
        and today < add_months(filing.valid_from, months)
        and (proof is None or proof == "none")
    ):
        raise policy.violation("early_change_needs_proof", months=months)
    return {"status": ENDED, "ended_on": today, "end_reason": "cancelled"}


def check_complete_materials(
    filing: FilingLike, policy: FilingPolicy, today: date, proof: str
) -> dict[str, object]:
    """An open pledge completed with its proof becomes an ordinary filing (第六条（二）)."""
    if not is_open_pledge(filing, policy) or state(filing, policy, today) == LAPSED:
        raise policy.violation("pledge_locked" if policy.applies("pledge_locked") else "nothing_to_change")
    kind = policy.kind(filing.kind)
    if kind.proofs and proof not in {p.value for p in kind.proofs}:
        raise RuleViolation("proof_required", kind.validity_citation or "", kind=kind.id)
    return {
        "materials_completed_on": today,
        "proof": proof,
        "valid_to": _kind_valid_to(kind, filing.valid_from),
    }


def lapse_values(filing: FilingLike) -> dict[str, object]:
    """The values a job writes when an open pledge lapses."""
    return {"status": LAPSED, "ended_on": filing.materials_due, "end_reason": "pledge_lapsed"}


def registry_change_ends(filing: FilingLike, person: PersonLike, policy: FilingPolicy) -> str | None:
    """Which change of the person's insurance ends this filing (第十四条): 'region', 'scheme' or None."""
    if filing.status != ACTIVE or not policy.applies("registry_change_ends"):
        return None
    if "region" in policy.registry_change_ends and person.region != filing.region:
        return "region"
    if "scheme" in policy.registry_change_ends and person.scheme != filing.scheme:
        return "scheme"
    return None


def ended_by_registry_values(reason: str, today: date) -> dict[str, object]:
    return {"status": ENDED, "ended_on": today, "end_reason": f"{reason}_changed"}


def days_left(due: date, today: date) -> int:
    return (due - today).days


def last_day_before(day: date) -> date:
    return day - timedelta(days=1)


def reminder_due(filing: FilingLike, policy: FilingPolicy, today: date) -> int | None:
    """The reminder an open pledge is due for today: the smallest configured number of days before its
    materials are due that is not less than the days left (30, 7, 1 → 5 days left gives 7); else None."""
    if not is_open_pledge(filing, policy) or filing.materials_due is None:
        return None
    left = days_left(filing.materials_due, today)
    if left < 0:
        return None
    fitting = [d for d in policy.reminder_days if d >= left]
    return min(fitting) if fitting else None


def home_treatment_as_temporary(filing: FilingLike, policy: FilingPolicy, treated_on: date) -> bool:
    """Dezhou 三（一）: treatment back home within the first months of a long-term filing made by pledge alone
    is paid as for temporary-outside patients (unless the filing was changed back with a proof)."""
    months = policy.cancel_proof_within_months
    return (
        policy.applies("early_change_needs_proof")
        and months is not None
        and filing.kind == "long_term"
        and filing.pledge
        and filing.status == ACTIVE
        and filing.valid_from <= treated_on < add_months(filing.valid_from, months)
    )
