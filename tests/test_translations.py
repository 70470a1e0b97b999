"""Every fixed string in templates, choice sets and institution kinds has an English translation."""

from __future__ import annotations

from pathlib import Path

import yaml
from babel.messages.extract import extract_from_dir

from bot.rendering import load_translations
from tests.conftest import CONTENT

ROOT = Path(__file__).resolve().parent.parent


def _template_msgids() -> set[str]:
    method_map = [("**.j2", "jinja2"), ("**.html", "jinja2")]
    options = {
        "**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"},
        "**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"},
    }
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(CONTENT / "templates"), method_map=method_map, options_map=options
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _choice_labels() -> set[str]:
    data = yaml.safe_load((CONTENT / "choices.yaml").read_text(encoding="utf-8"))
    labels = {option["label"] for options in data.values() for option in options}
    for pack in (CONTENT / "regions").iterdir():
        institutions = pack / "institutions.yaml"
        if institutions.exists():
            labels |= {kind["label"] for kind in yaml.safe_load(institutions.read_text("utf-8"))["kinds"]}
    return labels


def test_every_template_string_and_choice_label_has_english():
    english = load_translations(CONTENT / "translations", "en")
    missing = sorted(m for m in _template_msgids() | _choice_labels() if english.gettext(m) == m)
    assert missing == []
