"""Demo data for `make run`: staff users of each role (and, with the filing issue, demo insured persons)."""

from __future__ import annotations

from collections.abc import Iterator

from argon2 import PasswordHasher
from sqlmodel import Session, select

from api.settings import Settings
from bot.store.db import make_engine
from bot.store.models import StaffUser

DEMO_STAFF = (
    ("agent", "客服小李", "agent"),
    ("supervisor", "值班长老王", "supervisor"),
    ("policy", "政策组小张", "policy"),
    ("admin", "系统管理员", "admin"),
)


def load_demo(settings: Settings) -> Iterator[str]:
    engine = make_engine(settings.database_url)
    hasher = PasswordHasher()
    with Session(engine) as session:
        for username, display, role in DEMO_STAFF:
            if session.exec(select(StaffUser).where(StaffUser.username == username)).first() is None:
                session.add(
                    StaffUser(
                        username=username,
                        display_name=display,
                        role=role,
                        password_hash=hasher.hash(settings.staff_bootstrap_password),
                    )
                )
                yield f"staff user {username} ({role}) created"
        session.commit()
    engine.dispose()
