"""Small helpers the slot readers share: a search that skips negated words ("没转诊", "没有居住证")."""

from __future__ import annotations

import re

# A word right after one of these is denied, not said.
_NEGATION = re.compile(r"(?:没有|没|未|不是|不想|不用|不要|不|别|无|非)(?:用|要|办|走|签|做)?\s*$")


def said(pattern: re.Pattern[str], clean: str) -> re.Match[str] | None:
    """The first match of `pattern` in `clean` that is not negated just before it."""
    for match in pattern.finditer(clean):
        if not _NEGATION.search(clean[max(0, match.start() - 4) : match.start()]):
            return match
    return None
