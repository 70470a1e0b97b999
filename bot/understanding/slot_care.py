"""The care a sentence describes: insurance scheme, service, hospital level and why it was not settled.

"职工医保 忘带卡了没直接结" → scheme employee, reasons {own_fault}; "急诊留观了一晚上" → service
emergency_observation (settled as inpatient, 吉林省优化五类医保服务20条便民举措 第7条), reasons
{emergency}; "三甲医院" → hospital_level 3. The reasons are the ones the benefit rules weigh
(吉医保发〔2019〕34号 第二至五项): no_referral, unfiled, own_fault, emergency, system_fault. The tables are
patterns for input, not user-facing text.
"""

from __future__ import annotations

import re
from typing import Any

from bot.understanding.slot_text import said

_SCHEMES = {
    "employee": re.compile(r"职工|在职(?!证明)|单位(?:给|帮)?[交缴]|灵活就业"),
    "resident": re.compile(r"城乡居民|居民(?!身份证)|新农合|农合|农村医保|农村合作医疗|合作医疗|城居保"),
}
_SWITCHED_TO = re.compile(r"(?:换成|转成|改成|变成|转到|换到|改为|转为)了?(?P<rest>.*)")
# The first service found in this order wins: chronic before outpatient, observation before a stay.
_SERVICES = (
    (
        "chronic",
        re.compile(
            r"慢特病|慢病|门特|门慢|慢性病|特殊病|特病|双通道|透析|放化疗|化疗|抗排异"
            r"|(?:高血压|糖尿病|冠心病|肿瘤|尿毒症).{0,6}(?:开药|拿药|取药|买药)|(?:开药|拿药|取药).{0,6}(?:高血压|糖尿病)"
        ),
    ),
    ("emergency_observation", re.compile(r"留观|抢救")),
    (
        "inpatient",
        re.compile(
            r"住院|住了院|住进|入院|出院|出的院|出了院|住了.{0,4}(?:[天日周]|星期|礼拜)|住的院|在医院住|住了.{0,5}院"
        ),
    ),
    ("outpatient", re.compile(r"门诊|看门诊|挂号|普通门诊")),
)
_LEVELS = (
    (3, re.compile(r"三级|三甲|三乙|3级|三级甲等|3甲")),
    (2, re.compile(r"二级|二甲|二乙|2级|2甲")),
    (1, re.compile(r"(?<!哪)一级|1级|社区医院|社区卫生|卫生院|卫生室|诊所")),
)
_REASONS = {
    "no_referral": re.compile(
        r"(?:没|没有|未|没办|没开|没做)(?:办|开)?(?:转诊|转院)|自己(?:跑|上|去的)|自行|没[办走](?:任何)?手续"
    ),
    "own_fault": re.compile(
        r"忘带|忘了带|忘记带|没带(?:医保卡|社保卡|卡|身份证|医保码|电子凭证)|自己(?:的)?原因|个人原因|我的原因"
        r"|没(?:开通|激活)(?:医保码|电子凭证)"
    ),
    "unfiled": re.compile(
        r"(?:没|没有|未|没去|没给|忘了?|忘记)(?:办|做)?(?:备案|备过案|备上案|登记备案)|不备案|啥手续(?:都|也)?没办"
    ),
    "emergency": re.compile(r"急诊|急病|急症|抢救|急救|突发|救护车|(?:打|叫|拨)了?120|120(?:急救|救护|拉)"),
    "system_fault": re.compile(
        r"系统(?:故障|坏|问题|出问题|出错|升级|维护|不好使|崩|瘫|上不去)|网络(?:问题|故障|不好|断)|断网|没网"
    ),
}


def scheme(clean: str) -> str | None:
    """employee | resident; when both are named, the one switched to ("职工医保换成了居民医保")."""
    named = [name for name, pattern in _SCHEMES.items() if said(pattern, clean)]
    if len(named) == 1:
        return named[0]
    switched = _SWITCHED_TO.search(clean)
    if named and switched is not None:
        after = [name for name in named if _SCHEMES[name].search(switched["rest"])]
        return after[0] if len(after) == 1 else None
    return None


def care_slots(clean: str) -> dict[str, Any]:
    """scheme, service, hospital_level and reasons, each only when the sentence says it."""
    found: dict[str, Any] = {
        "scheme": scheme(clean),
        "service": next((name for name, pattern in _SERVICES if said(pattern, clean)), None),
        "hospital_level": next((level for level, pattern in _LEVELS if pattern.search(clean)), None),
    }
    reasons = frozenset(name for name, pattern in _REASONS.items() if said(pattern, clean))
    if reasons:
        found["reasons"] = reasons
    return {name: value for name, value in found.items() if value is not None}
