"""GET /pledges/verify/{code}, the printable page and the PDF, through the real app."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text as sql
from sqlmodel import Session

from api.main import create_app
from api.settings import Settings
from bot import pledge_documents as documents
from bot.store import filings, people
from tests.conftest import CONTENT
from tests.flows.transcript import fixture_guide_engine  # noqa: F401 - module-scoped fixture

AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def client(database_url, guide_engine):
    """One app per module: building the engine per test would make this suite slow."""
    settings = Settings(env="test", database_url=database_url)
    with TestClient(create_app(settings, engine=guide_engine)) as test_client:
        yield test_client


@pytest.fixture
def engine(client):
    return client.app.state.engine


def _png() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (200, 80), (255, 255, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _signed_pledge(engine, *, signature: bytes | None = None) -> tuple[str, dict[str, str]]:
    """A person, a pledge filing and its signed pledge, stored the way the filing flow stores them."""
    cipher = engine.cipher
    person_data = {
        "name": "李四",
        "id_number": f"371402199003{int(uuid.uuid4().hex[:5], 16) % 100000:05d}X"[:18],
        "phone": "13712345678",
        "address": "德州市德城区示例路2号",
    }
    with Session(engine.db) as session:
        person = people.create_person(
            session,
            cipher,
            **person_data,
            region="dezhou",
            pooling_region="371400",
            pooling_region_name="德州市",
            scheme="employee",
            insured_since=date(2015, 1, 1),
        )
        filing_values = {
            "kind": "long_term",
            "destination_code": "370100",
            "destination_name": "济南市",
            "destination_province": "山东省",
            "valid_from": date(2026, 11, 22),
        }
        filing = filings.create_filing(
            session,
            person_id=person.id,
            values={**filing_values, "region": "dezhou", "scheme": "employee", "pledge": True},
            actor=f"person:{person.id}",
            channel="web",
            at=AT,
        )
        text = documents.render_pledge_text(CONTENT, "dezhou", person_data, filing_values, date(2026, 11, 22))
        code = documents.new_verify_code()
        filings.add_pledge(
            session,
            cipher,
            text=text,
            sha256=documents.text_digest(text),
            filing_id=filing.id,
            person_id=person.id,
            region="dezhou",
            signature_enc=cipher.seal(signature, documents.SIGNATURE_FIELD) if signature else None,
            channel="web",
            account="web",
            signed_at=AT,
            verify_code=code,
        )
        session.commit()
    return code, person_data


def _tamper(engine, code: str, old: str, new: str) -> None:
    """Someone holding the data key rewrites the text and seals it again: the digest shows it."""
    cipher = engine.cipher
    with Session(engine.db) as session:
        pledge = filings.get_pledge_by_code(session, code)
        altered = filings.pledge_text(cipher, pledge).replace(old, new)
        pledge.text_enc = cipher.seal(altered, filings.PLEDGE_TEXT_FIELD)
        session.add(pledge)
        session.commit()


def _raw_row(engine, code: str) -> dict:
    with engine.db.connect() as connection:
        query = sql("SELECT * FROM pledge WHERE verify_code = :code")
        return dict(connection.execute(query, {"code": code}).mappings().one())


def _flip_ciphertext(engine, code: str) -> None:
    """Someone without the key changes bytes of the sealed text in the database."""
    token = _raw_row(engine, code)["text_enc"]
    key_id, _, body = token.partition(":")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[20] ^= 0x01
    altered = f"{key_id}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    with engine.db.begin() as connection:
        connection.execute(
            sql("UPDATE pledge SET text_enc = :t WHERE verify_code = :code"), {"t": altered, "code": code}
        )


def test_verify_a_genuine_unaltered_pledge(client, engine):
    code, _ = _signed_pledge(engine)
    body = client.get(f"/pledges/verify/{code.lower()}").json()
    assert body == {
        "code": code,
        "genuine": True,
        "unaltered": True,
        "signature": "absent",
        "region": "dezhou",
        "signed_at": body["signed_at"],
        "masked_name": "李*",
    }
    assert body["signed_at"].startswith("2026-11-22")


def test_a_tampered_pledge_fails_verification(client, engine):
    code, _ = _signed_pledge(engine)
    _tamper(engine, code, "济南", "青岛")
    body = client.get(f"/pledges/verify/{code}").json()
    assert body["genuine"] is True and body["unaltered"] is False
    page = client.get(f"/pledges/{code}").text
    assert "可能已被改动" in page


def test_the_stored_row_holds_no_personal_data_in_the_clear(client, engine):
    code, person = _signed_pledge(engine)
    row = _raw_row(engine, code)
    assert "text" not in row
    stored = " ".join(str(value) for value in row.values())
    for value in (person["name"], person["id_number"], person["phone"], person["address"]):
        assert value not in stored
    assert row["key_id"] == engine.cipher.current and row["text_enc"].startswith(row["key_id"] + ":")
    assert client.get(f"/pledges/verify/{code}").json()["unaltered"] is True


def test_an_altered_ciphertext_fails_verification_without_an_error(client, engine):
    code, _ = _signed_pledge(engine, signature=_png())
    _flip_ciphertext(engine, code)
    response = client.get(f"/pledges/verify/{code}")
    assert response.status_code == 200
    body = response.json()
    assert body["genuine"] is True and body["unaltered"] is False and body["signature"] == "present"
    page = client.get(f"/pledges/{code}")
    assert page.status_code == 200 and "可能已被改动" in page.text
    pdf = client.get(f"/pledges/{code}.pdf")
    assert pdf.status_code == 409 and "可能已被改动" in pdf.text


def test_unknown_and_malformed_codes(client):
    response = client.get("/pledges/verify/ABCDEFGHJKMN")
    assert response.status_code == 404
    assert response.json()["genuine"] is False
    assert client.get("/pledges/verify/not-a-code!").status_code == 404
    page = client.get("/pledges/ZZZZZZZZZZZZ")
    assert page.status_code == 404 and "未找到承诺书" in page.text
    assert client.get("/pledges/ZZZZZZZZZZZZ.pdf").status_code == 404


def test_printable_page_masks_personal_data(client, engine):
    code, person = _signed_pledge(engine, signature=_png())
    response = client.get(f"/pledges/{code}")
    assert response.status_code == 200
    page = response.text
    assert "基本医疗保险长期异地就医备案个人承诺书" in page
    assert "办理长期异地就医备案到山东省济南市" in page
    for value in person.values():
        assert value not in page
    assert "data:image/png;base64," in page
    assert f"/pledges/{code}.pdf" in page and "@media print" in page


def test_pdf(client, engine):
    code, _ = _signed_pledge(engine, signature=_png())
    response = client.get(f"/pledges/{code}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(f"/pledges/verify/{code}").json()["signature"] == "present"
