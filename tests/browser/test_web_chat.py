"""The web chat page in a real browser on a phone-sized viewport: welcome, questions, choices, language,
region, retries, the who-pays-what bar and the signature pad."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect
from sqlmodel import Session, select

from bot.store.conversations import find_conversation
from bot.store.filing_models import Pledge
from bot.store.staff import claim, staff_reply
from tests.browser.conftest import LiveServer
from tests.conftest import unique_user
from tests.flows.filing_support import fresh_person

pytestmark = pytest.mark.browser

SCREENSHOTS = "/tmp/yibao-web-chat"


def _bot(page: Page) -> Any:
    return page.locator("#log .msg.bot:not(.typing)")


def _welcome(page: Page) -> None:
    expect(_bot(page).first).to_contain_text("医保异地就医助手")


def _session(page: Page) -> dict[str, str]:
    return json.loads(page.evaluate("window.localStorage.getItem('yibao.web.session')"))


def _chat_bodies(page: Page) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []

    def record(request: Any) -> None:
        if request.url.endswith("/api/v1/chat"):
            bodies.append(request.post_data_json)

    page.on("request", record)
    return bodies


def test_page_loads_with_the_welcome_and_numbered_choices(page: Page) -> None:
    _welcome(page)
    welcome = _bot(page).first
    expect(welcome).to_contain_text("吉林省")
    assert welcome.locator(".choices button").count() >= 5
    expect(welcome.locator(".choices button").first.locator(".num")).to_have_text("1")
    expect(page.locator("#connecting")).to_have_count(0)
    session = _session(page)
    assert session["region"] == "jilin" and session["token"]
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_label("输入您的问题")).to_have_attribute("maxlength", "1000")
    page.screenshot(path=f"{SCREENSHOTS}-welcome.png")


def test_a_typed_question_gets_an_answer_and_a_lost_request_is_resent_with_the_same_id(page: Page) -> None:
    _welcome(page)
    bodies = _chat_bodies(page)
    dropped: list[str] = []

    def drop_first(route: Route) -> None:
        if not dropped:
            dropped.append(route.request.post_data_json["client_msg_id"])
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/api/v1/chat", drop_first)
    box = page.get_by_label("输入您的问题")
    box.fill("长期异地备案要什么材料")
    box.press("Enter")
    expect(page.locator("#log .msg.me").last).to_have_text("我：长期异地备案要什么材料")
    expect(_bot(page).filter(has_text="吉医保规〔2023〕4号 第三条")).to_have_count(1)
    expect(box).to_have_value("")
    ids = [body["client_msg_id"] for body in bodies]
    assert len(ids) == 2 and ids[0] == ids[1] == dropped[0], ids
    expect(page.locator("#log .notice")).to_have_count(0)  # the retry notice is gone once it worked


def test_tapping_a_numbered_choice_sends_its_number(page: Page) -> None:
    _welcome(page)
    bodies = _chat_bodies(page)
    first = _bot(page).first.locator(".choices button").first
    label = first.locator(".label").inner_text()
    first.tap()
    expect(page.locator("#log .msg.me").last).to_have_text(f"我：{label}")
    expect(_bot(page).nth(1)).to_be_visible()  # the engine answered
    assert bodies[-1]["text"] == "1" and "event" not in bodies[-1]
    expect(first).to_be_disabled()  # an older reply's numbers no longer apply


def test_english_toggle_switches_the_conversation_and_the_page(page: Page, live_server: LiveServer) -> None:
    _welcome(page)
    bodies = _chat_bodies(page)
    page.get_by_role("button", name="English", exact=True).click()
    expect(_bot(page).last).to_contain_text("Switched to English")
    assert bodies[-1]["text"] == "English"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#send")).to_have_text("Send")
    expect(page.locator("#lang")).to_have_text("中文")
    expect(page.locator("#region option:checked")).to_have_text("Jilin")
    page.get_by_label("Type your question").fill("长期异地备案要什么材料")
    page.locator("#send").click()
    expect(_bot(page).filter(has_text="Long-term")).not_to_have_count(0)
    page.screenshot(path=f"{SCREENSHOTS}-english.png")
    # A new visit keeps the language: the page chrome and the welcome are English.
    page.reload()
    expect(page.locator("h1")).to_have_text("Remote Medical Insurance Assistant")
    expect(_bot(page).first).to_contain_text("Jilin")
    page.get_by_role("button", name="中文", exact=True).click()
    expect(_bot(page).last).to_contain_text("已切换为中文")
    expect(page.locator("#send")).to_have_text("发送")


def test_region_picker_starts_a_session_in_the_other_region(page: Page) -> None:
    _welcome(page)
    first_token = _session(page)["token"]
    page.get_by_label("参保地").select_option("dezhou")
    expect(page.locator("#log .notice").last).to_have_text("已切换参保地：德州市")
    expect(_bot(page).last).to_contain_text("德州市")
    session = _session(page)
    assert session["region"] == "dezhou" and session["token"] != first_token
    page.reload()
    expect(page.locator("#region")).to_have_value("dezhou")
    expect(_bot(page).first).to_contain_text("德州市")


def test_after_asking_for_a_person_the_staff_answer_appears(page: Page, live_server: LiveServer) -> None:
    _welcome(page)
    _type(page, "人工")
    user_key = _session(page)["user_key"]
    with Session(live_server.app.state.engine.db) as session:
        conversation = find_conversation(session, "web", "web", user_key)
        assert conversation is not None and conversation.status == "waiting"
        claim(session, conversation.id, "agent-li")
        staff_reply(session, conversation.id, "agent-li", "您好，我是客服小李，请问有什么可以帮您？")
        session.commit()
    answer = page.locator("#log .msg.staff")
    expect(answer).to_have_count(1, timeout=15_000)  # polled every few seconds
    expect(answer.locator(".who")).to_have_text("人工客服")
    expect(answer.locator(".text")).to_have_text("您好，我是客服小李，请问有什么可以帮您？")
    assert _session(page)["after"] > 0  # a reload shows only what is new


def test_a_stale_token_is_replaced_and_the_chosen_language_kept(page: Page) -> None:
    _welcome(page)
    page.evaluate(
        """() => {
            const saved = JSON.parse(localStorage.getItem("yibao.web.session"));
            saved.token = "expired-or-forged";
            localStorage.setItem("yibao.web.session", JSON.stringify(saved));
            localStorage.setItem("yibao.web.lang", "en");
        }"""
    )
    page.reload()
    expect(_bot(page).first).to_contain_text("Jilin")  # the welcome, in English, for a new guest session
    assert _session(page)["token"] != "expired-or-forged"
    expect(page.locator("#log .notice")).to_have_count(0)


def test_a_refused_message_is_explained_politely(page: Page) -> None:
    _welcome(page)
    page.route(
        "**/api/v1/chat",
        lambda route: route.fulfill(
            status=422, content_type="application/json", body='{"detail": [{"loc": ["body"], "msg": "x"}]}'
        ),
    )
    page.get_by_label("输入您的问题").fill("你好")
    page.locator("#send").click()
    notice = page.locator("#log .notice.error")
    expect(notice).to_have_text("这条消息无法发送，请换个说法再试。")
    expect(notice).to_have_attribute("role", "alert")
    expect(page.locator("#send")).to_be_enabled()


def _step(page: Page, act: Any) -> None:
    """Do something and wait for the engine's next reply."""
    before = _bot(page).count()
    act()
    expect(_bot(page).nth(before)).to_be_visible()


