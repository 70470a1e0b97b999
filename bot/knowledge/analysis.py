"""Text analysis for retrieval: normalised text, synonyms folded to canonical words, weighted tokens."""

from __future__ import annotations

import re

from bot.knowledge.models import Synonyms
from bot.knowledge.normalise import normalise

# Token kinds and their weights. Bigrams carry most of the meaning of Chinese words; single characters
# keep a question findable through typos and voice-to-text slips that break a bigram; trigrams reward
# longer runs matching the question word for word. Calibrated on tests/eval/.
UNIGRAM_WEIGHT = 0.3
BIGRAM_WEIGHT = 1.0
TRIGRAM_WEIGHT = 0.5
WORD_WEIGHT = 1.0  # Latin-script words and numbers

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[0-9]+|[a-z]+")


class Analyser:
    """Turns text into canonical text and weighted tokens, the same way for questions and FAQ variants."""

    def __init__(self, synonyms: Synonyms) -> None:
        mapping = {normalise(word): normalise(canonical) for word, canonical in synonyms.mapping().items()}
        # Canonical words map to themselves so that they, too, win over shorter words inside them
        # (手机上 stays 手机上 although 手机 is a variant of it).
        mapping.update({canonical: canonical for canonical in set(mapping.values())})
        mapping = {word: canonical for word, canonical in mapping.items() if word}
        self._mapping = mapping
        # Longest words first, so 登记备案表 wins over 登记 and 社保卡 over 社保.
        alternatives = sorted(mapping, key=lambda w: (-len(w), w))
        self._pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def canonical(self, text: str) -> str:
        """Normalised text with every synonym replaced by its group's canonical word (one pass)."""
        norm = normalise(text)
        if self._pattern is None:
            return norm
        return self._pattern.sub(lambda m: self._mapping[m[0]], norm)

    @staticmethod
    def tokens(canonical_text: str) -> dict[str, float]:
        """Weighted tokens of canonical text: CJK 1-, 2- and 3-grams, Latin words, numbers."""
        out: dict[str, float] = {}
        for run in _CJK_RUN.findall(canonical_text):
            if not ("\u3400" <= run[0] <= "\u9fff"):
                out[run] = WORD_WEIGHT
                continue
            for i, ch in enumerate(run):
                out.setdefault(ch, UNIGRAM_WEIGHT)
                if i + 2 <= len(run):
                    out[run[i : i + 2]] = BIGRAM_WEIGHT
                if i + 3 <= len(run):
                    out["3:" + run[i : i + 3]] = TRIGRAM_WEIGHT
        return out

    def analyse(self, text: str) -> dict[str, float]:
        """Tokens of raw text."""
        return self.tokens(self.canonical(text))
