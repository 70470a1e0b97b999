"""What flows may use besides content: storage, the registry, sealing, SMS and documents, as small typed
protocols (bot/ provides the implementations; tests may swap one, e.g. the SMS gateway). Flows never import
bot/.

`session` and `conversation` are the turn's database session and conversation row, set by the engine for
each message; everything else is built once (bot/filing_wiring.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol


class Sealer(Protocol):
    """Encrypts personal data at rest and hashes it for look-ups (bot/crypto.py DataCipher)."""

    def seal(self, value: str | bytes, field: str) -> str: ...

    def open(self, token: str, field: str) -> str: ...

    def lookup_hash(self, value: str, field: str) -> str: ...


class Registry(Protocol):
    """The insured registry of bot/registry.py, bound to a session."""

    def lookup(self, id_number_hash: str) -> Any: ...

    def matches(self, record: Any, name: str, phone: str) -> bool: ...

    def record(self, person_id: int) -> Any: ...

    def certifications(self, person_id: int) -> Sequence[Any]: ...

    def claims(self, person_id: int) -> Sequence[Any]: ...


class FilingStore(Protocol):
    """bot/store/filings.py: filings, their events and pledges."""

    @property
    def OpenPledgeExists(self) -> type[Exception]: ...  # noqa: N802 - the store's exception class

    def filings_of(self, session: Any, person_id: int) -> Sequence[Any]: ...

    def create_filing(
        self,
        session: Any,
        *,
        person_id: int,
        values: Mapping[str, Any],
        actor: str,
        channel: str,
        at: datetime,
    ) -> Any: ...

    def change_filing(
        self,
        session: Any,
        filing: Any,
        values: Mapping[str, Any],
        *,
        action: str,
        actor: str,
        channel: str,
        at: datetime,
    ) -> Any: ...

    def add_pledge(
        self,
        session: Any,
        cipher: Any,
        *,
        text: str,
        sha256: str,
        filing_id: int,
        person_id: int,
        region: str,
        channel: str,
        account: str,
        signed_at: datetime,
        verify_code: str,
        signature_enc: str | None = None,
    ) -> Any: ...


class PeopleStore(Protocol):
    """bot/store/people.py: insured persons and their bindings to chats."""

    def get_person(self, session: Any, person_id: int) -> Any: ...

    def personal_data(self, cipher: Any, person: Any) -> dict[str, str]: ...

    def bind(self, session: Any, conversation: Any, person: Any) -> Any: ...


class SmsGateway(Protocol):
    def send_code(self, phone: str, code: str) -> str | None: ...


class PledgeDocuments(Protocol):
    """bot/pledge_documents.py: the exact pledge text, its digest and verification codes."""

    def render_pledge_text(
        self,
        renderer_env_or_content_dir: Any,
        region: str,
        person: Mapping[str, Any],
        filing: Mapping[str, Any],
        signed_on: date,
    ) -> str: ...

    def text_digest(self, text: str) -> str: ...

    def new_verify_code(self) -> str: ...


class FilingPolicies(Protocol):
    def on(self, region: str, day: date) -> Any: ...


@dataclass
class Services:
    cipher: Sealer
    people: PeopleStore
    filings: FilingStore
    registry: Callable[[Any], Registry]  # session -> registry
    filing_policies: FilingPolicies
    region_policies: Mapping[str, Any]  # region -> settlement RegionPolicy
    calendar: Any  # settlement WorkCalendar
    id_provinces: Mapping[str, str]
    sms: SmsGateway
    pledge_documents: PledgeDocuments | None
    take_notices: Callable[[Any, int], list[str]] | None
    content_dir: Path
    session: Any = None  # the turn's database session
    conversation: Any = None  # the turn's conversation row
