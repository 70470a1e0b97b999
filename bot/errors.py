"""Exceptions of the conversation engine.

BotError
├── ContentError        content files missing or invalid (file and entry named)
├── StoreError          the database refused or failed an operation
│   └── DuplicateMessage   a retried inbound message whose first copy is still being handled
└── ChannelError        a channel could not parse, verify or deliver a message
    ├── BadSignature
    ├── StaleRequest
    ├── MalformedMessage
    └── DeliveryFailed  a platform API refused or could not be reached
        └── LoginRefused   WeChat did not accept a mini-program login code
"""


class BotError(Exception):
    """Base of every error raised by bot/."""


class ContentError(BotError):
    """Content data could not be loaded or is inconsistent."""


class StoreError(BotError):
    """A database operation failed."""


class DuplicateMessage(StoreError):
    """The message was already claimed and its answer is not ready yet."""


class ChannelError(BotError):
    """A channel could not handle a request."""


class BadSignature(ChannelError):
    """Signature missing or wrong."""


class StaleRequest(ChannelError):
    """Timestamp outside the accepted window."""


class MalformedMessage(ChannelError):
    """The body is not a message we can read."""


class DeliveryFailed(ChannelError):
    """A message could not be delivered to the platform."""


class LoginRefused(DeliveryFailed):
    """WeChat did not accept the mini-program login code."""
