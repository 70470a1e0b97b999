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
from flows.dates import add_months
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
class DemoPledge:
    """A long-term filing by pledge; `valid_from` is fixed or counted back from today."""

    destination: tuple[str, str, str]  # code, name (also the province), level
    place_role: str | None = None
    months_ago: int = 0
    days_later: int = 0
    valid_from: date | None = None
    term_months: int | None = None  # sets valid_to and materials_due

    def values(self, today: date) -> dict[str, object]:
        code, name, level = self.destination
        start = self.valid_from or add_months(today, -self.months_ago) + timedelta(days=self.days_later)
        values: dict[str, object] = {"kind": "long_term", "pledge": True}
        if self.place_role is not None:
            values["place_role"] = self.place_role
        values |= {
            "destination_code": code,
            "destination_name": name,
            "destination_province": name,
            "destination_level": level,
            "cross_province": True,
            "valid_from": start,
        }
        if self.term_months is not None:
            values["valid_to"] = values["materials_due"] = add_months(start, self.term_months)
        return values


@dataclass(frozen=True)
class DemoClaim:
    """A reimbursement claim; dates are days before today."""

    reference: str
    place: str
    treated: int
    submitted: int
    materials_complete: int
    status: str
    amount_cents: int
    paid: int | None = None

    def values(self, today: date) -> dict[str, object]:
        values: dict[str, object] = {
            "reference": self.reference,
            "place": self.place,
            "treated_on": today - timedelta(days=self.treated),
            "submitted_on": today - timedelta(days=self.submitted),
            "materials_complete_on": today - timedelta(days=self.materials_complete),
            "status": self.status,
            "amount_cents": self.amount_cents,
        }
        if self.paid is not None:
            values["paid_on"] = today - timedelta(days=self.paid)
        return values


@dataclass(frozen=True)
class DemoCertification:
    kind: str
    condition: str
    place: str
    valid_from: date
    valid_to: date | None = None

    def values(self) -> dict[str, object]:
        values: dict[str, object] = {
            "kind": self.kind,
            "condition": self.condition,
            "place": self.place,
            "valid_from": self.valid_from,
        }
        if self.valid_to is not None:
            values["valid_to"] = self.valid_to
        return values


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
    pledge: DemoPledge | None = None
    claim: DemoClaim | None = None
    certification: DemoCertification | None = None

    @property
    def id_number(self) -> str:
        return demo_id_number(self.first17)


_HAINAN = ("460000", "海南省", "province")
_BEIJING = ("110000", "北京市", "city")

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
        pledge=DemoPledge(_HAINAN, "residence", months_ago=6, days_later=6, term_months=6),  # due in 6 days
        certification=DemoCertification("chronic", "高血压", "海南省", date(2024, 3, 1)),
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
        pledge=DemoPledge(_BEIJING, "residence", months_ago=8, term_months=6),
        claim=DemoClaim("JL-DEMO-0002", "北京市", 40, 12, 10, "processing", 1_286_050),
        certification=DemoCertification(
            "dual_channel", "恶性肿瘤门诊放化疗", "吉林市", date(2025, 9, 1), date(2027, 8, 31)
        ),
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
        pledge=DemoPledge(_HAINAN, valid_from=date(2025, 11, 1)),
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
        claim=DemoClaim("DZ-DEMO-0005", "北京市", 90, 70, 70, "paid", 352_000, paid=45),
    ),
)


def create_insured(session: Session, cipher: DataCipher, demo: DemoPerson) -> people.InsuredPerson:
    """The insured person `demo` describes, stored (not bound, no history)."""
    return people.create_person(
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


def _history(
    session: Session, person: people.InsuredPerson, demo: DemoPerson, today: date, at: datetime
) -> None:
    """The filing, claim and certification `demo` lists, in that order."""
    assert person.id is not None
    if demo.pledge is not None:
        values = {"region": demo.region, "scheme": demo.scheme, **demo.pledge.values(today)}
        filings.create_filing(
            session, person_id=person.id, values=values, actor="system:demo", channel="demo", at=at
        )
    if demo.claim is not None:
        people.add_claim(session, person_id=person.id, **demo.claim.values(today))
    if demo.certification is not None:
        people.add_certification(session, person_id=person.id, **demo.certification.values())


def seed_insured(session: Session, cipher: DataCipher, today: date, at: datetime) -> Iterator[str]:
    """Demo insured persons, their filings, certifications and claims, bound to dev-<user>; idempotent."""
    for demo in DEMO_PERSONS:
        if people.find_by_id_number(session, cipher, demo.id_number) is not None:
            continue
        person = create_insured(session, cipher, demo)
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
