"""Personal data sealing, persons, filings and their event log, the one-open-pledge index, reminders."""

from __future__ import annotations

import base64
import os
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from bot.crypto import CryptoError, DataCipher, mask_id_number, mask_name
from bot.store import filings, people
from bot.store.filing_models import UnrecordedChange
from bot.store.filings import OpenPledgeExists

KEY = base64.b64encode(b"k" * 32).decode()
NEW_KEY = base64.b64encode(os.urandom(32)).decode()
AT = datetime(2026, 11, 22, 10, 0)


@pytest.fixture
def cipher() -> DataCipher:
    return DataCipher.single(KEY, "k1")


def _person(session: Session, cipher: DataCipher, id_number: str) -> people.InsuredPerson:  # type: ignore[name-defined]
    return people.create_person(
        session,
        cipher,
        name="张三",
        id_number=id_number,
        phone="13912345678",
        region="jilin",
        pooling_region="220100",
        pooling_region_name="长春市",
        scheme="employee",
        insured_since=date(2010, 1, 1),
    )


def _to_beijing(**values: object) -> dict[str, object]:
    """A Jilin employee's long-term filing to Beijing from 2026-11-22, with `values` on top."""
    return {
        "region": "jilin",
        "scheme": "employee",
        "kind": "long_term",
        "destination_code": "110000",
        "destination_name": "北京市",
        "valid_from": date(2026, 11, 22),
        **values,
    }


def _unique_id() -> str:
    return "2201" + os.urandom(5).hex()[:10].translate(str.maketrans("abcdef", "123456")) + "123X"


def test_seal_open_and_refuse_tampering(cipher):
    token = cipher.seal("220102199003071234", "id_number")
    assert token.startswith("k1:") and "220102" not in token
    assert cipher.open(token, "id_number") == "220102199003071234"
    with pytest.raises(CryptoError):
        cipher.open(token, "phone")  # sealed for another field
    body = bytearray(base64.urlsafe_b64decode(token[3:]))
    body[-1] ^= 1
    with pytest.raises(CryptoError):
        cipher.open("k1:" + base64.urlsafe_b64encode(bytes(body)).decode(), "id_number")
    with pytest.raises(CryptoError):
        DataCipher.single("not-base64!", "x")


def test_key_rotation_opens_old_values_and_reseals(cipher):
    old = cipher.seal("13912345678", "phone")
    rotated = DataCipher({"k1": KEY, "k2": NEW_KEY}, "k2")
    assert rotated.open(old, "phone") == "13912345678"
    new = rotated.reseal(old, "phone")
    assert DataCipher.key_id_of(new) == "k2"
    assert rotated.open(new, "phone") == "13912345678"
    assert rotated.rehash(new, "phone") == rotated.lookup_hash("13912345678", "phone")


def test_lookup_hash_is_keyed_and_normalised(cipher):
    assert cipher.lookup_hash("22010219900307123x", "id_number") == cipher.lookup_hash(
        "22010219900307123X ", "id_number"
    )
    assert cipher.lookup_hash("a", "id_number") != DataCipher.single(NEW_KEY, "z").lookup_hash(
        "a", "id_number"
    )
    assert mask_id_number("22010219900307123X") == "2201**********123X"
    assert mask_name("张三丰") == "张**"


def test_person_is_sealed_and_found_by_hash(db, cipher):
    with Session(db) as session:
        id_number = _unique_id()
        person = _person(session, cipher, id_number)
        session.commit()
        assert id_number not in person.id_number_enc and "张三" not in person.name_enc
        assert person.id_number_masked == id_number[:4] + "**********" + id_number[-4:]
        found = people.find_by_id_number(session, cipher, id_number.lower())
        assert found is not None and found.id == person.id
        assert people.personal_data(cipher, found)["name"] == "张三"
        assert people.reveal(session, cipher, found, "phone", staff="agent", reason="回电") == "13912345678"
        session.commit()


def test_every_change_is_an_event_and_unrecorded_changes_are_refused(db, cipher):
    with Session(db) as session:
        person = _person(session, cipher, _unique_id())
        values = _to_beijing(proof="work_away", place_role="residence")
        filing = filings.create_filing(
            session, person_id=person.id, values=values, actor="person:1", channel="web", at=AT
        )
        filings.change_filing(
            session,
            filing,
            {"destination_code": "460200", "destination_name": "海南省"},
            action="changed",
            actor="person:1",
            channel="wechat",
            at=AT,
        )
        session.commit()
        events = filings.events_of(session, filing.id)
        assert [(e.version, e.action) for e in events] == [(1, "created"), (2, "changed")]
        assert events[1].before["destination_code"] == "110000"
        assert events[1].after["destination_code"] == "460200"
        assert events[1].channel == "wechat"
        filing.status = "ended"
        with pytest.raises(UnrecordedChange):
            session.flush()
        session.rollback()


