"""Whole filing conversations over POST /wechat/{account}: bind, filings of each kind, a signed pledge and its
verification, refusals with their rule, cancel and refile, abandon and resume, an FAQ question in the middle.

Every message is a real WeChat text message (unique MsgId) built and signed with wechatpy's own crypto, in
safe mode or plaintext; a long answer's rest reaches the local fake WeChat API as customer-service messages.
"""

from __future__ import annotations

import base64
import itertools
import random
import re
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text as sql
from sqlmodel import Session

from api.demo import DEMO_PERSONS, create_insured
from api.main import create_app
from api.settings import Settings
from bot.engine import Engine
from bot.store import filings, people
from flows.identity import check_digit
from tests.fakes.wechat_client import WeChatSimulator, text_message
from tests.fakes.wechat_server import FakeWeChat, running_fake_wechat
from tests.flows.transcript import Pick, module_engine

_MSG_IDS = itertools.count(random.randint(10**15, 9 * 10**15))
_CHOICE = re.compile(r"^(\d+)\. (.+)$", re.M)


@pytest.fixture(scope="module")
def fake() -> FakeWeChat:
    with running_fake_wechat() as server:
        yield server


@pytest.fixture(scope="module")
def engine(db, database_url) -> Engine:
    return module_engine(db, database_url)


@pytest.fixture(scope="module")
def client(engine, database_url, fake):
    settings = Settings(env="test", database_url=database_url, wechat_api_base=fake.base)
    with TestClient(create_app(settings, engine=engine)) as test_client:
        yield test_client


# ---- the insured registry -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Insured:
    name: str
    id_number: str
    phone: str
    region: str


def insured(engine: Engine, region: str = "jilin") -> Insured:
    """A new person in the embedded registry (not bound to anyone), with a valid random ID number."""
    home = next(d for d in DEMO_PERSONS if d.region == region)
    first17 = f"{home.first17[:6]}1979{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    first17 += f"{random.randint(0, 999):03d}"
    person = Insured(
        "测试" + chr(0x4E00 + random.randint(0, 2000)), first17 + check_digit(first17), home.phone, region
    )
    with Session(engine.db) as session:
        create_insured(
            session,
            engine.cipher,
            replace(home, name=person.name, first17=first17, phone=person.phone, region=region),
        )
        session.commit()
    return person


# ---- one person on WeChat -------------------------------------------------------------------------------
class WeChatPerson:
    """A follower of an official account sending text messages; `say` returns everything the answer held."""

    def __init__(
        self, client: TestClient, fake: FakeWeChat, account: str = "jilin", mode: str = "safe"
    ) -> None:
        self.client = client
        self.fake = fake
        self.account = account
        self.mode = mode
        self.openid = "o" + uuid.uuid4().hex[:27]
        self.sim = WeChatSimulator(account)
        self.last = ""

    def say(self, content: str) -> str:
        before = len(self.fake.sent_texts(self.openid))
        xml = text_message(content, self.openid, msg_id=str(next(_MSG_IDS)))
        encrypted = self.mode == "safe"
        request = self.sim.safe(xml) if encrypted else self.sim.plain(xml)
        response = self.client.post(f"/wechat/{self.account}", params=request.params, content=request.body)
        assert response.status_code == 200, response.text
        reply = self.sim.open_reply(response.text, encrypted=encrypted)
        assert reply["MsgType"] == "text" and reply["ToUserName"] == self.openid
        assert len(reply["Content"].encode("utf-8")) <= 2048
        rest = self.fake.sent_texts(self.openid)[before:]  # a long answer's rest, sent after the reply
        self.last = "\n\n".join([reply["Content"], *rest])
        return self.last

    def option(self, label_part: str) -> str:
        """The number of the offered option whose label holds `label_part` (the reply lists "N. label")."""
        numbers = [n for n, label in _CHOICE.findall(self.last) if label_part in label]
        assert numbers, f"no option with {label_part!r} in:\n{self.last}"
        return numbers[-1]

    def pick(self, label_part: str) -> str:
        return self.say(self.option(label_part))

    def file(self, *answers: str) -> str:
        """Start 我要办备案, then give `answers` in turn (a Pick by an offered label); the last answer."""
        out = self.say("我要办备案")
        for text in answers:
            out = self.pick(text) if isinstance(text, Pick) else self.say(text)
        return out


