"""Pledge documents: the region's pledge text rendered with the person's data, its digest, verify codes,
masked views, the printable HTML page and the PDF (reportlab's built-in CJK font STSong-Light).

The text a person confirms is stored verbatim but sealed (AES-GCM, bot.store.filings.add_pledge), with the
SHA-256 of the plain text; `verify` recomputes the digest over the opened text, so any later change shows.
Views shown to others mask personal data. Templates: content/regions/<region>/pledge/<filing kind>.j2, else
long_term.j2.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound

from bot.crypto import mask_name
from bot.errors import BotError, ContentError
from bot.redaction import mask_id_number, mask_phone, redact
from bot.rendering import cn_date

# Verify codes: 12 characters from A–Z and 2–9 without the look-alikes I, L, O (0 and 1 are not used).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
CODE_PATTERN = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
SIGNATURE_FIELD = "signature"  # the associated-data field name the signature PNG is sealed under
_PROVINCE_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$")


class PledgeDocumentError(BotError):
    """A pledge document could not be produced (template error, unreadable signature image, PDF failure)."""


# ---- text ----------------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _text_env(regions_dir: str) -> Environment:
    env = Environment(  # noqa: S701 - plain text, never HTML
        loader=FileSystemLoader(regions_dir),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["cn_date"] = cn_date
    return env


def form_blanks(filing: Mapping[str, Any]) -> dict[str, str]:
    """The place as written into a paper form's "___省___市" blanks, and as one phrase."""
    name = str(filing.get("destination_name") or "")
    province_name = str(filing.get("destination_province") or name)
    province = _PROVINCE_SUFFIX.sub("", province_name) or province_name
    if name == province_name:  # municipality or province-level place (海南, 西藏, 兵团)
        city = province if name.endswith("市") else "/"
        place = name
    else:
        city = name[:-1] if name.endswith("市") else name
        place = f"{province_name}{name}"
    return {"province": province, "city": city, "place": place}


def render_pledge_text(
    renderer_env_or_content_dir: Environment | Path | str,
    region: str,
    person: Mapping[str, Any],
    filing: Mapping[str, Any],
    signed_on: date,
) -> str:
    """The exact pledge text for this person and filing; what is returned is what gets signed and hashed.

    `renderer_env_or_content_dir`: the content directory, or a jinja2 Environment whose loader sees
    `<region>/pledge/*.j2` (tests). Lines end with "\\n", no trailing whitespace, one final newline.
    """
    if isinstance(renderer_env_or_content_dir, Environment):
        env = renderer_env_or_content_dir
    else:
        env = _text_env(str(Path(renderer_env_or_content_dir) / "regions"))
    kind = str(filing.get("kind") or "long_term")
    try:
        template = env.select_template([f"{region}/pledge/{kind}.j2", f"{region}/pledge/long_term.j2"])
    except TemplateNotFound as exc:
        raise ContentError(f"region {region} has no pledge template") from exc
    try:
        text = template.render(person=person, filing=filing, signed_on=signed_on, blank=form_blanks(filing))
    except TemplateError as exc:
        raise PledgeDocumentError(f"pledge template of {region}: {exc}") from exc
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return "\n".join(lines) + "\n"


def text_digest(text: str) -> str:
    """SHA-256 of the UTF-8 text, lower-case hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify(pledge_text: str, stored_sha256: str) -> bool:
    """True when the text is exactly the one whose digest was stored at signing."""
    return hmac.compare_digest(text_digest(pledge_text), stored_sha256.strip().lower())


def new_verify_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str | None:
    """The code in canonical form, or None when it cannot be one of ours."""
    canonical = code.strip().upper().replace("-", "").replace(" ", "")
    return canonical if CODE_PATTERN.match(canonical) else None


def masked_text(text: str, person: Mapping[str, str] | None = None) -> str:
    """The pledge text for others to see: the person's name, ID, phone and address masked where known,
    and any other ID or phone number masked by pattern."""
    if person:
        maskers = {
            "id_number": mask_id_number,
            "phone": mask_phone,
            "address": lambda v: v[:6] + "****" if len(v) > 6 else "****",
            "name": mask_name,
        }
        for field, masker in maskers.items():
            value = str(person.get(field) or "")
            if value:
                text = text.replace(value, masker(value))
    return redact(text)


# ---- printable page ------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _page_env(templates_dir: str) -> Environment:
    return Environment(
        loader=FileSystemLoader(templates_dir),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(content_dir: Path | str, template: str, context: Mapping[str, Any]) -> str:
    """An HTML page from content/templates/pledge/<template>.html.j2 (autoescaped)."""
    env = _page_env(str(Path(content_dir) / "templates"))
    try:
        return env.get_template(f"pledge/{template}.html.j2").render(**context)
    except TemplateNotFound as exc:
        raise ContentError(f"template not found: pledge/{template}.html.j2") from exc


def png_data_uri(png: bytes | None) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else ""


# ---- PDF -----------------------------------------------------------------------------------------------
_FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))


def pledge_pdf(
    text: str,
    signature_png: bytes | None,
    verify_code: str,
    verify_url: str,
    *,
    signed_at: datetime | None = None,
) -> bytes:
    """An A4 PDF of the pledge: title, the text as signed, the drawn signature if any, and a footer with the
    verify code, the verify address and its QR code."""
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer

    _register_font()
    title_style = ParagraphStyle("title", fontName=_FONT, fontSize=16, leading=24, alignment=TA_CENTER)
    body_style = ParagraphStyle("body", fontName=_FONT, fontSize=11.5, leading=20, wordWrap="CJK")
    small_style = ParagraphStyle("small", fontName=_FONT, fontSize=9, leading=13, wordWrap="CJK")
    lines = text.strip().splitlines()
    title, body = (lines[0], lines[1:]) if lines else ("", [])
    story: list[Any] = [Paragraph(escape(title), title_style), Spacer(1, 6 * mm)]
    for line in body:
        story.append(Paragraph(escape(line), body_style) if line.strip() else Spacer(1, 3 * mm))
    if signature_png:
        try:
            image = Image(BytesIO(signature_png))
        except (OSError, ValueError) as exc:
            raise PledgeDocumentError("the signature image is not a readable PNG") from exc
        ratio = image.imageHeight / image.imageWidth if image.imageWidth else 0.4
        image.drawWidth, image.drawHeight = 50 * mm, 50 * mm * ratio
        image.hAlign = "LEFT"
        story += [Spacer(1, 4 * mm), image]
    qr = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 26 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    drawing.hAlign = "LEFT"
    when = f"  签署时间 Signed: {signed_at:%Y-%m-%d %H:%M}" if signed_at else ""
    story += [
        Spacer(1, 8 * mm),
        Paragraph(escape(f"验证码 Verification code: {verify_code}{when}"), small_style),
        Paragraph(escape(f"验证地址 Verify at: {verify_url}"), small_style),
        Spacer(1, 2 * mm),
        drawing,
    ]
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=22 * mm,
        bottomMargin=20 * mm,
        title=title,
        author="yibao",
        subject=f"pledge {verify_code}",
    )
    document.build(story)
    return buffer.getvalue()