def test_database_allows_one_open_pledge_per_person(db, cipher):
    with Session(db) as session:
        person = _person(session, cipher, _unique_id())
        values = _to_beijing(pledge=True, place_role="residence", materials_due=date(2027, 5, 22))
        first = filings.create_filing(
            session, person_id=person.id, values=values, actor="t", channel="web", at=AT
        )
        with pytest.raises(OpenPledgeExists):
            filings.create_filing(
                session,
                person_id=person.id,
                values={**values, "destination_code": "460200"},
                actor="t",
                channel="web",
                at=AT,
            )
        filings.change_filing(
            session,
            first,
            {"materials_completed_on": date(2026, 12, 1), "proof": "work_away"},
            action="completed",
            actor="staff:agent",
            channel="staff",
            at=AT,
        )
        filings.create_filing(
            session,
            person_id=person.id,
            values={**values, "destination_code": "460200"},
            actor="t",
            channel="web",
            at=AT,
        )
        session.commit()


def test_a_pledge_text_is_sealed_and_a_later_signature_keeps_the_text_key(db, cipher):
    from sqlalchemy import text as sql

    plain = "承诺书\n承诺人：张三，身份证号：220102199003071234，电话：13912345678\n"
    with Session(db) as session:
        person = _person(session, cipher, _unique_id())
        values = _to_beijing(pledge=True)
        filing = filings.create_filing(
            session, person_id=person.id, values=values, actor="t", channel="web", at=AT
        )
        pledge = filings.add_pledge(
            session,
            cipher,
            text=plain,
            sha256="0" * 64,
            filing_id=filing.id,
            person_id=person.id,
            region="jilin",
            channel="web",
            account="web",
            signed_at=AT.replace(tzinfo=UTC),
            verify_code="T" + os.urandom(6).hex()[:11].upper(),
        )
        session.commit()
        raw = session.execute(
            sql("SELECT text_enc, key_id FROM pledge WHERE id = :i"), {"i": pledge.id}
        ).one()
        assert "张三" not in raw.text_enc and "220102" not in raw.text_enc and "13912" not in raw.text_enc
        assert raw.key_id == "k1"
        assert filings.pledge_text(cipher, pledge) == plain
        with pytest.raises(CryptoError):
            cipher.open(pledge.text_enc, "signature")  # sealed for its own field only
        rotated = DataCipher({"k1": KEY, "k2": NEW_KEY}, "k2")
        assert filings.attach_signature(session, pledge, rotated.seal(b"png", "signature"), rotated.current)
        assert pledge.key_id == "k1"  # the text is still under k1: a rotation job must find the row
        assert not filings.attach_signature(
            session, pledge, rotated.seal(b"png", "signature"), rotated.current
        )
        session.commit()


def test_a_reminder_is_claimed_once(db):
    with Session(db) as session:
        key = "test:" + os.urandom(4).hex()
        assert filings.claim_reminder(session, key=key, person_id=1, filing_id=None, kind="status_change")
        session.commit()
    with Session(db) as other:
        assert not filings.claim_reminder(other, key=key, person_id=1, filing_id=None, kind="status_change")
        filings.finish_reminder(other, key, state="sent", channel="web")
        other.commit()


def test_staff_completes_a_pledge_and_reads_audited_data(db, cipher):
    from sqlmodel import select

    from bot.content.filing import load_filing_policies
    from bot.content.policy import load_policies
    from bot.filing_desk import complete_pledge_materials, reveal_for_staff
    from bot.store.filing_models import PersonalDataAccess
    from flows.errors import RuleViolation
    from tests.conftest import CONTENT

    policies = load_filing_policies(CONTENT, load_policies(CONTENT))
    with Session(db) as session:
        person = _person(session, cipher, _unique_id())
        filing = filings.create_filing(
            session,
            person_id=person.id,
            values=_to_beijing(
                pledge=True,
                place_role="residence",
                valid_from=date(2026, 10, 1),
                valid_to=date(2027, 4, 1),
                materials_due=date(2027, 4, 1),
            ),
            actor="person:1",
            channel="web",
            at=AT,
        )
        event = complete_pledge_materials(
            session,
            policies,
            filing_id=filing.id,
            proof="work_away",
            staff="agent",
            today=date(2026, 11, 22),
            at=AT,
        )
        assert event.action == "completed" and event.actor == "staff:agent"
        assert filing.valid_to is None and filing.materials_completed_on == date(2026, 11, 22)
        with pytest.raises(RuleViolation):
            complete_pledge_materials(
                session,
                policies,
                filing_id=filing.id,
                proof="work_away",
                staff="agent",
                today=date(2026, 11, 23),
                at=AT,
            )
        phone = reveal_for_staff(
            session, cipher, person_id=person.id, field="phone", staff="supervisor", reason="核实"
        )
        session.commit()
        assert phone == "13912345678"
        audits = session.exec(
            select(PersonalDataAccess).where(PersonalDataAccess.person_id == person.id)
        ).all()
        assert [(a.staff, a.field_name) for a in audits] == [("supervisor", "phone")]