def bind(person: WeChatPerson, who: Insured) -> str:
    assert "请输入你的姓名" in person.say("绑定身份")
    assert "身份证号码" in person.say(who.name)
    assert "手机号码" in person.say(who.id_number)
    asked = person.say(who.phone)
    code = re.search(r"你的验证码是 (\d{6})", asked)
    assert code, asked  # the demo SMS gateway shows the code in the reply
    done = person.say(code.group(1))
    assert "绑定成功" in done, done
    return done


def bound(client: TestClient, fake: FakeWeChat, engine: Engine, region: str = "jilin", mode: str = "safe"):
    who = insured(engine, region)
    person = WeChatPerson(client, fake, account=region, mode=mode)
    bind(person, who)
    return person, who


def _filings_of(engine: Engine, who: Insured) -> list:
    with Session(engine.db) as session:
        row = people.find_by_id_number(session, engine.cipher, who.id_number)
        return list(filings.filings_of(session, row.id))


def _file_long_term(person: WeChatPerson, place: str, proof: str = "异地工作") -> str:
    person.say("我要办备案")
    person.pick("长期异地")
    # the place's role is said with the place; without it, where one lives is taken (and shown later)
    assert "从哪天开始" in person.say(f"{place}，户籍地")
    assert "认定材料" in person.say("今天")
    assert "确认提交吗" in person.pick(proof)
    return person.pick("是")


# ---- conversations --------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["safe", "plain"])
def test_bind_refuses_each_invalid_id_number_with_its_own_message(client, fake, engine, mode):
    who = insured(engine)
    person = WeChatPerson(client, fake, mode=mode)
    person.say("绑定身份")
    person.say(who.name)
    bad_check = who.id_number[:17] + ("0" if who.id_number[17] != "0" else "1")
    assert "最后一位校验码不对" in person.say(bad_check)
    impossible = who.id_number[:6] + "19790230" + who.id_number[14:17]
    assert "出生日期不是真实的日期" in person.say(impossible + check_digit(impossible))
    unknown_region = "99" + who.id_number[2:17]
    assert "地区代码不存在" in person.say(unknown_region + check_digit(unknown_region))
    assert "18位" in person.say(who.id_number[:15])
    assert "手机号码" in person.say(who.id_number)  # the valid one moves on
    code = re.search(r"你的验证码是 (\d{6})", person.say(who.phone)).group(1)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert "验证码不对" in person.say(wrong)
    done = person.say(code)
    assert "绑定成功" in done and who.id_number not in done
    assert who.id_number[:4] + "**********" + who.id_number[-4:] in done


def test_jilin_long_term_filing_with_proof(client, fake, engine):
    person, who = bound(client, fake, engine)
    # "在北京工作" names the place and the proof (work away), so the place's role and the proof are not asked
    person.say("我要办备案")
    person.pick("长期异地")
    assert "从哪天开始" in person.say("在北京工作")
    assert "确认提交吗" in person.say("今天")
    done = person.pick("是")
    assert "备案已办理" in done and "北京市" in done and "起长期有效" in done
    assert "异地工作证明材料" in done and "异地安置认定材料" not in done
    (filing,) = _filings_of(engine, who)
    assert (filing.kind, filing.proof, filing.place_role, filing.channel) == (
        "long_term",
        "work_away",
        "residence",
        "wechat",
    )
    with Session(engine.db) as session:
        (event,) = filings.events_of(session, filing.id)
    assert event.action == "created" and event.channel == "wechat" and event.actor.startswith("person:")


