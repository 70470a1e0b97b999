"""SQL for insured persons: sealed personal data, lookup by keyed hash, bindings, certifications, claims,
and audited unmasked reads by staff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from sqlmodel import Session, select

from bot.store.filing_models import (
    Certification,
    InsuredPerson,
    PersonalDataAccess,
    PersonBinding,
    ReimbursementClaim,
)
from bot.store.models import Conversation, utcnow

SEALED_FIELDS = ("name", "id_number", "phone", "address")


class Sealer(Protocol):
    current: str

    def seal(self, value: str | bytes, field: str) -> str: ...

    def open(self, token: str, field: str) -> str: ...

    def lookup_hash(self, value: str, field: str) -> str: ...


def _mask_id(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def create_person(
    session: Session,
    cipher: Sealer,
    *,
    name: str,
    id_number: str,
    phone: str,
    region: str,
    pooling_region: str,
    pooling_region_name: str,
    scheme: str,
    insured_since: date,
    insurance_status: str = "active",
    address: str | None = None,
) -> InsuredPerson:
    id_number = id_number.strip().upper()
    person = InsuredPerson(
        name_enc=cipher.seal(name, "name"),
        id_number_enc=cipher.seal(id_number, "id_number"),
        id_number_hash=cipher.lookup_hash(id_number, "id_number"),
        id_number_masked=_mask_id(id_number),
        phone_enc=cipher.seal(phone, "phone"),
        phone_hash=cipher.lookup_hash(phone, "phone"),
        address_enc=cipher.seal(address, "address") if address else None,
        key_id=cipher.current,
        region=region,
        pooling_region=pooling_region,
        pooling_region_name=pooling_region_name,
        scheme=scheme,
        insured_since=insured_since,
        insurance_status=insurance_status,
    )
    session.add(person)
    session.flush()
    return person


def get_person(session: Session, person_id: int) -> InsuredPerson | None:
    return session.get(InsuredPerson, person_id)


def find_by_id_hash(session: Session, id_number_hash: str) -> InsuredPerson | None:
    return session.exec(select(InsuredPerson).where(InsuredPerson.id_number_hash == id_number_hash)).first()


def find_by_id_number(session: Session, cipher: Sealer, id_number: str) -> InsuredPerson | None:
    return find_by_id_hash(session, cipher.lookup_hash(id_number.strip().upper(), "id_number"))


def personal_data(cipher: Sealer, person: InsuredPerson) -> dict[str, str]:
    """The person's own data, opened for showing to themselves (a pledge text, a confirmation)."""
    return {
        "name": cipher.open(person.name_enc, "name"),
        "id_number": cipher.open(person.id_number_enc, "id_number"),
        "phone": cipher.open(person.phone_enc, "phone"),
        "address": cipher.open(person.address_enc, "address") if person.address_enc else "",
    }


def reveal(
    session: Session, cipher: Sealer, person: InsuredPerson, field: str, *, staff: str, reason: str
) -> str:
    """An unmasked value for a staff role that must see it; every read is audited."""
    if field not in SEALED_FIELDS:
        raise ValueError(f"not a sealed field: {field}")
    token = getattr(person, f"{field}_enc")
    assert person.id is not None
    session.add(PersonalDataAccess(person_id=person.id, staff=staff, field_name=field, reason=reason))
    return cipher.open(token, field) if token else ""


def bind(session: Session, conversation: Conversation, person: InsuredPerson) -> PersonBinding:
    """Bind a chat identity to the person; an earlier binding of the same identity is closed."""
    assert person.id is not None
    for old in session.exec(
        select(PersonBinding).where(
            PersonBinding.channel == conversation.channel,
            PersonBinding.account == conversation.account,
            PersonBinding.user_key == conversation.user_key,
            PersonBinding.unbound_at.is_(None),  # type: ignore[union-attr]
        )
    ):
        old.unbound_at = utcnow()
        session.add(old)
    binding = PersonBinding(
        person_id=person.id,
        channel=conversation.channel,
        account=conversation.account,
        user_key=conversation.user_key,
    )
    session.add(binding)
    conversation.person_id = person.id
    session.add(conversation)
    return binding


def conversations_of(session: Session, person_id: int) -> Sequence[Conversation]:
    """Every chat identity bound to the person (for reminders)."""
    return session.exec(select(Conversation).where(Conversation.person_id == person_id)).all()


def certifications(session: Session, person_id: int) -> Sequence[Certification]:
    return session.exec(
        select(Certification).where(Certification.person_id == person_id).order_by(Certification.id)  # type: ignore[arg-type]
    ).all()


def claims(session: Session, person_id: int) -> Sequence[ReimbursementClaim]:
    return session.exec(
        select(ReimbursementClaim)
        .where(ReimbursementClaim.person_id == person_id)
        .order_by(ReimbursementClaim.id)  # type: ignore[arg-type]
    ).all()


def add_certification(session: Session, **values: object) -> Certification:
    row = Certification(**values)  # type: ignore[arg-type]
    session.add(row)
    return row


def add_claim(session: Session, **values: object) -> ReimbursementClaim:
    row = ReimbursementClaim(**values)  # type: ignore[arg-type]
    session.add(row)
    return row


def person_for_identity(session: Session, channel: str, account: str, user_key: str) -> int | None:
    """The person a chat identity is bound to, if any."""
    conversation = session.exec(
        select(Conversation).where(
            Conversation.channel == channel,
            Conversation.account == account,
            Conversation.user_key == user_key,
        )
    ).first()
    return conversation.person_id if conversation is not None else None
