"""SQL for filings: create and change only with an event (who, when, channel, before, after), pledges,
reminder claims and web-chat notices.

A flush that changes a Filing row without a new FilingEvent for its new version is refused
(bot.store.filing_models.UnrecordedChange), so nothing is updated in place without trace, whoever writes.
A pledge's text holds the person's name, ID number, phone and address: it is stored sealed (add_pledge) and
opened only through pledge_text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.errors import StoreError
from bot.store.filing_models import Filing, FilingEvent, Pledge, Reminder, WebNotice
from bot.store.models import utcnow
from bot.store.people import Sealer

CHINA = ZoneInfo("Asia/Shanghai")
PLEDGE_TEXT_FIELD = "pledge_text"  # associated data the pledge text is sealed under (bot.crypto)

_SNAPSHOT_FIELDS = (
    "kind",
    "proof",
    "pledge",
    "place_role",
    "destination_code",
    "destination_name",
    "valid_from",
    "valid_to",
    "materials_due",
    "materials_completed_on",
    "retroactive",
    "status",
    "ended_on",
    "end_reason",
    "region",
    "scheme",
)


class OpenPledgeExists(StoreError):
    """The database refused a second open pledge filing for the person (partial unique index)."""


def _aware(at: datetime) -> datetime:
    """Engine clocks give naive China time; the tables keep aware timestamps."""
    return at if at.utcoffset() is not None else at.replace(tzinfo=CHINA)


def snapshot(filing: Filing) -> dict[str, Any]:
    """The filing's state as JSON-safe values, for an event's before/after."""
    out: dict[str, Any] = {}
    for name in _SNAPSHOT_FIELDS:
        value = getattr(filing, name)
        out[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


def create_filing(
    session: Session,
    *,
    person_id: int,
    values: Mapping[str, Any],
    actor: str,
    channel: str,
    at: datetime,
) -> Filing:
    """Store a filing the rules accepted, with its `created` event."""
    at = _aware(at)
    filing = Filing(person_id=person_id, channel=channel, created_at=at, updated_at=at, version=1, **values)
    try:
        with session.begin_nested():
            session.add(filing)
            session.flush()
    except IntegrityError as exc:
        raise OpenPledgeExists("an open pledge filing already exists") from exc
    assert filing.id is not None
    session.add(
        FilingEvent(
            filing_id=filing.id,
            person_id=person_id,
            version=1,
            action="created",
            actor=actor,
            channel=channel,
            at=at,
            before=None,
            after=snapshot(filing),
        )
    )
    session.flush()
    return filing


def change_filing(
    session: Session,
    filing: Filing,
    values: Mapping[str, Any],
    *,
    action: str,
    actor: str,
    channel: str,
    at: datetime,
) -> FilingEvent:
    """Apply `values` to the filing and record the change as its next version."""
    assert filing.id is not None
    at = _aware(at)
    before = snapshot(filing)
    for name, value in values.items():
        setattr(filing, name, value)
    filing.version += 1
    filing.updated_at = at
    record = FilingEvent(
        filing_id=filing.id,
        person_id=filing.person_id,
        version=filing.version,
        action=action,
        actor=actor,
        channel=channel,
        at=at,
        before=before,
        after=snapshot(filing),
    )
    session.add(filing)
    session.add(record)
    session.flush()
    return record


def get_filing(session: Session, filing_id: int) -> Filing | None:
    return session.get(Filing, filing_id)


def filings_of(session: Session, person_id: int) -> Sequence[Filing]:
    return session.exec(
        select(Filing).where(Filing.person_id == person_id).order_by(Filing.id)  # type: ignore[arg-type]
    ).all()


def active_filings(session: Session, person_id: int) -> Sequence[Filing]:
    return [f for f in filings_of(session, person_id) if f.status == "active"]


def all_active(session: Session) -> Sequence[Filing]:
    return session.exec(select(Filing).where(Filing.status == "active")).all()


def events_of(session: Session, filing_id: int) -> Sequence[FilingEvent]:
    return session.exec(
        select(FilingEvent).where(FilingEvent.filing_id == filing_id).order_by(FilingEvent.version)  # type: ignore[arg-type]
    ).all()


def events_after(session: Session, since: datetime) -> Sequence[FilingEvent]:
    return session.exec(
        select(FilingEvent).where(FilingEvent.at >= since).order_by(FilingEvent.id)  # type: ignore[arg-type]
    ).all()


# ---- pledges --------------------------------------------------------------------------------------------
def add_pledge(
    session: Session,
    cipher: Sealer,
    *,
    text: str,
    sha256: str,
    filing_id: int,
    person_id: int,
    region: str,
    channel: str,
    account: str,
    signed_at: datetime,
    verify_code: str,
    signature_enc: str | None = None,
) -> Pledge:
    """Store a signed pledge; its text is sealed with the current key (`sha256` is over the plain text)."""
    pledge = Pledge(
        filing_id=filing_id,
        person_id=person_id,
        region=region,
        text_enc=cipher.seal(text, PLEDGE_TEXT_FIELD),
        sha256=sha256,
        signature_enc=signature_enc,
        key_id=cipher.current,
        channel=channel,
        account=account,
        signed_at=signed_at,
        verify_code=verify_code,
    )
    session.add(pledge)
    session.flush()
    return pledge


def pledge_text(cipher: Sealer, pledge: Pledge) -> str:
    """The exact text signed; raises bot.crypto.CryptoError when the sealed text was altered."""
    return cipher.open(pledge.text_enc, PLEDGE_TEXT_FIELD)


def get_pledge_by_code(session: Session, code: str) -> Pledge | None:
    return session.exec(select(Pledge).where(Pledge.verify_code == code.strip().upper())).first()


def pledge_of(session: Session, filing_id: int) -> Pledge | None:
    return session.exec(select(Pledge).where(Pledge.filing_id == filing_id)).first()


def attach_signature(session: Session, pledge: Pledge, signature_enc: str, key_id: str) -> bool:
    """Store the drawn signature once; False when the pledge already has one. The row's key_id stays the
    text's key (the older one after a rotation), so a rotation job still finds the row."""
    if pledge.signature_enc:
        return False
    pledge.signature_enc = signature_enc
    pledge.key_id = pledge.key_id or key_id
    session.add(pledge)
    return True


