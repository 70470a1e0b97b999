"""What a sentence says about a filing: the action asked for, its kind, the proof at hand, pledge, the place.

"我要办长期备案 去海口住 帮我弄一下" → action new, filing_kind long_term, destination 海南省 (filing
granularity, 吉医保规〔2023〕4号 第十二条, from content/destinations.yaml through flows.destinations,
hospitals included). Kinds are the insured region's: Jilin files long-term, childbirth and referral
(第三条–第四条); Dezhou has two categories, long-term residence and temporary outside, and a referral is
temporary outside (德医保发〔2021〕57号 一). Proofs are Jilin's (第三条); Dezhou asks for none. The tables
are patterns for input, not user-facing text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bot.understanding.slot_text import said
from flows.destinations import Destination, Places
from flows.durations import find_durations

# Words that make a sentence about a filing (voice slips included: 被案, 备按).
_FILING = re.compile(r"备案|被案|备按|背案|倍案|报备|报个备|备个案|备上|备一下|异地就医|承诺")
_ASKS = re.compile(
    r"吗|么|啥|什么|怎么|咋|哪|多少|多久|几|能不能|要不要|需不需要|用不用|是否|有没有|行不行|中不中|的时候|[不没]\s*$|\?"
)
_CANCEL = re.compile(r"撤销|撤消|撤了|撤掉|撤回|撤下|撤一下|注销|给我销了|销掉")
_CANCEL_WITH_FILING = re.compile(r"取消|不要了|不用了|删了|删掉|停掉|退掉")
_CHANGE = re.compile(r"变更|更改|修改|改回|地方.{0,6}(?:改|换)")
_CHANGE_PLACE = re.compile(r"(?:备案地|就医地|居住地|备案的地方)(?:从.{1,8}?)?.{0,2}(?:改|换)")
_CHANGE_TO = re.compile(r"(?:改成|改到|改去|改为|换到|换成|换去|挪到)(?P<object>[^,。;!?、:\s]{0,12})")
_CHANGE_OBJECTS = re.compile(r"地方|城市|就医地|备案地|地点|备案")
_RETROACTIVE = re.compile(
    r"补办|补(?:一?个|一下)?(?:备案|被案|备)|事后补|后补备案"
    r"|(?:出院|住完院|看完病|看完了|治完|回来)了?.{0,10}(?:才|再).{0,4}(?:想起|知道|办|补|备)"
    r"|(?:忘了|忘记|没来得及|没)(?:办)?备案.{0,12}(?:补|现在办)"
)
_VERB = r"(?:办|弄|整|搞|做|申请|走|备(?!案)|登记|提交|开(?=一?个))(?![的过好完])"
_NEW = (
    # 帮我 / 给俺 … 办: not 帮我看看 (a look, not a filing), not 能给办…不 (a question), not 给办的 (done)
    re.compile(
        r"(?:帮[我俺咱忙着]?|(?<![能会])给[我俺咱]?|替[我俺]|麻烦你?|请你?)(?!.{0,2}[看瞅瞧查问算判])"
        rf".{{0,10}}{_VERB}"
    ),
    re.compile(rf"(?:我要|我得|俺要|咱要|(?<!不)想要?)(?:去)?{_VERB}"),
    re.compile(r"(?:我要|我想|俺要|俺想|想要)(?:备案|备个案|报备)"),
)
# "整个长期备案", "办理备案": a request only in a sentence that asks nothing ("办个备案要带啥" asks).
_NEW_PLAIN = re.compile(
    r"^(?:办|办理|申请)(?![了过的])(?:一?个|一下)?.{0,10}备案|(?:办|整|弄|做|申请)(?:一?个|一下).{0,8}备案"
)
_AWAY = r"(?:那边|那儿|那里|外地|外面|外边|当地|外省|异地)"
_WORK_AWAY = re.compile(r"[在去到](?P<where>.{1,8}?)(?:上班|上了.{0,5}班|工作(?!日)|打工|任职|干活)")
_SENT_AWAY = re.compile(r"单位派|被派到|派驻|派我去|援藏|援疆|支边")
# A stay of 6 months or more is long-term residence (德医保发〔2021〕57号 一（一）; both packs' guide.yaml
# long_term_months): "去拉萨住一年", "住半年以上".
_LONG_STAY_DAYS = 180
_LIVING_BEFORE = re.compile(r"(?:住|待|呆|生活|工作|上班|援藏|援疆)了?有?\s*$")
_KINDS = {  # word patterns of each kind; the first kind found in this order wins
    "referral": re.compile(r"转诊|转院"),
    "childbirth": re.compile(
        r"生育|生孩子|生小孩|生娃|生宝宝|坐月子|产检|分娩|待产|怀孕|生产(?!建设)|[去到回].{1,8}?生(?=[\s,了吧]|$)"
    ),
    "long_term": re.compile(
        r"长期|异地安置|安置|常驻|(?<!正)常住(?!院)|长住(?!院)|长居|定居|养老(?![金保院])|异地工作|外地上班|外地工作|外派|驻外"
        r"|退休.{0,8}[去到在回].{0,10}(?:住|生活|定居)|(?:投奔|随)(?:子女|儿子|女儿|闺女|儿女|孩子)"
        r"|跟着?(?:子女|儿子|女儿|闺女|儿女|孩子).{0,8}(?:住|生活|定居)"
        r"|[去到回](?:子女|儿子|女儿|闺女|儿女|孩子)(?:家|那边|那儿|那里|身边).{0,4}(?:住|生活|养老)"
    ),
    "temporary": re.compile(
        r"临时|出差|旅游|旅行|探亲|短期|外出就医|[住玩去待]几天|看病几天|几天就回"
        r"|[去到上].{1,10}?(?:看病|住院|治病|就医|治疗|做手术|复查|瞧病)"
    ),
}
# Which kind a word names in each insured region (a region not listed takes every kind as it is).
_KIND_IN_REGION = {
    "jilin": {"referral": "referral", "childbirth": "childbirth", "long_term": "long_term"},
    "dezhou": {"referral": "temporary", "long_term": "long_term", "temporary": "temporary"},
}
_PROOF_REGIONS = ("jilin",)
# A proof only one kind asks for names that kind even when the person does not have it yet ("居住证还没下来").
_KIND_OF_PROOF = {
    "mother_child_handbook": "childbirth",
    "resettlement": "long_term",
    "long_term_residence": "long_term",
    "work_away": "long_term",
}
# A proof asked about ("要户口本不", "找医院开证明吗") or not at hand ("转诊证明医院还没给开") is not held.
_NOT_HELD_AFTER = re.compile(
    r"^.{0,4}?(?:还没|没有|没|不在|丢了|办不|过期|找(?![着到见])|哪|咋|怎么)|^[^,\s]{0,4}(?:吗|么|不)\s*$"
)
_NOT_HELD_BEFORE = re.compile(r"(?:要|需要|得|提供|找|能|咋|怎么|怎样|哪里|哪儿)[^,\s]{0,4}$")
_PROOFS = {
    "mother_child_handbook": re.compile(r"母子健康手册|母子手册|母婴手册"),
    "referral_certificate": re.compile(
        r"转诊证明|转院证明|转诊单|转院单|诊断书|诊断证明|病历证明|医院.{0,4}开了?.{0,6}证明"
    ),
    "resettlement": re.compile(
        r"户口(?:已经|都|早就?|也)?(?:迁|转|落)|落户|户口本|户口簿|户口薄|户口首页|常住人口登记卡|户籍证明"
    ),
    "long_term_residence": re.compile(
        rf"居住证|暂住证|居住证明|房产证|{_AWAY}.{{0,3}}(?:买了?房|有房|有套房|买了?套房)|在.{{1,8}}买了?房"
    ),
    "work_away": re.compile(
        r"工作证明|劳动合同|在职证明|单位证明|单位.{0,2}开.{0,2}证明|派遣证明|派驻证明|进修(?:通知|证明)|"
        r"(?:入学|录取|学习)(?:通知书|证明)|学生证"
    ),
}
_PLEDGE = re.compile(
    r"承诺|(?:啥|什么)材料都没|材料都没|没有?材料|材料不全|材料不够|缺材料"
    r"|材料.{0,4}(?:回头|后面|以后|之后|过后|后边|晚点|过段时间)再?补|后补材料|先备上|先办上|先备着"
)
# The normal way, with the proofs: no pledge ("按正常的办", "材料都齐了", "不走承诺").
_NO_PLEDGE = re.compile(
    r"按?正常(?:的|流程)?(?:办|走|来|备)|不(?:走|用|要|办)承诺|不承诺|材料(?:都|已经|也)?(?:齐|全|备齐|准备好)了?"
    r"|(?:有|带|拿)(?:齐)?材料"
)
# The trauma pledge (《外伤无第三方责任承诺书》, 第二十七条) is no pledge filing.
_OTHER_PLEDGE = re.compile(r"外伤|受伤|摔伤|撞伤|第三方")
_MOVE_BEFORE = ("去", "到", "在", "往", "赴")


def _places_in(text: str, region: str, places: Places) -> bool:
    return bool(places.mentions(text, region))


def action(clean: str, region: str, places: Places) -> str | None:
    """new | cancel | change | retroactive, when the sentence asks for one."""
    about_filing = _FILING.search(clean) is not None
    if said(_CANCEL, clean) or (about_filing and said(_CANCEL_WITH_FILING, clean)):
        return "cancel"
    if (
        (_CHANGE.search(clean) and about_filing)
        or _CHANGE_PLACE.search(clean)
        or any(
            _CHANGE_OBJECTS.search(m["object"]) or (about_filing and _places_in(m["object"], region, places))
            for m in _CHANGE_TO.finditer(clean)
        )
    ):
        return "change"
    if said(_RETROACTIVE, clean):
        return "retroactive"
    named = about_filing or filing_kind(clean, region, places) is not None
    if named and any(p.search(clean) for p in _NEW):
        return "new"
    if _NEW_PLAIN.search(clean.strip()) and not _ASKS.search(clean):
        return "new"
    return None


def _works_away(clean: str, region: str, places: Places) -> bool:
    return _SENT_AWAY.search(clean) is not None or any(
        re.search(_AWAY, m["where"]) or _places_in(m["where"], region, places)
        for m in _WORK_AWAY.finditer(clean)
    )


def _lives_long(clean: str) -> bool:
    return any(
        d.days >= _LONG_STAY_DAYS and _LIVING_BEFORE.search(clean[max(0, d.span[0] - 4) : d.span[0]])
        for d in find_durations(clean)
    )


def _kinds_named(clean: str, region: str, places: Places) -> set[str]:
    named = {kind for kind, pattern in _KINDS.items() if said(pattern, clean)}
    if _works_away(clean, region, places) or _lives_long(clean):
        named.add("long_term")
    if region in _PROOF_REGIONS:  # a proof held or still missing names its kind; one asked about does not
        named |= {
            _KIND_OF_PROOF[v] for v, held in _proofs_told(clean) if v in _KIND_OF_PROOF and held is not None
        }
    return named


def filing_kind(clean: str, region: str, places: Places) -> str | None:
    """The kind of filing the sentence names, as the insured region calls it."""
    in_region = _KIND_IN_REGION.get(region)
    named = _kinds_named(clean, region, places)
    for kind in _KINDS:
        if kind in named and (in_region is None or kind in in_region):
            return kind if in_region is None else in_region[kind]
    return None


def _proofs_told(clean: str) -> list[tuple[str, bool | None]]:
    """Each proof named: held (True), not yet held (False: "没有居住证", "居住证还没下来") or asked about
    (None: "要户口本吗")."""
    told: list[tuple[str, bool | None]] = []
    for value, pattern in _PROOFS.items():
        match = pattern.search(clean)
        if match is None:
            continue
        if _NOT_HELD_BEFORE.search(clean[max(0, match.start() - 6) : match.start()]):
            told.append((value, None))
        else:
            missing = said(pattern, clean) is None or _NOT_HELD_AFTER.match(clean[match.end() :])
            told.append((value, not missing))
    return told


def proof(clean: str, region: str, places: Places) -> str | None:
    """The proof the person says they have (Jilin's long-term, referral and childbirth proofs)."""
    if region not in _PROOF_REGIONS:
        return None
    held = next((value for value, has in _proofs_told(clean) if has), None)
    return held or ("work_away" if _works_away(clean, region, places) else None)


@lru_cache(maxsize=8)
def _own_province_names(places: Places) -> tuple[str, ...]:
    return tuple(a for a, targets in places.aliases.items() if any(t.own_province_only for t in targets))


_LEFT_PLACE = re.compile(
    r"(?:不回|不在|不去|离开|从)[\u4e00-\u9fff]{2,4}?(?=了|住|搬|回|去|走|换|改|,|，|\s|$)"
)


def destination(clean: str, region: str, places: Places) -> Destination | None:
    """The treatment place at filing granularity; a name that means a city only for people of its own
    province ("吉林") counts only right after 去 / 到 / 在, since alone it names the province."""
    chars = list(clean)
    for alias in _own_province_names(places):
        for match in re.finditer(re.escape(alias), clean):
            before = clean[: match.start()].rstrip()
            if not before.endswith(_MOVE_BEFORE) and not clean.startswith("市", match.end()):
                chars[match.start() : match.end()] = ["、"] * len(alias)
    # A place the person leaves or no longer lives in ("不回德州了", "从苏州搬走") is not the destination.
    for match in _LEFT_PLACE.finditer(clean):
        chars[match.start() : match.end()] = ["、"] * (match.end() - match.start())
    return places.find("".join(chars), region)


def _pledge(clean: str) -> bool | None:
    if _OTHER_PLEDGE.search(clean):
        return None
    if _NO_PLEDGE.search(clean):
        return False
    return True if said(_PLEDGE, clean) else None


def filing_slots(clean: str, *, region: str, places: Places) -> dict[str, Any]:
    """action, filing_kind, proof, pledge and destination, each only when the sentence says it."""
    found: dict[str, Any] = {
        "action": action(clean, region, places),
        "filing_kind": filing_kind(clean, region, places),
        "proof": proof(clean, region, places),
        "pledge": _pledge(clean),
        "destination": destination(clean, region, places),
        "place_role": place_role(clean),
    }
    return {name: value for name, value in found.items() if value is not None}


# The role of the place filed for (第六条（二）: one filing of each may be open): the household place
# (户籍地) when the person says so, else where they live or work.
_HOUSEHOLD = re.compile(r"户籍地|户口所在地|户口在那|户口在那边|老家户口|是俺老家|是我老家|是老家")
_RESIDENCE = re.compile(r"常住地|居住地|工作地|常驻地")


def place_role(clean: str) -> str | None:
    if _HOUSEHOLD.search(clean):
        return "household"
    if _RESIDENCE.search(clean):
        return "residence"
    return None
