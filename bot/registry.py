"""The insured registry: who is insured where, under which scheme, with which certifications and claims.

Interface a provincial platform adapter implements (`InsuredRegistry`, one object per database session,
made by a `RegistryFactory`):

    lookup(id_number_hash) -> InsuredRecord | None
        The person with this keyed hash of the ID number (bot.crypto.DataCipher.lookup_hash(number,
        "id_number")). An adapter queries the platform by the ID number it is given at binding and mirrors
        the answer into the insured_person table (sealed), so filings keep a local foreign key.
    matches(record, name, phone) -> bool
        True when the name and phone given at binding are the ones on file (the phone then gets the code).
    record(person_id) -> InsuredRecord | None
        Fresh insured data: insured region, pooling region, scheme (employee | resident), insurance status
        (active | suspended | ended), the date the current insurance began.
    certifications(person_id) -> list[CertificationRecord]
        Chronic-outpatient (门诊慢特病) and dual-channel-drug (双通道药品) certifications with their place.
    claims(person_id) -> list[ClaimRecord]
        Manual reimbursement claims with the day their materials were complete.

A change of insured region or scheme reported by the registry ends the person's filings (吉医保规〔2023〕4号
第十四条): `EmbeddedRegistry.change_insurance` applies it through flows.filing_rules and logs each ending as a
filing event. The embedded implementation keeps everything in this project's database (demo and tests).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlmodel import Session

from bot.crypto import DataCipher
from bot.store import filings as filing_store
from bot.store import people
from bot.store.filing_models import InsuredPerson


@dataclass(frozen=True)
class InsuredRecord:
    person_id: int
    region: str
    pooling_region: str
    pooling_region_name: str
    scheme: str
    insurance_status: str
    insured_since: date
    id_number_masked: str

    @property
    def id(self) -> int:
        return self.person_id


@dataclass(frozen=True)
class CertificationRecord:
    kind: str  # chronic | dual_channel
    condition: str
    place: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class ClaimRecord:
    reference: str
    place: str
    treated_on: date
    submitted_on: date
    materials_complete_on: date | None
    status: str
    amount_cents: int | None
    paid_on: date | None


class InsuredRegistry(Protocol):
    def lookup(self, id_number_hash: str) -> InsuredRecord | None: ...

    def matches(self, record: InsuredRecord, name: str, phone: str) -> bool: ...

    def record(self, person_id: int) -> InsuredRecord | None: ...

    def certifications(self, person_id: int) -> Sequence[CertificationRecord]: ...

    def claims(self, person_id: int) -> Sequence[ClaimRecord]: ...


RegistryFactory = Callable[[Session], InsuredRegistry]


def _record(person: InsuredPerson) -> InsuredRecord:
    assert person.id is not None
    return InsuredRecord(
        person_id=person.id,
        region=person.region,
        pooling_region=person.pooling_region,
        pooling_region_name=person.pooling_region_name,
        scheme=person.scheme,
        insurance_status=person.insurance_status,
        insured_since=person.insured_since,
        id_number_masked=person.id_number_masked,
    )


class EmbeddedRegistry:
    """The registry kept in this database (insured_person, certification, reimbursement_claim)."""

    def __init__(self, session: Session, cipher: DataCipher) -> None:
        self.session = session
        self.cipher = cipher

    def lookup(self, id_number_hash: str) -> InsuredRecord | None:
        person = people.find_by_id_hash(self.session, id_number_hash)
        return _record(person) if person is not None else None

    def matches(self, record: InsuredRecord, name: str, phone: str) -> bool:
        person = people.get_person(self.session, record.person_id)
        if person is None:
            return False
        same_name = self.cipher.open(person.name_enc, "name").strip() == name.strip()
        return same_name and person.phone_hash == self.cipher.lookup_hash(phone, "phone")

    def record(self, person_id: int) -> InsuredRecord | None:
        person = people.get_person(self.session, person_id)
        return _record(person) if person is not None else None

    def certifications(self, person_id: int) -> list[CertificationRecord]:
        return [
            CertificationRecord(c.kind, c.condition, c.place, c.valid_from, c.valid_to)
            for c in people.certifications(self.session, person_id)
        ]

    def claims(self, person_id: int) -> list[ClaimRecord]:
        return [
            ClaimRecord(
                c.reference,
                c.place,
                c.treated_on,
                c.submitted_on,
                c.materials_complete_on,
                c.status,
                c.amount_cents,
                c.paid_on,
            )
            for c in people.claims(self.session, person_id)
        ]

    def change_insurance(
        self,
        person_id: int,
        *,
        policies: object,
        today: date,
        at: datetime,
        region: str | None = None,
        scheme: str | None = None,
    ) -> list[int]:
        """Record a new insured region or scheme and end the filings it ends (第十四条); the ended ids."""
        from flows import filing_rules

        person = people.get_person(self.session, person_id)
        if person is None:
            return []
        person.region = region or person.region
        person.scheme = scheme or person.scheme
        self.session.add(person)
        ended = []
        for filing in filing_store.active_filings(self.session, person_id):
            policy = policies.on(filing.region, today)  # type: ignore[attr-defined]
            reason = filing_rules.registry_change_ends(filing, person, policy)
            if reason is None:
                continue
            filing_store.change_filing(
                self.session,
                filing,
                filing_rules.ended_by_registry_values(reason, today),
                action="ended",
                actor="registry",
                channel="registry",
                at=at,
            )
            assert filing.id is not None
            ended.append(filing.id)
        return ended


def embedded_registry_factory(cipher: DataCipher) -> RegistryFactory:
    return lambda session: EmbeddedRegistry(session, cipher)
