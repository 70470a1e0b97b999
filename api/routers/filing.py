"""Filing endpoints: the handwritten signature of a pledge, drawn on the web chat's canvas."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from api.deps import EngineDep, SessionDep, WebUser
from bot.store import filings, people

router = APIRouter(prefix="/api/v1", tags=["filing"])

MAX_SIGNATURE_BYTES = 40 * 1024  # decoded PNG; the data URL must also fit the request body limit
_PREFIX = "data:image/png;base64,"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIGNATURE_FIELD = "signature"  # associated data the PNG is sealed under (bot.pledge_documents opens it)


class SignatureIn(BaseModel):
    image: str = Field(description="PNG data URL (data:image/png;base64,...)", max_length=60 * 1024)


class SignatureOut(BaseModel):
    filing_id: int
    verify_code: str
    signed: bool


def _png(data_url: str) -> bytes:
    if not data_url.startswith(_PREFIX):
        raise HTTPException(status_code=422, detail="expected a PNG data URL")
    try:
        png = base64.b64decode(data_url[len(_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HTTPException(status_code=422, detail="invalid base64") from exc
    if not png.startswith(_PNG_MAGIC):
        raise HTTPException(status_code=422, detail="not a PNG image")
    if len(png) > MAX_SIGNATURE_BYTES:
        raise HTTPException(status_code=413, detail="signature image too large")
    return png


@router.post("/pledges/{filing_id}/signature", response_model=SignatureOut)
def sign_pledge(
    filing_id: int, body: SignatureIn, user: WebUser, engine: EngineDep, session: SessionDep
) -> SignatureOut:
    """Attach the signature drawn on the canvas to the person's own pledge; stored encrypted, once."""
    png = _png(body.image)
    pledge = filings.pledge_of(session, filing_id)
    person_id = people.person_for_identity(session, user["channel"], "web", user["user_key"])
    if pledge is None or person_id is None or pledge.person_id != person_id:
        raise HTTPException(status_code=404, detail="no such pledge of yours")
    cipher = engine.cipher
    if not filings.attach_signature(session, pledge, cipher.seal(png, SIGNATURE_FIELD), cipher.current):
        raise HTTPException(status_code=409, detail="this pledge is already signed")
    session.commit()
    return SignatureOut(filing_id=filing_id, verify_code=pledge.verify_code, signed=True)
