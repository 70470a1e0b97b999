"""Destinations recognised from free text at filing granularity (吉医保规〔2023〕4号 第十二条); durations."""

from __future__ import annotations

import math

import pytest

from flows.destinations import (
    DestinationsError,
    Places,
    find_destination,
    find_scope,
    load_places,
)
from flows.durations import parse_duration_months

# text, insured region, expected code (None: not recognised), level, cross-province
CASES = [
    # Jilin insured, in-province: pooling region (the nine 市（州）, 长白山, 梅河口)
    ("长春", "jilin", "220100", "pooling_region", False),
    ("去长春住院", "jilin", "220100", "pooling_region", False),
    ("公主岭", "jilin", "220100", "pooling_region", False),
    ("吉林市", "jilin", "220200", "pooling_region", False),
    ("去吉林看病", "jilin", "220200", "pooling_region", False),
    ("在延吉住院", "jilin", "222400", "pooling_region", False),
    ("珲春", "jilin", "222400", "pooling_region", False),
    ("长白山", "jilin", "22CBS0", "pooling_region", False),
    ("白山", "jilin", "220600", "pooling_region", False),
    ("梅河口", "jilin", "220581", "pooling_region", False),
    ("通化", "jilin", "220500", "pooling_region", False),
    ("松原查干湖", "jilin", "220700", "pooling_region", False),
    # Jilin insured, cross-province: city-level region or municipality
    ("在北京工作", "jilin", "110000", "city", True),
    ("去北京协和医院看病", "jilin", "110000", "city", True),
    ("浦东", "jilin", "310000", "city", True),
    ("上海瑞金医院", "jilin", "310000", "city", True),
    ("去天津", "jilin", "120000", "city", True),
    ("重庆", "jilin", "500000", "city", True),
    ("大连", "jilin", "210200", "city", True),
    ("在深圳带孙子", "jilin", "440300", "city", True),
    ("成都华西医院", "jilin", "510100", "city", True),
    ("济南", "jilin", "370100", "city", True),
    ("昆山", "jilin", "320500", "city", True),
    # Hainan, Tibet, XPCC: province level
    ("去三亚住半年", "jilin", "460000", "province", True),
    ("海口", "jilin", "460000", "province", True),
    ("拉萨", "jilin", "540000", "province", True),
    ("石河子", "jilin", "660000", "province", True),
    ("新疆生产建设兵团", "dezhou", "660000", "province", True),
    # Dezhou insured: Shandong cities are in-province pooling regions; Jilin places are cross-province
    ("青岛", "dezhou", "370200", "pooling_region", False),
    ("去济南齐鲁医院", "dezhou", "370100", "pooling_region", False),
    ("长春", "dezhou", "220100", "city", True),
    ("延吉", "dezhou", "222400", "city", True),
    ("从德州去北京看病", "dezhou", "110000", "city", True),
    ("三亚", "dezhou", "460000", "province", True),
    ("喀什", "dezhou", "653100", "city", True),
    # a province alone is not enough across provinces; Beijing's 朝阳区 is not 辽宁
    ("去广东", "jilin", None, None, None),
    ("新疆", "dezhou", None, None, None),
    ("去吉林", "dezhou", None, None, None),
    ("朝阳区", "dezhou", "110000", "city", True),
    ("我想问问报销", "jilin", None, None, None),
]


@pytest.mark.parametrize(("text", "region", "code", "level", "cross"), CASES)
def test_destination_recognition(text, region, code, level, cross):
    found = find_destination(text, region)
    if code is None:
        assert found is None
        return
    assert found is not None, text
    assert (found.code, found.level, found.cross_province) == (code, level, cross)


def test_destination_names_and_provinces():
    found = find_destination("延吉", "jilin")
    assert found is not None
    assert (found.name, found.province) == ("延边朝鲜族自治州", "吉林省")


def test_jilin_pack_has_all_eleven_pooling_regions_and_shandong_sixteen_cities():
    places = load_places()
    jilin = [p for p in places.places.values() if p.province_code == "220000" and p.kind == "city"]
    shandong = [p for p in places.places.values() if p.province_code == "370000" and p.kind == "city"]
    assert len(jilin) == 11
    assert len(shandong) == 16


def test_every_province_level_division_is_listed():
    provinces = [p for p in load_places().places.values() if p.kind != "city"]
    assert len(provinces) == 32  # 31 provinces, regions and municipalities + XPCC


@pytest.mark.parametrize(
    ("text", "region", "scope"),
    [
        ("去广东", "jilin", "cross_province"),
        ("外省", "jilin", "cross_province"),
        ("省内其他市", "dezhou", "in_province"),
        ("去吉林", "dezhou", "cross_province"),
        ("青岛", "dezhou", "in_province"),
        ("长春", "jilin", "in_province"),
        ("不知道", "jilin", None),
    ],
)
def test_scope(text, region, scope):
    assert find_scope(text, region) == scope


def test_dezhou_home_is_not_remote():
    places = load_places()
    home = places.find("齐河", "dezhou")
    assert home is not None and places.is_home(home, "dezhou")
    away = places.find("济南", "dezhou")
    assert away is not None and not places.is_home(away, "dezhou")


def test_by_code_and_unknown_region():
    places = load_places()
    found = places.by_code("460000", "dezhou")
    assert found is not None and found.level == "province"
    assert places.by_code("440000", "dezhou") is None  # a plain province is no destination
    with pytest.raises(DestinationsError):
        find_destination("长春", "atlantis")


def test_invalid_table_is_refused():
    with pytest.raises(DestinationsError):
        Places({"insured_regions": {}, "scope_words": {}, "provinces": [{"code": "1", "name": "x"}]})


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("住半年", 6),
        ("去三亚住半年", 6),
        ("三个月", 3),
        ("3个月", 3),
        ("一年半", 18),
        ("两年多", 24),
        ("十二个月", 12),
        ("一个多月", 1),
        ("三个半月", 3.5),
        ("半年以上", 6),
        ("不到半年", 5.5),
        ("10天", 10 / 30),
        ("两周", 14 / 30),
        ("几天", 3 / 30),
        ("半个月", 0.5),
    ],
)
def test_duration(text, months):
    assert parse_duration_months(text) == pytest.approx(months)


@pytest.mark.parametrize("text", ["长期", "去海南长期居住", "退休后去定居", "在那边养老"])
def test_open_ended_duration(text):
    assert parse_duration_months(text) == math.inf


def test_no_duration():
    assert parse_duration_months("还没想好") is None