def test_jilin_pledge_filing_then_a_second_pledge_is_refused_and_the_status_shows_it(client, fake, engine):
    person, who = bound(client, fake, engine, mode="plain")
    person.say("我要办备案")
    assert "长期" in person.pick("承诺制")
    assert "去哪里就医" in person.pick("长期")
    person.say("三亚，户籍地")
    shown = person.say("今天")
    # the full pledge text, the person's own data in it, and how to sign
    assert "请完整阅读以下承诺书" in shown and "吉林省医疗保险异地就医备案个人承诺书" in shown
    assert who.name in shown and "2027年5月22日" in shown and "同意请回复“我承诺”" in shown
    assert "网页版" not in shown
    assert "签署承诺书请回复“我承诺”" in person.say("好的")
    done = person.say("我承诺")
    assert "承诺制备案已办理" in done and "请在 2027年5月22日 前补齐" in done
    code = re.search(r"承诺书核验码：(\w+)", done).group(1)
    (filing,) = _filings_of(engine, who)
    with Session(engine.db) as session:
        pledge = filings.pledge_of(session, filing.id)
        assert (pledge.channel, pledge.account, pledge.verify_code) == ("wechat", "jilin", code)
        signed = filings.pledge_text(engine.cipher, pledge)
    assert signed in shown  # exactly the text the person read is what was stored
    assert client.get(f"/pledges/verify/{code}").json()["unaltered"] is True

    # a second pledge, chosen as a pledge filing or as "no proof yet", names its rule
    person.say("我要办备案")
    refused = person.pick("承诺制")
    assert "同一时间只能有一条有效的承诺制备案" in refused
    assert "依据：吉医保规〔2023〕4号 第六条" in refused
    person.file(Pick("转诊"), "北京", "今天")
    assert "吉医保规〔2023〕4号 第六条" in person.pick("承诺制")
    assert len(_filings_of(engine, who)) == 1

    status = person.say("我的备案")
    assert "【我的备案】" in status and "（承诺制）·海南省" in status
    assert "补齐材料截止：2027年5月22日（还剩181天）" in status
    assert who.id_number[:4] + "**********" + who.id_number[-4:] in status and who.id_number not in status


def test_cancel_then_refile(client, fake, engine):
    person, who = bound(client, fake, engine)
    assert "备案已办理" in _file_long_term(person, "沈阳", proof="长期居住")
    person.say("我要办备案")
    assert "要撤销哪一条备案" in person.pick("撤销")
    assert "撤销：" in person.pick("沈阳")
    cancelled = person.pick("是")
    assert "已撤销" in cancelled and "吉医保规〔2023〕4号 第十三条" in cancelled
    assert "备案已办理" in _file_long_term(person, "沈阳", proof="长期居住")
    first, second = _filings_of(engine, who)
    assert (first.status, first.end_reason, second.status) == ("ended", "cancelled", "active")
    with Session(engine.db) as session:
        events = filings.events_of(session, first.id)
    assert [e.action for e in events] == ["created", "cancelled"]
    assert events[1].before["status"] == "active" and events[1].after["status"] == "ended"
    assert events[1].channel == "wechat"


def test_abandon_halfway_then_resume_a_day_later(client, fake, engine):
    person, _ = bound(client, fake, engine)
    person.say("我要办备案")
    assert "去哪里就医" in person.pick("生育")  # … and the person goes away
    started = engine.clock.current
    engine.clock.current = started + timedelta(days=1)
    try:
        resumed = person.say("继续")
        assert "我们接着办" in resumed and "去哪里就医" in resumed
        person.say("广州")
        person.say("今天")
        assert "确认提交吗" in person.pick("母子健康手册")
        done = person.pick("是")
        assert "备案已办理" in done and "广州市" in done and "2026年11月23日" in done
    finally:
        engine.clock.current = started


def test_a_question_in_the_middle_of_a_filing_then_continue(client, fake, engine):
    person, who = bound(client, fake, engine, mode="plain")
    answer = person.file(Pick("生育"), "承诺制备案有效期多久")
    assert "6个月" in answer and "去哪里就医" in answer and "吉医保规〔2023〕4号" in answer
    assert "去哪里就医" in person.say("继续")
    person.say("杭州")
    person.say("今天")
    person.pick("母子健康手册")
    assert "备案已办理" in person.pick("是")
    assert [f.destination_name for f in _filings_of(engine, who)] == ["杭州市"]


