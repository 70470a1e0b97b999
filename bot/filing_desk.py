"""Staff actions on filings (for the staff console): complete a pledge's materials, end filings after a
registry change, read a person's unmasked data with an audit row. Each goes through flows.filing_rules and
is logged as a filing event with the staff member as actor."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.crypto import DataCipher
from bot.store import filings, people
from bot.store.filing_models import FilingEvent
from flows import filing_rules as rules
from flows.errors import RuleViolation


def complete_pledge_materials(
    session: Session,
    policies: object,
    *,
    filing_id: int,
    proof: str,
    staff: str,
    today: date,
    at: datetime,
) -> FilingEvent:
    """The person handed in the promised proof: the pledge filing becomes an ordinary one (第六条（二））.
    Raises RuleViolation when the filing is not an open pledge any more (lapsed, ended, completed)."""
    filing = filings.get_filing(session, filing_id)
    if filing is None:
        raise RuleViolation("nothing_to_change", "", filing_id=filing_id)
    policy = policies.on(filing.region, today)  # type: ignore[attr-defined]
    values = rules.check_complete_materials(filing, policy, today, proof)
    return filings.change_filing(
        session, filing, values, action="completed", actor=f"staff:{staff}", channel="staff", at=at
    )


def reveal_for_staff(
    session: Session, cipher: DataCipher, *, person_id: int, field: str, staff: str, reason: str
) -> str:
    """An unmasked value (name, id_number, phone, address) for a staff role that must see it; audited."""
    person = people.get_person(session, person_id)
    if person is None:
        raise KeyError(person_id)
    return people.reveal(session, cipher, person, field, staff=staff, reason=reason)
