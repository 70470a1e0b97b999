"""Builds the services flows use (ctx.services, flows/services.py): cipher, registry, stores, policies, SMS.

Flows never import bot/: they reach storage and adapters only through these names.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from pathlib import Path

import yaml

from bot import pledge_documents
from bot.content.calendar import load_calendar
from bot.content.filing import load_filing_policies
from bot.content.policy import load_policies
from bot.crypto import DataCipher
from bot.errors import ContentError
from bot.registry import embedded_registry_factory
from bot.sms import DemoSms
from bot.store import filings, people
from flows.services import Services


@lru_cache(maxsize=1)
def _ephemeral_key() -> str:
    """A per-process key when none is configured (engine tests); sealed data does not outlive the process."""
    return base64.b64encode(os.urandom(32)).decode()


def make_cipher(data_key: str, data_key_id: str) -> DataCipher:
    if not data_key:
        return DataCipher.single(_ephemeral_key(), "ephemeral")
    return DataCipher.single(data_key, data_key_id or "default")


def _id_provinces(content_dir: Path) -> dict[str, str]:
    path = content_dir / "id_regions.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: {exc}") from exc
    return {str(k): str(v) for k, v in (data.get("provinces") or {}).items()}


def filing_services(content_dir: Path, cipher: DataCipher) -> Services:
    region_policies = load_policies(content_dir)
    return Services(
        cipher=cipher,
        people=people,
        filings=filings,
        registry=embedded_registry_factory(cipher),
        filing_policies=load_filing_policies(content_dir, region_policies),
        region_policies=region_policies,
        calendar=load_calendar(content_dir),
        id_provinces=_id_provinces(content_dir),
        sms=DemoSms(),
        pledge_documents=pledge_documents,
        take_notices=filings.take_notices,
        content_dir=content_dir,
    )
