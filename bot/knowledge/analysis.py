"""Text analysis for retrieval: normalised text, synonyms folded to canonical words, weighted tokens."""

from __future__ import annotations

import functools
import logging
import re

import jieba
from pypinyin import Style, lazy_pinyin

from bot.knowledge.models import Synonyms
from bot.knowledge.normalise import normalise

# Token kinds and their weights, calibrated on the ranking set. Words (jieba, with every canonical synonym
# in its
# dictionary) carry the meaning. Character bigrams of each Chinese run let 异地 match 长期异地 and survive
# segmentation slips, but weigh less: those crossing a word boundary ("以异" in 可以异地) are rare, hence
# heavy in BM25, and mean little. Single characters keep a question findable through typos and
# voice-to-text slips that break a word.
WORD_WEIGHT = 1.0
BIGRAM_WEIGHT = 0.6
CHAR_WEIGHT = 0.2
# Toneless pinyin of adjacent characters: voice-to-text slips are homophones (被案 for 备案, 报效 for 报销),
# so the sound still matches when the characters do not.
PINYIN_WEIGHT = 0.3

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[0-9]+|[a-z]+")
# jieba logs its dictionary loading at INFO on the root of its own logger; keep it quiet.
jieba.setLogLevel(logging.WARNING)


@functools.cache
def _base_dictionary() -> tuple[dict[str, int], int]:
    """jieba's word frequencies, loaded once per process (loading takes about a second)."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer.FREQ, tokenizer.total


def _segmenter(words: set[str]) -> jieba.Tokenizer:
    """A jieba tokenizer of its own, on a copy of the base dictionary plus these words."""
    freq, total = _base_dictionary()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(freq), total, True
    for word in sorted(words):
        tokenizer.add_word(word, freq=100_000)
    return tokenizer


@functools.cache
def _sound(character: str) -> str:
    """Toneless pinyin of one character (its most common reading: the same on both sides of a match)."""
    return lazy_pinyin(character, style=Style.NORMAL)[0]


SOUND_MARK = "_"  # joins the two syllables of a pinyin token; no other token contains it


def is_sound(token: str) -> bool:
    """Whether a token is a pinyin (sound) token: it adds to a match but is not owed by the question."""
    return SOUND_MARK in token


def _is_cjk(text: str) -> bool:
    return "\u3400" <= text[0] <= "\u9fff"


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
        self._stopwords = frozenset(normalise(word) for word in synonyms.stopwords)
        self._segmenter = _segmenter(
            {word for word in set(mapping.values()) if _RUN.fullmatch(word) and _is_cjk(word)}
        )

    def canonical(self, text: str) -> str:
        """Normalised text with every synonym replaced by its group's canonical word (one pass)."""
        norm = normalise(text)
        if self._pattern is None:
            return norm
        return self._pattern.sub(lambda m: self._mapping[m[0]], norm)

    def runs(self, canonical_text: str) -> list[list[str]]:
        """Content words of canonical text, per run: jieba words of Chinese runs without stopwords,
        Latin words and numbers as they are."""
        out: list[list[str]] = []
        for segment in canonical_text.split():
            words: list[str] = []
            for run in _RUN.findall(segment):
                if _is_cjk(run):
                    cut = self._segmenter.lcut(run, HMM=False)  # no guessed words: same cut every time
                    words += [word for word in cut if word not in self._stopwords]
                elif run not in self._stopwords:
                    words.append(run)
            if words:
                out.append(words)
        return out

    def stripped(self, canonical_text: str) -> str:
        """Canonical text without stopwords (请问, 帮, 我, 吗 …), runs separated by spaces."""
        return " ".join("".join(words) for words in self.runs(canonical_text))

    def tokens(self, canonical_text: str) -> dict[str, float]:
        """Weighted tokens of canonical text: words, character bigrams, single characters."""
        out: dict[str, float] = {}

        def put(token: str, weight: float) -> None:
            if out.get(token, 0.0) < weight:
                out[token] = weight

        for words in self.runs(canonical_text):
            chinese = "".join(word for word in words if _is_cjk(word))
            sounds = [_sound(ch) for ch in chinese] if PINYIN_WEIGHT else []
            for i, ch in enumerate(chinese):
                put(ch, CHAR_WEIGHT)
                if i + 1 < len(chinese):
                    put(chinese[i : i + 2], BIGRAM_WEIGHT)
                    if PINYIN_WEIGHT:
                        put(f"{sounds[i]}{SOUND_MARK}{sounds[i + 1]}", PINYIN_WEIGHT)
            for word in words:
                if len(word) > 1 or not _is_cjk(word):
                    put(word, WORD_WEIGHT)
        return out

    def analyse(self, text: str) -> dict[str, float]:
        """Tokens of raw text."""
        return self.tokens(self.canonical(text))