def test_dezhou_long_term_pledge_filing_on_the_dezhou_account(client, fake, engine):
    person, who = bound(client, fake, engine, region="dezhou")
    shown = person.file(Pick("长期居住"), "三亚", "今天")
    assert "基本医疗保险长期异地就医备案个人承诺书" in shown and who.name in shown
    done = person.say("我承诺")
    assert "承诺制备案已办理" in done and "长期有效" in done and "补齐" not in done
    assert "德医保发〔2021〕57号" in done
    (filing,) = _filings_of(engine, who)
    assert (filing.region, filing.kind, filing.pledge, filing.materials_due) == (
        "dezhou",
        "long_term",
        True,
        None,
    )
    with Session(engine.db) as session:
        pledge = filings.pledge_of(session, filing.id)
    assert (pledge.account, pledge.region) == ("dezhou", "dezhou")
    status = person.say("我的备案")
    assert "海南省" in status and "长期有效" in status and "补齐材料截止" not in status


def test_a_tampered_pledge_fails_verification(client, fake, engine):
    person, who = bound(client, fake, engine, region="dezhou", mode="plain")
    person.file(Pick("长期居住"), "海口", "今天")
    code = re.search(r"承诺书核验码：(\w+)", person.say("我承诺")).group(1)
    assert client.get(f"/pledges/verify/{code}").json()["unaltered"] is True
    (filing,) = _filings_of(engine, who)
    # someone rewrites the stored digest: the text no longer matches it
    with Session(engine.db) as session:
        pledge = filings.pledge_of(session, filing.id)
        digest, pledge.sha256 = pledge.sha256, secrets.token_hex(32)
        session.add(pledge)
        session.commit()
    assert client.get(f"/pledges/verify/{code}").json()["unaltered"] is False
    with engine.db.begin() as connection:
        connection.execute(
            sql("UPDATE pledge SET sha256 = :d WHERE verify_code = :c"), {"d": digest, "c": code}
        )
    assert client.get(f"/pledges/verify/{code}").json()["unaltered"] is True
    # someone without the key flips a byte of the sealed text in the database
    with engine.db.connect() as connection:
        token = connection.execute(
            sql("SELECT text_enc FROM pledge WHERE verify_code = :c"), {"c": code}
        ).scalar_one()
    key_id, _, body = token.partition(":")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[len(raw) // 2] ^= 0x01
    with engine.db.begin() as connection:
        connection.execute(
            sql("UPDATE pledge SET text_enc = :t WHERE verify_code = :c"),
            {"t": f"{key_id}:{base64.urlsafe_b64encode(bytes(raw)).decode()}", "c": code},
        )
    verdict = client.get(f"/pledges/verify/{code}")
    assert verdict.status_code == 200
    assert verdict.json()["genuine"] is True and verdict.json()["unaltered"] is False


def test_status_of_a_bound_person_without_filings(client, fake, engine):
    person, who = bound(client, fake, engine, mode="plain")
    status = person.say("我的备案")
    assert "你还没有备案" in status and who.id_number not in status
    assert date(2026, 11, 22) == engine.clock.now().date()


def test_referral_and_retroactive_filings_in_jilin(client, fake, engine):
    person, who = bound(client, fake, engine)
    done = person.file(Pick("转诊"), "去吉林市住院", "今天", Pick("转诊转院证明"), Pick("是"))
    assert "2026年11月22日 至 2026年12月31日" in done and "吉医保发〔2019〕34号 第十二项" in done
    person.file(Pick("补办"), Pick("转诊"), "天津")
    assert "哪一种认定材料" in person.say("2026-10-08")
    person.pick("转诊转院证明")
    done = person.pick("是")
    assert "补办备案已提交" in done and "2026年10月8日 至 2026年12月31日" in done
    assert sorted(f.retroactive for f in _filings_of(engine, who)) == [False, True]


def test_dezhou_temporary_filing_and_its_refusals(client, fake, engine):
    person, who = bound(client, fake, engine, region="dezhou", mode="plain")
    refused = person.file(Pick("临时外出"), "去济南看病")
    assert "不用备案" in refused and "德医保发〔2021〕57号 二（四）" in refused
    refused = person.file(Pick("临时外出"), "北京", "2026-11-01")
    assert "文件没有规定补办" in refused and "德医保发〔2021〕57号 三（二）" in refused
    done = person.file(Pick("临时外出"), "北京", "今天", Pick("是"))
    assert "备案已办理" in done and "北京市" in done
    assert [(f.kind, f.region) for f in _filings_of(engine, who)] == [("temporary", "dezhou")]
