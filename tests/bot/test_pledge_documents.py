"""Pledge texts (Jilin built from 第六条, Dezhou annex verbatim), digests, verify codes, masking, PDF."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from jinja2 import DictLoader, Environment, StrictUndefined

from bot import pledge_documents as documents
from bot.errors import ContentError
from tests.conftest import CONTENT

PERSON = {
    "name": "张三丰",
    "id_number": "22010219800101123X",
    "phone": "13912345678",
    "address": "长春市示例路1号",
}
FILING = {
    "kind": "long_term",
    "kind_label": "长期异地就医备案",
    "destination_name": "三亚市",
    "destination_province": "海南省",
    "destination_code": "460000",
    "valid_from": date(2026, 11, 22),
    "materials_due": date(2027, 5, 22),
}


def _render(region, filing=None, person=None):
    return documents.render_pledge_text(
        CONTENT, region, person or PERSON, filing or FILING, date(2026, 11, 22)
    )


def test_jilin_pledge_has_its_title_the_person_and_the_article_six_terms():
    text = _render("jilin", {**FILING, "destination_name": "海南省"})
    assert text.splitlines()[0] == "吉林省医疗保险异地就医备案个人承诺书"
    assert "本人张三丰，身份证号码22010219800101123X" in text  # the stored text is never masked
    assert "就医地：海南省" in text
    assert "有效期为6个月" in text and "不得再次申请承诺制备案" in text
    assert "（2027年5月22日前）补齐备案材料" in text
    assert text.endswith("2026年11月22日\n")


def test_jilin_template_says_it_must_be_replaced_by_the_official_annex():
    source = (CONTENT / "regions" / "jilin" / "pledge" / "long_term.j2").read_text("utf-8")
    assert "第六条" in source and "MUST BE REPLACED WITH THE" in source


def test_dezhou_pledge_is_the_annex_text_with_blanks_filled():
    text = _render("dezhou", {**FILING, "destination_name": "济南市", "destination_province": "山东省"})
    assert text.splitlines()[0] == "基本医疗保险长期异地就医备案个人承诺书"
    assert (
        "本人姓名张三丰身份证号码22010219800101123X，\n办理长期异地就医备案到山东省济南市。因个人原因\n"
        in text
    )
    assert "由此产生的一切法律责任均由本\n人承担。" in text
    assert "联系电话：13912345678" in text and "通讯地址：长春市示例路1号" in text
    assert "承诺人（签名）：张三丰" in text


@pytest.mark.parametrize(
    ("name", "province", "blanks"),
    [
        ("济南市", "山东省", ("山东", "济南")),
        ("北京市", "北京市", ("北京", "北京")),
        ("海南省", "海南省", ("海南", "/")),
        ("延边朝鲜族自治州", "吉林省", ("吉林", "延边朝鲜族自治州")),
        ("新疆生产建设兵团", "新疆生产建设兵团", ("新疆生产建设兵团", "/")),
        ("喀什地区", "新疆维吾尔自治区", ("新疆", "喀什地区")),
    ],
)
def test_form_blanks(name, province, blanks):
    found = documents.form_blanks({"destination_name": name, "destination_province": province})
    assert (found["province"], found["city"]) == blanks


def test_digest_and_tamper_detection():
    text = _render("jilin")
    digest = documents.text_digest(text)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert documents.verify(text, digest)
    assert documents.verify(text, digest.upper())
    assert not documents.verify(text.replace("6个月", "12个月"), digest)
    assert not documents.verify(text + " ", digest)


def test_same_input_same_text():
    assert _render("dezhou") == _render("dezhou")


def test_verify_codes():
    codes = {documents.new_verify_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert documents.CODE_PATTERN.match(code)
        assert not set(code) & set("IOL01")
    assert documents.normalise_code(" abcd-efgh-jkmn ") == "ABCDEFGHJKMN"
    assert documents.normalise_code("ABCDEFGHIJKL") is None  # I and L are never issued


def test_masked_view_hides_personal_data():
    shown = documents.masked_text(_render("dezhou"), PERSON)
    for value in PERSON.values():
        assert value not in shown
    assert "2201**********123X" in shown and "139****5678" in shown and "张**" in shown
    assert "2201**********123X" in documents.masked_text(_render("dezhou"))  # by pattern without the person


def test_a_missing_value_is_an_error_not_a_blank():
    with pytest.raises(documents.PledgeDocumentError):
        _render("dezhou", person={"name": "张三丰"})


def test_unknown_region_has_no_pledge():
    with pytest.raises(ContentError):
        _render("atlantis")


def test_an_environment_may_be_given():
    env = Environment(
        loader=DictLoader({"x/pledge/long_term.j2": "T\n{{ person.name }}"}), undefined=StrictUndefined
    )
    assert documents.render_pledge_text(env, "x", PERSON, FILING, date(2026, 1, 1)) == "T\n张三丰\n"


def _png() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGBA", (300, 120), (0, 0, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_pdf_with_and_without_signature():
    text = _render("jilin")
    plain = documents.pledge_pdf(
        text, None, "ABCDEFGHJKMN", "http://127.0.0.1:8000/pledges/verify/ABCDEFGHJKMN"
    )
    signed = documents.pledge_pdf(text, _png(), "ABCDEFGHJKMN", "http://x/pledges/verify/ABCDEFGHJKMN")
    assert plain.startswith(b"%PDF") and signed.startswith(b"%PDF")
    assert b"STSong-Light" in plain
    assert len(signed) > len(plain)


def test_pdf_refuses_a_broken_signature():
    with pytest.raises(documents.PledgeDocumentError):
        documents.pledge_pdf(_render("jilin"), b"not a png", "ABCDEFGHJKMN", "http://x")


def test_pages_are_autoescaped():
    page = documents.render_page(CONTENT, "not_found", {"code": "<script>"})
    assert "<script>" not in page and "&lt;script&gt;" in page