def _tap(page: Page, label: str) -> None:
    _step(page, lambda: _bot(page).last.get_by_role("button", name=label, exact=True).tap())


def _type(page: Page, text: str) -> None:
    def act() -> None:
        page.locator("#input").fill(text)
        page.locator("#send").click()

    _step(page, act)


def test_an_estimate_ends_with_the_who_pays_what_bar(page: Page) -> None:
    _welcome(page)
    _type(page, "算一算")
    for label in ("居民医保", "住院", "三级医院", "长期异地（已备案）", "否", "是"):
        _tap(page, label)
    _type(page, "两万三")
    _type(page, "10月8号")
    # resident, level 3, long-term, own fault: 65% − 10 − 10 = 45%; (23000 − 800) × 45% = 9990.00
    chart = page.locator("#log .msg.bot .chart")
    expect(chart).to_have_count(1)
    expect(chart).to_have_attribute("aria-label", "费用分担示意图")
    expect(chart.locator(".row.fund")).to_have_text("统筹基金支付¥9,990.00 43%")
    expect(chart.locator(".row.person")).to_have_text("个人负担¥13,010.00 57%")
    expect(chart.locator(".row.total")).to_have_text("总费用¥23,000.00")
    fund = float(chart.locator("rect.fund").get_attribute("width"))
    person = float(chart.locator("rect.person").get_attribute("width"))
    assert fund == pytest.approx(100 * 9990 / 23000, abs=0.01)
    assert fund + person == pytest.approx(100)
    box = chart.locator("svg").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 10
    chart.scroll_into_view_if_needed()
    page.screenshot(path=f"{SCREENSHOTS}-chart.png")


