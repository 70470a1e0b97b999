"""Slots read from sentences as people type them (bot.understanding.slots), asked on Wed 2 Dec 2026.

Each row gives every slot the sentence says and nothing else: a slot read where the sentence does not say it
fails the row as surely as one missed. Destinations are compared by name.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.understanding.slots import extract_slots, identity_spans, scrub_identity
from flows.destinations import load_places
from flows.identity import check_digit
from tests.conftest import CONTENT

TODAY = date(2026, 12, 2)
PLACES = load_places(CONTENT / "destinations.yaml")


def _id(first17: str) -> str:
    return first17 + check_digit(first17)


ID = _id("22010419900815345")
ID_SPACED = f"{ID[:4]} {ID[4:8]} {ID[8:12]} {ID[12:16]} {ID[16:]}"
BAD_CHECK = ID[:17] + ("0" if ID[17] != "0" else "1")
FUTURE_BIRTH = _id("22010420300101123")
ID_X = next(
    _id(f"3714021985061{n:04d}") for n in range(10_000) if check_digit(f"3714021985061{n:04d}") == "X"
)


def read(text: str, region: str = "jilin") -> dict:
    slots = extract_slots(text, region=region, today=TODAY, places=PLACES)
    if "destination" in slots:
        slots["destination"] = slots["destination"].name
    return slots


def case(text: str, region: str = "jilin", **expected):
    return pytest.param(text, region, expected, id=f"{region}:{text}")


FILING = [
    case("我要办长期备案 去海口住 帮我弄一下", action="new", filing_kind="long_term", destination="海南省"),
    case("把我的异地备案撤了", action="cancel"),
    case("俺那个备案不要了 给撤销掉", action="cancel"),
    case("取消备案", action="cancel"),
    case("先别撤 我再想想"),
    case("帮我把备案改成上海", action="change", destination="上海市"),
    case("备案地换到广州", action="change", destination="广州市"),
    case("我想变更一下备案", action="change"),
    case("我从单位职工医保换成了居民医保 原来的备案还管用吗", scheme="resident"),
    case(
        "人都出院了才想起来没备案 能补办吗",
        action="retroactive",
        service="inpatient",
        reasons=frozenset({"unfiled"}),
    ),
    case("看完病再去补备案行不行", action="retroactive"),
    case(
        "补办一个转诊备案 10月8号开始的",
        action="retroactive",
        filing_kind="referral",
        start=date(2026, 10, 8),
    ),
    case("帮我整个生育备案 去南京生孩子", action="new", filing_kind="childbirth", destination="南京市"),
    case("我想走承诺备案 材料后面再补", action="new", pledge=True),
    case("啥材料都没有 先备上 去三亚", pledge=True, destination="海南省"),
    case("我要办个转院的备案 去北京协和医院", action="new", filing_kind="referral", destination="北京市"),
    case("退休了去女儿那边住 想办个长期的", action="new", filing_kind="long_term"),
    case(
        "俺在北京上班 整个长期备案",
        action="new",
        filing_kind="long_term",
        proof="work_away",
        destination="北京市",
    ),
    case("办个长期备案要带啥", filing_kind="long_term"),
    case("媳妇要回娘家那边生孩子 医保要备案吗", filing_kind="childbirth"),
    case("异地安置跟长期居住到底有什么不同", filing_kind="long_term"),
    case("跟着闺女去南方养老 应该办哪一类备案", filing_kind="long_term"),
    case("不想用承诺的"),
    case("去旅游几天"),
    case(
        "去日喀则工作",
        filing_kind="long_term",
        proof="work_away",
        destination="西藏自治区",
    ),
    case(
        "去新疆兵团工作 备案到哪一级",
        filing_kind="long_term",
        proof="work_away",
        destination="新疆生产建设兵团",
    ),
    case("去五家渠住", destination="新疆生产建设兵团"),
    case("冬天去三亚猫冬", destination="海南省"),
    case("德州的 我出差去北京 临时看个病", "dezhou", filing_kind="temporary", destination="北京市"),
    case("转诊去济南", "dezhou", filing_kind="temporary", destination="济南市"),
    case("转诊去济南", filing_kind="referral", destination="济南市"),
    case("我有居住证", "dezhou"),
    case("退休了去海南长住 办个备案", "dezhou", action="new", filing_kind="long_term", destination="海南省"),
    case("媳妇要去外地生孩子", "dezhou"),
    case("从德州去北京", "dezhou", destination="北京市"),
]

PROOFS = [  # a proof only long-term (or childbirth) filings ask for names that kind too
    case("我有那边的居住证", filing_kind="long_term", proof="long_term_residence"),
    case("户口已经迁过去了", filing_kind="long_term", proof="resettlement"),
    case("户口本带着呢", filing_kind="long_term", proof="resettlement"),
    case("在那边买了房 有房产证", filing_kind="long_term", proof="long_term_residence"),
    case("单位给开了工作证明", filing_kind="long_term", proof="work_away"),
    case("有劳动合同", filing_kind="long_term", proof="work_away"),
    case("医院开了转诊证明", filing_kind="referral", proof="referral_certificate"),
    case("有诊断书", proof="referral_certificate"),
    case("有母子健康手册", filing_kind="childbirth", proof="mother_child_handbook"),
    case("没有居住证 材料回头补", filing_kind="long_term", pledge=True),
    case("户口本首页俺找着了 那就按正常的办", filing_kind="long_term", proof="resettlement", pledge=False),
    case("材料都齐了 不走承诺", pledge=False),
    case(
        "居住证还没下来 先给我走个承诺备案 去海南住",
        action="new",
        filing_kind="long_term",
        pledge=True,
        destination="海南省",
    ),
    case("单位派我去日喀则援藏三年", filing_kind="long_term", proof="work_away", destination="西藏自治区"),
    case("在昆明上了好几年班了", filing_kind="long_term", proof="work_away", destination="昆明市"),
]

PLACES_NAMED = [
    case("吉林这个异地就医规程是哪天开始实施的"),
    case("去吉林住院", destination="吉林市", service="inpatient"),
    case("回吉林老家住院", service="inpatient"),
    case("长春", destination="长春市"),
    case("在华西医院做的手术", destination="成都市"),
    case("在湘雅医院住院花了三万", destination="长沙市", amount=Decimal(30000), service="inpatient"),
    case("在301医院看病", destination="北京市"),
    case("去瑞金医院复查", destination="上海市"),
    case("去武汉协和医院看病", destination="武汉市"),
]

DATES = [
    case("下周一开始", start=date(2026, 12, 7)),
    case("12月10号开始 去日喀则", start=date(2026, 12, 10), destination="西藏自治区"),
    case("从明年1月1号起", start=date(2027, 1, 1)),
    case("下个月5号过去", start=date(2027, 1, 5)),
    case("明天去北京 住半年", start=date(2026, 12, 3), destination="北京市", filing_kind="long_term"),
    case("我10月8号出院 最晚哪天去报", discharged_on=date(2026, 10, 8), service="inpatient"),
    case("昨天出的院", discharged_on=date(2026, 12, 1), service="inpatient"),
    case("上周五出院的", discharged_on=date(2026, 11, 27), service="inpatient"),
    case("12月3号出院", discharged_on=date(2025, 12, 3), service="inpatient"),
    case("出院日期是11月28号", discharged_on=date(2026, 11, 28), service="inpatient"),
    case("3天前出院", discharged_on=date(2026, 11, 29), service="inpatient"),
    case("今天问一下 10月8号出的院", discharged_on=date(2026, 10, 8), service="inpatient"),
    case("十一月二十号住的院", admitted_on=date(2026, 11, 20), service="inpatient"),
    case("2026-11-20入院", admitted_on=date(2026, 11, 20), service="inpatient"),
    case("材料是11月30号交齐的", materials_complete_on=date(2026, 11, 30)),
    case(
        "10月1号住进去 8号出院 材料11月3号交齐了",
        admitted_on=date(2026, 10, 1),
        discharged_on=date(2026, 10, 8),
        materials_complete_on=date(2026, 11, 3),
        service="inpatient",
    ),
    case(
        "从10月1号到10月8号住院",
        admitted_on=date(2026, 10, 1),
        discharged_on=date(2026, 10, 8),
        service="inpatient",
    ),
    case(
        "住院10月1号 出院10月8号",
        admitted_on=date(2026, 10, 1),
        discharged_on=date(2026, 10, 8),
        service="inpatient",
    ),
    case("12月10号"),  # no role: left to the flow that asked for it
]

STAYS = [
    case("住了一礼拜一共花了1万", stay_days=7, amount=Decimal(10000), service="inpatient"),
    case(
        "前年11月住了8天 去年1月住了2天 一共1万 跨年咋算",
        stays=[{"month": "2024-11", "days": 8}, {"month": "2025-01", "days": 2}],
        stay_days=10,
        amount=Decimal(10000),
        service="inpatient",
    ),
    case(
        "11月住了5天 1月又住了3天",
        stays=[{"month": "2025-11", "days": 5}, {"month": "2026-01", "days": 3}],
        stay_days=8,
        service="inpatient",
    ),
    case("在医院住了半个月", stay_days=15, service="inpatient"),
    case("住院8天", stay_days=8, service="inpatient"),
    case("住了3天 120拉过去的", stay_days=3, service="inpatient", reasons=frozenset({"emergency"})),
    case("一共8天"),
]

MONEY = [
    case(
        "没转院自己跑长春看的病 花了两万 都在医保范围里 能报多少",
        reasons=frozenset({"no_referral"}),
        amount=Decimal(20000),
        destination="长春市",
    ),
    case(
        "职工医保 本地报80% 忘带卡了没直接结 花了八千 能报多少",
        scheme="employee",
        own_ratio=Decimal("0.80"),
        reasons=frozenset({"own_fault"}),
        amount=Decimal(8000),
    ),
    case("额度500 已经用了380", "dezhou", quota=Decimal(500), quota_used=Decimal(380)),
    case("额度还有5000块 用掉了一千二", quota=Decimal(5000), quota_used=Decimal(1200)),
    case("门诊统筹额度是2000", quota=Decimal(2000), service="outpatient"),
    case("报八成", own_ratio=Decimal("0.8")),
    case("能报七成五", own_ratio=Decimal("0.75")),
    case("百分之七十五", own_ratio=Decimal("0.75")),
    case("报销比例是75", own_ratio=Decimal("0.75")),
    case("首先自付10% 剩下的报80%", own_ratio=Decimal("0.80")),
    case("降低10%是啥意思"),
    case("八千块", amount=Decimal(8000)),
    case("两万三的住院费", amount=Decimal(23000), service="inpatient"),
    case("1.5万", amount=Decimal(15000)),
    case("花了两万 报了八千", amount=Decimal(20000)),
    case("报了6000块"),
    case("2026年花了一万二", amount=Decimal(12000)),
    case("花了1200块 打了120", amount=Decimal(1200), reasons=frozenset({"emergency"})),
    case(
        "三甲医院住了十来天花了三万二",
        stay_days=10,
        amount=Decimal(32000),
        service="inpatient",
        hospital_level=3,
    ),
    case("社区医院看门诊花了300块", amount=Decimal(300), service="outpatient", hospital_level=1),
    case(
        "系统坏了没结上 住了5天 一共八千块",
        stay_days=5,
        amount=Decimal(8000),
        service="inpatient",
        reasons=frozenset({"system_fault"}),
    ),
    case("德州的 去上海看病报多少", "dezhou", filing_kind="temporary", destination="上海市"),
    case("去上海看病报多少", destination="上海市"),  # Jilin has no temporary filing
]

SLIPS_AND_DIALECT = [
    case("帮我办个长期被案 去海南", action="new", filing_kind="long_term", destination="海南省"),
    case(
        "俺想整个备按 去大连住半年以上 中不中",
        action="new",
        filing_kind="long_term",
        destination="大连市",
    ),
    case("报消比例是百分之八十", own_ratio=Decimal("0.80")),
    case("花了两万三千五", amount=Decimal(23500)),
    case("一共花了1w5", amount=Decimal(15000)),
    case(
        "我是在职职工 去上海瑞金医院住的院 花了五万多",
        scheme="employee",
        destination="上海市",
        service="inpatient",
        amount=Decimal(50000),
    ),
    case("十月八号出的院 材料还没交", discharged_on=date(2026, 10, 8), service="inpatient"),
    case("大后天出发去三亚", start=date(2026, 12, 5), destination="海南省"),
]

NOT_SAID = [  # questions about a rule: what they mention is no request, no proof held, no amount
    case("户口还没迁到那边 算哪种长期备案", filing_kind="long_term"),
    case("注销备案要带户口本吗", action="cancel"),
    case("诊断证明该找哪个大夫开"),
    case("摔伤住院 医院让签个承诺书", service="inpatient"),
    case("住院那几天在外面药店买了点药 能跟住院一块报吗", service="inpatient"),
    case("报销是截止到当年年底吗"),
    case("年底了 去年的票再不报是不是就作废了"),
    case("帮我查查备案办好了没"),
    case("去年单位给办的长期备案还能用吗", filing_kind="long_term"),
    case("外地看病能报六成不"),
    case("去外省住院是不是先自己掏一成", "dezhou", filing_kind="temporary", service="inpatient"),
    case("去北京开会顺便住了两天院", stay_days=2, service="inpatient", destination="北京市"),
]

CARE = [
    case(
        "在急诊室留观了一晚上 是按门诊报还是按住院报",
        service="emergency_observation",
        reasons=frozenset({"emergency"}),
    ),
    case(
        "急诊抢救没办住院 能不能按住院待遇结算",
        service="emergency_observation",
        reasons=frozenset({"emergency"}),
    ),
    case("不是急诊 正常住院", service="inpatient"),
    case("新农合 在外地打工", scheme="resident", filing_kind="long_term", proof="work_away"),
    case("城乡居民医保 去儿子那边住", scheme="resident", filing_kind="long_term"),
    case("高血压开药 门诊慢特病 在北京", service="chronic", destination="北京市"),
    case("在北京透析 一次花了500", service="chronic", destination="北京市", amount=Decimal(500)),
    case("二甲医院", hospital_level=2),
    case("灵活就业交的职工医保", scheme="employee"),
    case("农村医保 报销比例多少", scheme="resident"),
    case("医院说系统坏了结不了账 这种问题要等多久", reasons=frozenset({"system_fault"})),
    case("出门在外得了急病没来得及备案", reasons=frozenset({"emergency"})),
    case("突发脑梗被救护车拉到医院", reasons=frozenset({"emergency"})),
    case("没转诊 自己去的北京", reasons=frozenset({"no_referral"}), destination="北京市"),
    case("网络问题没刷上卡", reasons=frozenset({"system_fault"})),
    case("俺是退休职工 咋整", scheme="employee"),
]

IDENTITY = [
    case(f"我叫李红 身份证{ID} 手机139 0000 0003", name="李红", id_number=ID, phone="13900000003"),
    case(f"身份证号码是{ID_SPACED}", id_number=ID),
    case(ID, id_number=ID),
    case(ID_X.lower(), id_number=ID_X),
    case(f"{ID} 13900000003", id_number=ID, phone="13900000003"),
    case("身份证22010419900815", id_number_invalid="length"),
    case(f"身份证{BAD_CHECK}", id_number_invalid="check_digit"),
    case(f"证件号 {FUTURE_BIRTH}", id_number_invalid="future_birth"),
    case("手机139-0000-0003", phone="13900000003"),
    case("我的电话是 +86 139 0000 0003", phone="13900000003"),
    case("我叫王小明想办备案", name="王小明", action="new"),
    case("姓名写错了怎么改"),
    case("姓名：张伟", name="张伟"),
    case("俺叫刘洋 电话13900000005", name="刘洋", phone="13900000005"),
]


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    FILING + PROOFS + PLACES_NAMED + DATES + STAYS + MONEY + SLIPS_AND_DIALECT + NOT_SAID + CARE + IDENTITY,
)
def test_slots(text, region, expected):
    assert read(text, region) == expected


@pytest.mark.parametrize("text", ["", "   ", "😀", "百分之十十", "十十号", "a" * 3000])
def test_nothing_to_read_is_no_error(text):
    assert read(text) == {}


def test_typed_values():
    slots = extract_slots(
        "前年11月住了8天 去年1月住了2天 一共1万 报80%", region="jilin", today=TODAY, places=PLACES
    )
    assert isinstance(slots["amount"], Decimal) and isinstance(slots["own_ratio"], Decimal)
    assert str(slots["own_ratio"]) == "0.80"
    slots = extract_slots("我要办长期备案 下周一去海口", region="jilin", today=TODAY, places=PLACES)
    destination = slots["destination"]
    assert (destination.code, destination.level, destination.cross_province) == ("460000", "province", True)
    assert slots["start"] == date(2026, 12, 7)


def test_a_province_table_also_checks_the_region_code():
    unknown = _id("99010419900815345")
    slots = extract_slots(unknown, region="jilin", today=TODAY, places=PLACES, id_provinces={"22": "吉林省"})
    assert slots == {"id_number_invalid": "region"}


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"我叫李红 身份证{ID} 手机139 0000 0003 异地备案要带什么", "异地备案要带什么"),
        (ID, ""),
        (f"身份证号码是{ID_SPACED}", ""),
        ("手机号 13900000003 能查进度吗", "能查进度吗"),
        ("姓名：张伟", ""),
        ("急诊能报吗", "急诊能报吗"),
    ],
)
def test_scrub_identity_leaves_the_question(text, kept):
    scrubbed = scrub_identity(text)
    assert scrubbed.strip() == kept
    assert "120" not in scrubbed and "李红" not in scrubbed


def test_identity_spans_point_into_the_text():
    text = f"我叫李红 身份证{ID}"
    assert [text[start:end] for start, end in identity_spans(text)] == ["我叫李红", f"身份证{ID}"]
