"""Settings: development runs on the demo configuration; production refuses demo secrets and SQLite."""

import pytest
from pydantic import ValidationError

from api.settings import Settings


def test_development_defaults_serve_both_demo_accounts():
    settings = Settings(env="development")
    assert {a.name: a.region for a in settings.wechat_accounts} == {"jilin": "jilin", "dezhou": "dezhou"}
    assert settings.account("jilin").app_id == "wxdemojilin000001"


def test_production_refuses_demo_secrets():
    with pytest.raises(ValidationError) as error:
        Settings(env="production", database_url="postgresql+psycopg://db/yibao")
    assert "YIBAO_SECRET_KEY" in str(error.value)


def test_production_refuses_sqlite(monkeypatch):
    with pytest.raises(ValidationError) as error:
        Settings(
            env="production",
            secret_key="s" * 40,
            data_key="k" * 44,
            staff_bootstrap_password="p" * 20,
            miniprogram_secret="real",
            wechat_accounts=[],
            sms_gateway_url="https://sms.gateway.invalid/send",
        )
    assert "postgresql" in str(error.value)


def test_production_needs_a_real_sms_gateway():
    with pytest.raises(ValidationError) as error:
        Settings(env="production", database_url="postgresql+psycopg://db/yibao")
    assert "YIBAO_SMS_GATEWAY_URL" in str(error.value)
