"""Settings: validated at start-up from YIBAO_ environment variables and a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

# Demo values, published in the README so any WeChat simulator can talk to `make run`.
DEMO_TOKEN = "yibao-demo"
DEMO_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
DEMO_SECRET_KEY = "demo-secret-key-not-for-production"
DEMO_DATA_KEY = "ZGVtby1kYXRhLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="  # base64 of 32 demo bytes
DEMO_STAFF_PASSWORD = "demo-staff"


class WeChatAccount(BaseModel):
    """One official account served by this deployment, bound to a region pack."""

    name: str
    region: str
    app_id: str
    token: str
    aes_key: str | None = None
    app_secret: str = ""


def _demo_accounts() -> list[WeChatAccount]:
    return [
        WeChatAccount(
            name="jilin",
            region="jilin",
            app_id="wxdemojilin000001",
            token=DEMO_TOKEN,
            aes_key=DEMO_AES_KEY,
            app_secret="demo-app-secret-jilin",
        ),
        WeChatAccount(
            name="dezhou",
            region="dezhou",
            app_id="wxdemodezhou00001",
            token=DEMO_TOKEN,
            aes_key=DEMO_AES_KEY,
            app_secret="demo-app-secret-dezhou",
        ),
    ]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="YIBAO_", env_file=".env", env_nested_delimiter="__", extra="ignore"
    )

    env: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'yibao.db'}"
    redis_url: str | None = None
    secret_key: str = DEMO_SECRET_KEY
    data_key: str = DEMO_DATA_KEY
    data_key_id: str = "demo-1"
    content_dir: Path = ROOT / "content"
    default_region: str = "jilin"
    wechat_accounts: list[WeChatAccount] = Field(default_factory=_demo_accounts)
    wechat_api_base: str = "https://api.weixin.qq.com/cgi-bin/"
    miniprogram_app_id: str = "wxdemominiapp0001"
    miniprogram_secret: str = "demo-miniprogram-secret"
    public_base_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 64 * 1024
    timestamp_tolerance_seconds: int = 300
    reply_budget_seconds: float = 4.0
    token_max_age_seconds: int = 7 * 24 * 3600
    staff_bootstrap_password: str = DEMO_STAFF_PASSWORD
    log_level: str = "INFO"
    sms_gateway_url: str | None = None  # unset: the demo gateway shows the code on screen (development only)
    sms_gateway_token: str = ""

    @model_validator(mode="after")
    def _refuse_demo_secrets_in_production(self) -> Settings:
        if self.env != "production":
            return self
        demo = []
        if self.secret_key == DEMO_SECRET_KEY:
            demo.append("YIBAO_SECRET_KEY")
        if self.data_key == DEMO_DATA_KEY:
            demo.append("YIBAO_DATA_KEY")
        if self.staff_bootstrap_password == DEMO_STAFF_PASSWORD:
            demo.append("YIBAO_STAFF_BOOTSTRAP_PASSWORD")
        if self.miniprogram_secret.startswith("demo-"):
            demo.append("YIBAO_MINIPROGRAM_SECRET")
        for account in self.wechat_accounts:
            if (
                account.token == DEMO_TOKEN
                or account.aes_key == DEMO_AES_KEY
                or account.app_secret.startswith("demo-")
            ):
                demo.append(f"YIBAO_WECHAT_ACCOUNTS ({account.name})")
        if not self.sms_gateway_url:
            demo.append("YIBAO_SMS_GATEWAY_URL (the demo shows verification codes on screen)")
        if demo:
            raise ValueError("production refuses demo secrets: set " + ", ".join(demo))
        if self.database_url.startswith("sqlite"):
            raise ValueError("production needs YIBAO_DATABASE_URL=postgresql+psycopg://...")
        return self

    def account(self, name: str) -> WeChatAccount | None:
        return next((a for a in self.wechat_accounts if a.name == name), None)


@lru_cache
def get_settings() -> Settings:
    return Settings()