def test_signature_pad_draws_posts_the_png_and_continues_the_conversation(
    page: Page, live_server: LiveServer
) -> None:
    _welcome(page)
    live_server.signatures.posts.clear()
    page.evaluate(
        """window.yibaoChat.renderReply({intent: "filing", messages: [{
            text: "请阅读承诺书后签名。", kind: "text", choices: [], links: [],
            data: {signature_request: {post_url: "/test-only/signature", title: "承诺书签名",
                                       confirm_text: "我承诺"}}}]})"""
    )
    pad = page.locator(".signature").last
    expect(pad.locator("h2")).to_have_text("承诺书签名")
    pad.get_by_role("button", name="提交").click()
    expect(pad.locator(".status")).to_have_text("请先在框内签名，再点“提交”。")
    assert live_server.signatures.posts == []

    canvas = pad.get_by_role("img", name="签名区域")
    box = canvas.bounding_box()
    assert box and box["width"] > 300
    # A mouse stroke, then 清除: the pad is empty again.
    page.mouse.move(box["x"] + 30, box["y"] + 60)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 90, steps=8)
    page.mouse.up()
    pad.get_by_role("button", name="清除").click()
    pad.get_by_role("button", name="提交").click()
    expect(pad.locator(".status")).to_have_text("请先在框内签名，再点“提交”。")
    assert live_server.signatures.posts == []
    # A finger stroke (real touch events), then 提交.
    _finger_stroke(
        page, [(box["x"] + 30 + step * 22, box["y"] + 100 + (30 if step % 2 else -30)) for step in range(12)]
    )
    page.screenshot(path=f"{SCREENSHOTS}-signature.png")
    pad.get_by_role("button", name="提交").click()
    expect(pad.locator(".status")).to_have_text("签名已提交。")
    expect(page.locator("#log .msg.me").last).to_have_text("我：我承诺")
    expect(_bot(page).nth(2)).to_be_visible()  # the engine answered 我承诺
    expect(pad.get_by_role("button", name="提交")).to_be_disabled()

    [post] = live_server.signatures.posts
    assert post["authorization"] == "Bearer " + _session(page)["token"]
    image = post["body"]["image"]
    assert image.startswith("data:image/png;base64,")
    assert base64.b64decode(image.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    dark, width, height = page.evaluate(
        """async (url) => {
            const img = new Image(); img.src = url; await img.decode();
            const c = document.createElement("canvas"); c.width = img.width; c.height = img.height;
            const g = c.getContext("2d"); g.drawImage(img, 0, 0);
            const d = g.getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] < 128) n++; }
            return [n, img.width, img.height]; }""",
        image,
    )
    assert dark > 200 and width <= 600 and height > 100  # strokes on white, small enough to post


def _finger_stroke(page: Page, points: list[tuple[float, float]]) -> None:
    cdp = page.context.new_cdp_session(page)
    for index, (x, y) in enumerate(points):
        kind = "touchStart" if index == 0 else "touchMove"
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_pledge_filing_is_signed_on_the_canvas_and_stored(page: Page, live_server: LiveServer) -> None:
    engine = live_server.app.state.engine
    user = unique_user("web-sig")
    fresh_person(engine, f"dev-{user}")
    login = page.request.post(
        live_server.url + "/api/v1/auth/dev-login", data={"user": user, "region": "jilin"}
    )
    page.evaluate(
        "session => localStorage.setItem('yibao.web.session', JSON.stringify(session))",
        {**login.json(), "region": "jilin"},
    )
    page.reload()
    _welcome(page)
    _type(page, "我要办备案")
    for part in ("承诺制", "转诊"):
        _step(page, lambda part=part: _bot(page).last.locator(".choices button", has_text=part).first.tap())
    _type(page, "北京")
    _type(page, "今天")
    expect(_bot(page).last).to_contain_text("承诺书")
    _type(page, "我承诺")
    pad = page.locator(".signature")
    expect(pad).to_have_count(1)
    box = pad.get_by_role("img", name="签名区域").bounding_box()
    assert box
    _finger_stroke(page, [(box["x"] + 40 + step * 20, box["y"] + 60 + (step % 3) * 25) for step in range(10)])
    pad.get_by_role("button", name="提交").click()
    expect(pad.locator(".status")).to_have_text("签名已提交。")
    page.screenshot(path=f"{SCREENSHOTS}-pledge.png")
    with Session(engine.db) as session:
        conversation = find_conversation(session, "web", "web", f"dev-{user}")
        assert conversation is not None and conversation.person_id is not None
        [pledge] = session.exec(select(Pledge).where(Pledge.person_id == conversation.person_id)).all()
        png = engine.cipher.open_bytes(pledge.signature_enc, "signature")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_page_fits_a_phone(page: Page) -> None:
    _welcome(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    composer = page.locator("#composer").bounding_box()
    assert composer and composer["y"] + composer["height"] <= 844