# ---- reminders and notices ------------------------------------------------------------------------------
def claim_reminder(session: Session, *, key: str, person_id: int, filing_id: int | None, kind: str) -> bool:
    """Claim a reminder by its unique key; False when another run (or machine) claimed it first."""
    try:
        with session.begin_nested():
            session.add(Reminder(key=key, person_id=person_id, filing_id=filing_id, kind=kind))
            session.flush()
    except IntegrityError:
        return False
    return True


def finish_reminder(session: Session, key: str, *, state: str, channel: str = "", error: str = "") -> None:
    row = session.exec(select(Reminder).where(Reminder.key == key)).one()
    row.state = state
    row.channel = channel
    row.last_error = error[:300]
    row.sent_at = utcnow() if state == "sent" else None
    session.add(row)


def add_notice(session: Session, conversation_id: int, text_: str) -> WebNotice:
    notice = WebNotice(conversation_id=conversation_id, text=text_)
    session.add(notice)
    return notice


def take_notices(session: Session, conversation_id: int) -> list[str]:
    """Notices not shown yet, marked shown."""
    rows = session.exec(
        select(WebNotice)
        .where(WebNotice.conversation_id == conversation_id, WebNotice.shown_at.is_(None))  # type: ignore[union-attr]
        .order_by(WebNotice.id)  # type: ignore[arg-type]
    ).all()
    for row in rows:
        row.shown_at = utcnow()
        session.add(row)
    return [row.text for row in rows]
