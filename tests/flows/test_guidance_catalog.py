"""Every fixed string of the guidance templates and institution kinds has English in guidance.po."""

from __future__ import annotations

import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.conftest import CONTENT

FOLDERS = ("filing_guide", "materials", "institutions")
OPTIONS = {"**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}}


def _msgids() -> set[str]:
    found: set[str] = set()
    for folder in FOLDERS:
        for _f, _l, message, _c, _x in extract_from_dir(
            str(CONTENT / "templates" / folder), method_map=[("**.j2", "jinja2")], options_map=OPTIONS
        ):
            found.add(message if isinstance(message, str) else message[0])
    for region in ("jilin", "dezhou"):
        data = yaml.safe_load((CONTENT / "regions" / region / "institutions.yaml").read_text("utf-8"))
        found |= {kind["label"] for kind in data["kinds"]}
    return found


def test_guidance_catalog_is_complete():
    with (CONTENT / "translations" / "en" / "LC_MESSAGES" / "guidance.po").open("rb") as handle:
        catalog = read_po(handle, locale="en")
    missing = sorted(m for m in _msgids() if not (catalog.get(m) and catalog.get(m).string))
    assert missing == []
