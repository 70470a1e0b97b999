"""Demo data for `make run`: staff users of each role and demo insured persons with filings and claims.

Demo persons are bound to the web identities `dev-demo1` … `dev-demo5` (log in with POST
/api/v1/auth/dev-login {"user": "demo1"}); their ID numbers are fictional but pass the GB 11643 check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlmodel import Session, select

from api.settings import Settings
from bot.crypto import DataCipher
from bot.filing_wiring import make_cipher
from bot.store import filings, people
from bot.store.db import make_engine
from bot.store.models import Conversation, StaffUser
from flows.filing_rules import add_months
from flows.identity import check_digit

DEMO_STAFF = (
    ("agent", "客服小李", "agent"),
    ("supervisor", "值班长老王", "supervisor"),
    ("policy", "政策组小张", "policy"),
    ("admin", "系统管理员", "admin"),
)


def demo_id_number(first17: str) -> str:
    return first17 + check_digit(first17)


@dataclass(frozen=True)
class DemoPerson:
    user: str  # web identity dev-<user>
    name: str
    first17: str
    phone: str
    region: str
    pooling_region: str
    pooling_region_name: str
    scheme: str
    insured_since: date
    address: str = ""

    @property
    def id_number(self) -> str:
        return demo_id_number(self.first17)


DEMO_PERSONS = (
    # Jilin: an open pledge due within a week, a chronic certification
    DemoPerson(
        "demo1",
        "张伟",
        "22010219580307123",
        "13900000001",
        "jilin",
        "220100",
        "长春市",
        "employee",
        date(1990, 1, 1),
        "吉林省长春市朝阳区人民大街1号",
    ),
    # Jilin, resident scheme: a pledge that lapsed unfulfilled; a claim in processing
    DemoPerson(
        "demo2",
        "李娜",
        "22020219850612234",
        "13900000002",
        "jilin",
        "220200",
        "吉林市",
        "resident",
        date(2015, 1, 1),
        "吉林省吉林市船营区北京路2号",
    ),
    # Jilin, no filings yet: for filing demos
    DemoPerson(
        "demo3",
        "王芳",
        "22010419900815345",
        "13900000003",
        "jilin",
        "220100",
        "长春市",
        "employee",
        date(2012, 7, 1),
        "吉林省长春市南关区解放大路3号",
    ),
    # Dezhou: long-term residence by pledge in Hainan
    DemoPerson(
        "demo4",
        "刘洋",
        "37140219620101456",
        "13900000004",
        "dezhou",
        "371400",
        "德州市",
        "employee",
        date(1985, 1, 1),
        "山东省德州市德城区东风路4号",
    ),
    # Dezhou, resident scheme, nothing filed; a paid claim
    DemoPerson(
        "demo5",
        "陈静",
        "37142519950520567",
        "13900000005",
        "dezhou",
        "371400",
        "德州市",
        "resident",
        date(2016, 1, 1),
        "山东省德州市陵城区5号",
    ),
)


def _filing(session: Session, person_id: int, at: datetime, **values: object) -> None:
    filings.create_filing(
        session, person_id=person_id, values=values, actor="system:demo", channel="demo", at=at
    )


def _history(
    session: Session, person: people.InsuredPerson, demo: DemoPerson, today: date, at: datetime
) -> None:
    assert person.id is not None
    base = {"region": demo.region, "scheme": demo.scheme}
    if demo.user == "demo1":
        start = add_months(today, -6) + timedelta(days=6)  # materials due in 6 days
        _filing(
            session,
            person.id,
            at,
            **base,
            kind="long_term",
            pledge=True,
            place_role="household",
            destination_code="460000",
            destination_name="海南省",
            destination_province="海南省",
            destination_level="province",
            cross_province=True,
            valid_from=start,
            valid_to=add_months(start, 6),
            materials_due=add_months(start, 6),
        )
        people.add_certification(
            session,
            person_id=person.id,
            kind="chronic",
            condition="高血压",
            place="海南省",
            valid_from=date(2024, 3, 1),
        )
    elif demo.user == "demo2":
        start = add_months(today, -8)
        _filing(
            session,
            person.id,
            at,
            **base,
            kind="long_term",
            pledge=True,
            place_role="residence",
            destination_code="110000",
            destination_name="北京市",
            destination_province="北京市",
            destination_level="city",
            cross_province=True,
            valid_from=start,
            valid_to=add_months(start, 6),
            materials_due=add_months(start, 6),
        )
        people.add_claim(
            session,
            person_id=person.id,
            reference="JL-DEMO-0002",
            place="北京市",
            treated_on=today - timedelta(days=40),
            submitted_on=today - timedelta(days=12),
            materials_complete_on=today - timedelta(days=10),
            status="processing",
            amount_cents=1_286_050,
        )
        people.add_certification(
            session,
            person_id=person.id,
            kind="dual_channel",
            condition="恶性肿瘤门诊放化疗",
            place="吉林市",
            valid_from=date(2025, 9, 1),
            valid_to=date(2027, 8, 31),
        )
    elif demo.user == "demo4":
        _filing(
            session,
            person.id,
            at,
            **base,
            kind="long_term",
            pledge=True,
            destination_code="460000",
            destination_name="海南省",
            destination_province="海南省",
            destination_level="province",
            cross_province=True,
            valid_from=date(2025, 11, 1),
        )
    elif demo.user == "demo5":
        people.add_claim(
            session,
            person_id=person.id,
            reference="DZ-DEMO-0005",
            place="北京市",
            treated_on=today - timedelta(days=90),
            submitted_on=today - timedelta(days=70),
            materials_complete_on=today - timedelta(days=70),
            status="paid",
            amount_cents=352_000,
            paid_on=today - timedelta(days=45),
        )


def seed_insured(session: Session, cipher: DataCipher, today: date, at: datetime) -> Iterator[str]:
    """Demo insured persons, their filings, certifications and claims, bound to dev-<user>; idempotent."""
    for demo in DEMO_PERSONS:
        if people.find_by_id_number(session, cipher, demo.id_number) is not None:
            continue
        person = people.create_person(
            session,
            cipher,
            name=demo.name,
            id_number=demo.id_number,
            phone=demo.phone,
            region=demo.region,
            pooling_region=demo.pooling_region,
            pooling_region_name=demo.pooling_region_name,
            scheme=demo.scheme,
            insured_since=demo.insured_since,
            address=demo.address,
        )
        _history(session, person, demo, today, at)
        conversation = session.exec(
            select(Conversation).where(
                Conversation.channel == "web",
                Conversation.account == "web",
                Conversation.user_key == f"dev-{demo.user}",
            )
        ).first() or Conversation(
            channel="web", account="web", user_key=f"dev-{demo.user}", region=demo.region
        )
        session.add(conversation)
        session.flush()
        people.bind(session, conversation, person)
        masked = person.id_number_masked
        yield f"insured person {masked} ({demo.region}, {demo.scheme}) bound to dev-{demo.user}"


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
        now = datetime.now(ZoneInfo("Asia/Shanghai"))
        yield from seed_insured(
            session, make_cipher(settings.data_key, settings.data_key_id), now.date(), now
        )
        session.commit()
    engine.dispose()
