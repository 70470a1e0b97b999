"""Signed pledges by verification code: is it genuine and unaltered (JSON), the printable page, the PDF."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from api.deps import EngineDep, SessionDep, SettingsDep
from bot import pledge_documents as documents
from bot.crypto import CryptoError
from bot.engine import Engine
from bot.store import filings, people
from bot.store.filing_models import Pledge

log = logging.getLogger("yibao.pledges")
router = APIRouter(prefix="/pledges", tags=["pledges"])


class PledgeVerification(BaseModel):
    """What anyone holding a verification code may learn about a pledge: never the personal data."""

    code: str
    genuine: bool  # a pledge with this code was issued by this system
    unaltered: bool  # its stored text still has the digest recorded at signing
    signature: str  # present | absent | altered (the sealed image fails its authentication)
    region: str | None = None
    signed_at: str | None = None
    masked_name: str = ""


def _find(session: Any, code: str) -> tuple[str, Pledge | None]:
    canonical = documents.normalise_code(code)
    if canonical is None:
        return code.strip().upper()[:40], None
    return canonical, filings.get_pledge_by_code(session, canonical)


def _person(session: Any, engine: Engine, pledge: Pledge) -> dict[str, str] | None:
    """The signer's data opened for masking, or None when it cannot be (no key, missing person)."""
    cipher = engine.cipher
    row = people.get_person(session, pledge.person_id)
    if cipher is None or row is None:
        return None
    try:
        return people.personal_data(cipher, row)
    except CryptoError:
        log.warning("pledge signer data cannot be opened", extra={"pledge_id": pledge.id})
        return None


def _text(engine: Engine, pledge: Pledge) -> str | None:
    """The signed text opened; None when it cannot be (no key, sealed text altered), shown as altered."""
    cipher = engine.cipher
    if cipher is None:
        return None
    try:
        return filings.pledge_text(cipher, pledge)
    except CryptoError:
        log.warning("pledge text cannot be opened", extra={"pledge_id": pledge.id})
        return None


def _unaltered(text: str | None, pledge: Pledge) -> bool:
    return text is not None and documents.verify(text, pledge.sha256)


def _signature(engine: Engine, pledge: Pledge) -> tuple[str, bytes | None]:
    if not pledge.signature_enc:
        return "absent", None
    cipher = engine.cipher
    if cipher is None:
        return "altered", None
    try:
        return "present", cipher.open_bytes(pledge.signature_enc, documents.SIGNATURE_FIELD)
    except CryptoError:
        return "altered", None


def _verify_url(settings: Any, code: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/pledges/verify/{code}"


@router.get("/verify/{code}", response_model=PledgeVerification)
def verify_pledge(code: str, session: SessionDep, engine: EngineDep) -> Any:
    canonical, pledge = _find(session, code)
    if pledge is None:
        body = PledgeVerification(code=canonical, genuine=False, unaltered=False, signature="absent")
        return JSONResponse(body.model_dump(), status_code=404)
    person = _person(session, engine, pledge)
    return PledgeVerification(
        code=canonical,
        genuine=True,
        unaltered=_unaltered(_text(engine, pledge), pledge),
        signature=_signature(engine, pledge)[0],
        region=pledge.region,
        signed_at=pledge.signed_at.isoformat(),
        masked_name=documents.mask_name(person["name"]) if person else "",
    )


def _not_found(engine: Engine, code: str) -> HTMLResponse:
    page = documents.render_page(engine.content.root, "not_found", {"code": code})
    return HTMLResponse(page, status_code=404)


@router.get("/{code}.pdf", response_class=Response)
def pledge_pdf(code: str, session: SessionDep, engine: EngineDep, settings: SettingsDep) -> Response:
    canonical, pledge = _find(session, code)
    if pledge is None:
        return _not_found(engine, canonical)
    plain = _text(engine, pledge)
    if plain is None:  # nothing to print: the page says the text is not the one signed
        return _page(session, engine, settings, canonical, pledge, plain, status_code=409)
    text = documents.masked_text(plain, _person(session, engine, pledge))
    _, signature = _signature(engine, pledge)
    pdf = documents.pledge_pdf(
        text, signature, canonical, _verify_url(settings, canonical), signed_at=pledge.signed_at
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="pledge-{canonical}.pdf"'},
    )


@router.get("/{code}", response_class=HTMLResponse)
def pledge_page(code: str, session: SessionDep, engine: EngineDep, settings: SettingsDep) -> HTMLResponse:
    canonical, pledge = _find(session, code)
    if pledge is None:
        return _not_found(engine, canonical)
    return _page(session, engine, settings, canonical, pledge, _text(engine, pledge))


def _page(
    session: Any,
    engine: Engine,
    settings: Any,
    canonical: str,
    pledge: Pledge,
    plain: str | None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """The printable page, personal data masked; a text that cannot be opened shows empty and altered."""
    text = documents.masked_text(plain, _person(session, engine, pledge)) if plain is not None else ""
    title, _, body = text.partition("\n")
    _, signature = _signature(engine, pledge)
    page = documents.render_page(
        engine.content.root,
        "page",
        {
            "title": title,
            "body": body.strip("\n"),
            "code": canonical,
            "signed_at": pledge.signed_at.strftime("%Y-%m-%d %H:%M"),
            "channel": pledge.channel,
            "unaltered": _unaltered(plain, pledge),
            "signature": documents.png_data_uri(signature),
            "verify_url": _verify_url(settings, canonical),
            "pdf_url": f"/pledges/{canonical}.pdf",
        },
    )
    return HTMLResponse(page, status_code=status_code)
