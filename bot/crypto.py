"""Personal data at rest: AES-GCM sealing with a key id (for rotation), keyed lookup hashes, masked display.

A sealed value is text `<key_id>:<base64url(nonce || ciphertext+tag)>`; the key id is also stored in its own
column beside the value so a rotation job can find rows still sealed with an old key. The field name is bound
as associated data, so a sealed phone number cannot be passed off as a sealed ID number.

Keys are derived with HKDF-SHA256 from the configured data key (settings.data_key, base64 of 32 bytes): one
for AES-GCM, one for HMAC-SHA256 lookup hashes. Lookup hashes use the *current* key only; rotating the data
key means re-hashing (`DataCipher.rehash`) as well as re-sealing. Nothing here logs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.errors import BotError
from bot.redaction import mask_id_number, mask_phone

_NONCE_BYTES = 12
_SEAL_INFO = b"yibao personal data aes-gcm v1"
_HASH_INFO = b"yibao personal data lookup hmac v1"

__all__ = [
    "CryptoError",
    "DataCipher",
    "mask_id_number",
    "mask_name",
    "mask_phone",
]


class CryptoError(BotError):
    """A key is missing or malformed, or a sealed value was altered or sealed with an unknown key."""


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def _decode_key(value: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CryptoError("the data key must be base64") from exc
    if len(raw) != 32:
        raise CryptoError("the data key must be 32 bytes (base64 of 32 random bytes)")
    return raw


def mask_name(value: str) -> str:
    """张** for 张三丰: the family name kept, the rest starred."""
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""


class DataCipher:
    """Seals and opens personal data; `keys` maps key id to the base64 master key, `current` seals."""

    def __init__(self, keys: Mapping[str, str], current: str) -> None:
        if current not in keys:
            raise CryptoError(f"current key id {current!r} has no key")
        masters = {key_id: _decode_key(value) for key_id, value in keys.items()}
        self.current = current
        self._aead = {key_id: AESGCM(_derive(m, _SEAL_INFO)) for key_id, m in masters.items()}
        self._hash_key = _derive(masters[current], _HASH_INFO)

    @classmethod
    def single(cls, data_key: str, key_id: str) -> DataCipher:
        return cls({key_id: data_key}, key_id)

    def seal(self, value: str | bytes, field: str) -> str:
        data = value.encode("utf-8") if isinstance(value, str) else value
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead[self.current].encrypt(nonce, data, field.encode())
        return f"{self.current}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def open_bytes(self, token: str, field: str) -> bytes:
        key_id, sep, body = token.partition(":")
        if not sep or key_id not in self._aead:
            raise CryptoError("sealed with an unknown key id")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            return self._aead[key_id].decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], field.encode())
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise CryptoError("sealed value altered or not sealed for this field") from exc

    def open(self, token: str, field: str) -> str:
        return self.open_bytes(token, field).decode("utf-8")

    @staticmethod
    def key_id_of(token: str) -> str:
        return token.partition(":")[0]

    def reseal(self, token: str, field: str) -> str:
        """The same value sealed with the current key (rotation)."""
        return (
            token
            if self.key_id_of(token) == self.current
            else self.seal(self.open_bytes(token, field), field)
        )

    def lookup_hash(self, value: str, field: str) -> str:
        """Keyed hash for equality lookups: HMAC-SHA256(field || 0 || normalised value), hex."""
        message = field.encode() + b"\x00" + value.strip().upper().encode("utf-8")
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()

    def rehash(self, token: str, field: str) -> str:
        """The lookup hash of a sealed value under the current key (after rotating the data key)."""
        return self.lookup_hash(self.open(token, field), field)
