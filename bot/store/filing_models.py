"""Tables of insured persons and their filings: persons (sealed personal data), certifications, claims,
bindings, filings with their event log, signed pledges, reminders and web-chat notices.

Personal data columns end in `_enc` (AES-GCM, bot.crypto) with the key id beside them, and `_hash` (keyed
lookup hash). A filing row is never changed without a FilingEvent row carrying its new version (enforced by
bot.store.filings on flush); the one-open-pledge rule is also a partial unique index.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel

from bot.errors import StoreError
from bot.store.models import utcnow


class InsuredPerson(SQLModel, table=True):
    """An insured person as the registry knows them; name, ID number, phone and address sealed."""

    __tablename__ = "insured_person"

    id: int | None = Field(default=None, primary_key=True)
    name_enc: str = Field(sa_column=Column(Text, nullable=False))
    id_number_enc: str = Field(sa_column=Column(Text, nullable=False))
    id_number_hash: str = Field(max_length=64, unique=True, index=True)
    id_number_masked: str = Field(max_length=18)  # 2201**********123X, safe to list
    phone_enc: str = Field(sa_column=Column(Text, nullable=False))
    phone_hash: str = Field(max_length=64, index=True)
    address_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    key_id: str = Field(max_length=40, index=True)
    region: str = Field(max_length=40, index=True)  # insured region pack: jilin | dezhou
    pooling_region: str = Field(max_length=12)  # code of the insured pooling region, e.g. 220100
    pooling_region_name: str = Field(max_length=40)
    scheme: str = Field(max_length=12)  # employee | resident
    insurance_status: str = Field(default="active", max_length=12)  # active | suspended | ended
    insured_since: date
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Certification(SQLModel, table=True):
    """A chronic-outpatient or dual-channel-drug certification (门诊慢特病 / 双通道药品待遇认定)."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="insured_person.id", index=True)
    kind: str = Field(max_length=20)  # chronic | dual_channel
    condition: str = Field(max_length=80)
    place: str = Field(default="", max_length=80)
    valid_from: date
    valid_to: date | None = None


class ReimbursementClaim(SQLModel, table=True):
    """A manual reimbursement claim; processing is promised within working days of complete materials."""

    __tablename__ = "reimbursement_claim"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="insured_person.id", index=True)
    reference: str = Field(max_length=40, unique=True)
    place: str = Field(default="", max_length=80)
    treated_on: date
    submitted_on: date
    materials_complete_on: date | None = None
    status: str = Field(default="submitted", max_length=20)  # submitted | processing | paid | rejected
    amount_cents: int | None = None
    paid_on: date | None = None


class PersonBinding(SQLModel, table=True):
    """A chat identity bound to an insured person after phone verification (audit of who bound when)."""

    __tablename__ = "person_binding"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="insured_person.id", index=True)
    channel: str = Field(max_length=20)
    account: str = Field(max_length=40)
    user_key: str = Field(max_length=128, index=True)
    bound_at: datetime = Field(default_factory=utcnow)
    unbound_at: datetime | None = None


class PersonalDataAccess(SQLModel, table=True):
    """Audit of a staff member reading unmasked personal data."""

    __tablename__ = "personal_data_access"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="insured_person.id", index=True)
    staff: str = Field(max_length=64)
    field_name: str = Field(max_length=40)
    reason: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow, index=True)


class Filing(SQLModel, table=True):
    """A remote-treatment filing (异地就医备案). Changes go through bot.store.filings, which logs an event."""

    __table_args__ = (
        Index(
            "uq_filing_one_open_pledge",
            "person_id",
            unique=True,
            sqlite_where=text("pledge AND status = 'active' AND materials_completed_on IS NULL"),
            postgresql_where=text("pledge AND status = 'active' AND materials_completed_on IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="insured_person.id", index=True)
    region: str = Field(max_length=40)  # insured region when filed
    scheme: str = Field(max_length=12)  # scheme when filed (吉医保规〔2023〕4号 第十四条)
    kind: str = Field(max_length=20)  # long_term | childbirth | referral | temporary
    proof: str | None = Field(default=None, max_length=30)  # resettlement | long_term_residence | work_away …
    pledge: bool = False
    place_role: str | None = Field(default=None, max_length=12)  # residence | household (第六条（二）)
    destination_code: str = Field(max_length=12)
    destination_name: str = Field(max_length=60)
    destination_province: str = Field(default="", max_length=40)
    destination_level: str = Field(default="", max_length=20)
    cross_province: bool = False
    valid_from: date
    valid_to: date | None = None
    materials_due: date | None = None
    materials_completed_on: date | None = None
    retroactive: bool = False
    status: str = Field(default="active", max_length=12, index=True)  # active | ended | lapsed
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=30)
    channel: str = Field(default="", max_length=20)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FilingEvent(SQLModel, table=True):
    """One change of a filing: who, when, through which channel, the state before and after."""

    __tablename__ = "filing_event"
    __table_args__ = (UniqueConstraint("filing_id", "version", name="uq_filing_event_version"),)

    id: int | None = Field(default=None, primary_key=True)
    filing_id: int = Field(foreign_key="filing.id", index=True)
    person_id: int = Field(index=True)
    version: int
    action: str = Field(max_length=30)  # created | changed | cancelled | completed | lapsed | ended
    actor: str = Field(max_length=80)  # person:<id> | staff:<username> | system:<job> | registry
    channel: str = Field(default="", max_length=20)
    at: datetime = Field(default_factory=utcnow, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Pledge(SQLModel, table=True):
    """A signed pledge: the exact text shown (sealed: it holds name, ID number, phone and address), the
    SHA-256 of that plain text, the signature where drawn (sealed), and a verify code.

    key_id names the key the text was sealed with; a signature drawn after a key rotation may carry a newer
    one inside its own token, so a rotation job re-seals every sealed column of a row whose key_id is old.
    """

    id: int | None = Field(default=None, primary_key=True)
    filing_id: int = Field(foreign_key="filing.id", unique=True)
    person_id: int = Field(foreign_key="insured_person.id", index=True)
    region: str = Field(max_length=40)
    text_enc: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(max_length=64)
    signature_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    key_id: str = Field(max_length=40, index=True)
    channel: str = Field(max_length=20)
    account: str = Field(max_length=40)
    signed_at: datetime
    verify_code: str = Field(max_length=12, unique=True, index=True)


class Reminder(SQLModel, table=True):
    """A reminder claimed before sending: the unique key makes every reminder go out once across machines."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    person_id: int = Field(index=True)
    filing_id: int | None = Field(default=None, index=True)
    kind: str = Field(max_length=30)  # materials_due | status_change
    state: str = Field(default="claimed", max_length=12)  # claimed | sent | failed | no_channel
    channel: str = Field(default="", max_length=20)
    claimed_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    last_error: str = Field(default="", max_length=300)


class WebNotice(SQLModel, table=True):
    """A notice for a web-chat person, shown the next time they chat."""

    __tablename__ = "web_notice"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    shown_at: datetime | None = Field(default=None, index=True)


class UnrecordedChange(StoreError):
    """A filing was changed without its event."""


@event.listens_for(OrmSession, "before_flush")
def _every_change_has_its_event(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Refuse to flush a changed Filing unless a new FilingEvent records its new version."""
    recorded = {(obj.filing_id, obj.version) for obj in session.new if isinstance(obj, FilingEvent)}
    for obj in session.dirty:
        if isinstance(obj, Filing) and session.is_modified(obj, include_collections=False):
            if (obj.id, obj.version) not in recorded:
                raise UnrecordedChange(f"filing {obj.id} changed without an event for version {obj.version}")
