"""Exceptions of the knowledge package (FAQ retrieval, coverage, evaluation).

BotError                      (bot/errors.py)
├── ContentError              content files missing or invalid: raised by bot/content/faq.py
└── KnowledgeError            the knowledge index was asked something it cannot do
    ├── UnknownRegion         search for a region the index was not built with
    └── EvalSetError          an evaluation set file is missing or malformed
"""

from bot.errors import BotError


class KnowledgeError(BotError):
    """Base of errors raised by bot/knowledge/."""


class UnknownRegion(KnowledgeError):
    """The index holds no FAQ for this region."""


class EvalSetError(KnowledgeError):
    """An evaluation set could not be read."""
