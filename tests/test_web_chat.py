"""The web chat in a real browser: Debian's chromium, driven by Playwright, against the
real stack (trained Rasa model over socket.io, action server, service).

Covers issue 6: axe-core in every state, a whole application by keyboard through the
widget, no keyboard trap, announcements, markup shown as text, reconnecting, the time
limit, and screenshots into artifacts/web-chat/ (not committed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from bot.contracts import payload_problems
from bot.nlg.texts import t
from bot.stack import Stack
from tests.dialogues.bildung_teilhabe import EXAMPLE_DE
from tests.rest import fictional_pdf, wait_for_delivery
from tests.web_chat import (
    CHROMIUM,
    CHROMIUM_ARGS,
    axe_violations,
    bot_messages,
    city_website,
    focused,
    low_contrast_borders,
    no_horizontal_scroll,
    open_chat,
    require_chromium,
    say,
    screenshot,
    state,
    wait_for_bot,
    widget_frame,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def city(stack: Stack) -> Iterator[str]:
    port = int(stack.env["ANTRAGSLOTSE_WIDGET_ORIGINS"].rsplit(":", 1)[1])
    with city_website(port, stack.service_url) as url:
        yield url


def chat_url(stack: Stack, lang: str = "de", application: str | None = None) -> str:
    query = f"lang={lang}" + (f"&application={application}" if application else "")
    return f"{stack.service_url}/chat?{query}"


def answer_until(page: Page, field: str) -> dict[str, Any]:
    """Answer the Bildung-und-Teilhabe example up to (not including) `field`."""
    current = state(page)
    for pointer, answer in EXAMPLE_DE:
        if pointer == field:
            break
        assert current["field"] == pointer, current
        current = say(page, answer)
    return current


# ------------------------------------------------------------------- axe, per state


def closed_widget(browser: Browser, stack: Stack, city: str) -> Page:
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(city + "?lang=de&application=wohngeld&color=005ca9")
    page.get_by_role("button", name=t("page.launcher", "de")).wait_for()
    return page


def open_empty_widget(browser: Browser, stack: Stack, city: str) -> Page:
    context = browser.new_context(viewport=DESKTOP)
    context.route(re.compile(r"/socket\.io/\?"), lambda route: route.abort())  # no bot yet
    page = context.new_page()
    page.goto(city + "?lang=de")
    page.get_by_role("button", name=t("page.launcher", "de")).click()
    frame = page.frame_locator("iframe")
    frame.locator("#status").get_by_text(t("page.connecting", "de")).wait_for()
    assert frame.locator("[role=log] li").count() == 0
    return page


def question_with_choices(browser: Browser, stack: Stack, city: str) -> Page:
    page = open_chat(browser, chat_url(stack), viewport=DESKTOP)
    assert page.locator(".choices button:enabled").count() >= 5  # the five applications
    assert low_contrast_borders(page) == []
    return page


def invalid_answer(browser: Browser, stack: Stack, city: str) -> Page:
    page = open_chat(browser, chat_url(stack, application="bildung_teilhabe"), viewport=DESKTOP)
    answer_until(page, "/applicant/birth_date")
    assert say(page, "am 45. Brumaire")["step"] == "invalid"
    assert page.locator("#message").get_attribute("aria-invalid") == "true"
    return page


def arabic(browser: Browser, stack: Stack, city: str) -> Page:
    page = open_chat(browser, chat_url(stack, "ar", "bildung_teilhabe"), viewport=DESKTOP)
    say(page, "منى")
    assert page.evaluate("getComputedStyle(document.querySelector('.message-bot')).direction") == (
        "rtl"
    )
    # Every message carries its language; the sender is named in text (R18, R4).
    assert set(page.locator(".message-bot").evaluate_all("m => m.map(e => e.lang)")) == {"ar"}
    senders = [
        s.strip() for s in page.locator("#messages > li > .visually-hidden").all_inner_texts()
    ]
    assert senders[:3] == [t("page.sender_bot", "ar"), t("page.sender_user", "ar")] + [
        t("page.sender_bot", "ar")
    ]
    # German terms kept in the Arabic text ("Datenschutz") are isolated left-to-right runs.
    terms = page.locator(".message-bot bdi[lang=de][dir=ltr]").all_inner_texts()
    assert "Datenschutz" in terms
    return page


def narrow(browser: Browser, stack: Stack, city: str) -> Page:
    page = open_chat(browser, chat_url(stack), viewport=NARROW)
    assert no_horizontal_scroll(page)
    return page


def dark(browser: Browser, stack: Stack, city: str) -> Page:
    page = open_chat(browser, chat_url(stack), viewport=DESKTOP, color_scheme="dark")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 255, 255)"
    assert low_contrast_borders(page) == []
    return page


def forced_colors(browser: Browser, stack: Stack, city: str) -> Page:
    page = open_chat(browser, chat_url(stack), viewport=DESKTOP, forced_colors="active")
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    return page


def guide_question(browser: Browser, stack: Stack, city: str) -> Page:
    """A need in own words: the guide asks its first triage question, with choices."""
    page = open_chat(browser, chat_url(stack), viewport=DESKTOP)
    asked = say(page, "ich hab kein geld mehr zum leben")
    assert asked["guide"] == {"question": "residence"}, asked
    label = t("guide.questions.residence.choices.asylum", "de")
    before = bot_messages(page)
    page.get_by_role("button", name=label).click()
    wait_for_bot(page, before + 1)
    assert state(page)["guide"]["question"] == "children_school"
    screenshot(page, "guide-question-de")
    return page


STATES: dict[str, Callable[[Browser, Stack, str], Page]] = {
    "guide question": guide_question,
    "closed widget": closed_widget,
    "open empty widget": open_empty_widget,
    "question with choices": question_with_choices,
    "invalid answer": invalid_answer,
    "arabic rtl": arabic,
    "320 px": narrow,
    "dark mode": dark,
    "forced colors": forced_colors,
}


@pytest.mark.parametrize("name", STATES)
def test_axe_finds_no_violation(browser: Browser, stack: Stack, city: str, name: str) -> None:
    page = STATES[name](browser, stack, city)
    try:
        assert axe_violations(page) == []
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("colour", "background"),
    [("005ca9", "rgb(0, 92, 169)"), ("ffd700", "rgb(11, 79, 138)")],  # gold: unreadable
)
def test_the_widget_takes_a_brand_colour_only_if_white_text_stays_readable(
    browser: Browser, stack: Stack, city: str, colour: str, background: str
) -> None:
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{city}?lang=de&color={colour}")
    launcher = page.get_by_role("button", name=t("page.launcher", "de"))
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == background
    page.context.close()


def test_the_widget_follows_a_language_switch_in_the_chat(
    browser: Browser, stack: Stack, city: str
) -> None:
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(city + "?lang=de")
    page.get_by_role("button", name=t("page.launcher", "de")).click()
    frame = widget_frame(page)
    wait_for_bot(frame, 1)
    frame.get_by_role("button", name=t("page.language_button", "de")).click()
    frame.get_by_role("button", name=t("page.language_name", "uk")).click()
    wait_for_bot(frame, 2)
    assert state(frame)["lang"] == "uk"
    expect(page.get_by_role("button", name=t("page.launcher", "uk"))).to_be_visible()
    assert page.get_by_role("dialog", name=t("page.widget_title", "uk")).is_visible()
    assert page.locator("iframe").get_attribute("title") == t("page.frame_title", "uk")
    page.context.close()


# ------------------------------------------------------- a whole application, by keyboard


def press_choice(page: Page, frame: Any, payload: str, key: str) -> None:
    """From the message input, Shift+Tab back to the choice button and press it."""
    title = next(c["title"] for c in state(frame)["choices"] if c["payload"] == payload)
    path = []
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        path.append(frame.evaluate("document.activeElement.textContent"))
        if path[-1] == title:
            break
    else:
        pytest.fail(f"Shift+Tab from the input never reached {title!r}: {path}")
    page.keyboard.press(key)


def test_a_whole_application_by_keyboard_through_the_widget(
    browser: Browser, stack: Stack, city: str
) -> None:
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(city + "?lang=de&application=bildung_teilhabe")
    launcher = page.get_by_role("button", name=t("page.launcher", "de"))
    launcher.wait_for()
    # Tab from the top of the city's page to the launcher, open it with Enter.
    for _ in range(10):
        page.keyboard.press("Tab")
        if launcher.evaluate("b => b.getRootNode().activeElement === b"):
            break
    else:
        pytest.fail("the launcher is not reachable by Tab")
    page.keyboard.press("Enter")
    assert launcher.get_attribute("aria-expanded") == "true"
    frame = widget_frame(page)
    wait_for_bot(frame, 1)
    frame.wait_for_function("document.activeElement && document.activeElement.id === 'message'")

    keys = iter(["Space", "Enter"] * 50)
    field_types = {"email": "email", "phone": "tel"}
    for pointer, answer in EXAMPLE_DE:
        current = state(frame)
        assert (current["step"], current["field"]) == ("ask", pointer)
        # The input follows the question: type and autocomplete (bday, postal-code, tel).
        asked = current["input"]
        message = frame.locator("#message")
        assert message.get_attribute("type") == field_types.get(asked["type"], "text")
        assert message.get_attribute("autocomplete") == (asked["autocomplete"] or "off")
        before = bot_messages(frame)
        titles = {c["title"].lower(): c["payload"] for c in current.get("choices") or []}
        if pointer.startswith("/documents/"):
            # The document question: Tab to the file input, open it with Space.
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            assert focused(frame) == "INPUT#upload-file"
            with page.expect_file_chooser() as chooser:
                page.keyboard.press("Space")
            chooser.value.set_files(
                files=[
                    {
                        "name": "bescheid.pdf",
                        "mimeType": "application/pdf",
                        "buffer": fictional_pdf("Bescheid (fiktiv)"),
                    }
                ]
            )
            announced = t("page.upload_done", "de", name="bescheid.pdf")
            frame.locator("#status").get_by_text(announced).wait_for()
        elif answer.startswith("/") or answer.lower() in titles:
            press_choice(page, frame, titles.get(answer.lower(), answer), next(keys))
        else:
            page.keyboard.type(answer)
            page.keyboard.press("Enter")
        try:
            wait_for_bot(frame, before + 1)
        except PlaywrightTimeoutError:
            status = frame.inner_text("#status")
            pytest.fail(f"no answer to {pointer} = {answer!r} (status line: {status!r})")
        # Focus is back in the input after every answer, never on the page body.
        assert focused(frame) == "INPUT#message", pointer

    assert state(frame)["step"] == "summary"
    summary = frame.locator(".message-bot").last
    headings = summary.locator("h2").all_inner_texts()
    assert t("apps.bildung_teilhabe.sections.applicant.title", "de") in headings
    family_name = t("apps.bildung_teilhabe.fields.family_name.label", "de")
    assert summary.locator("dt", has_text=family_name).count() >= 1
    assert axe_violations(page) == []
    screenshot(page, "widget-summary-de")

    before = bot_messages(frame)
    press_choice(page, frame, state(frame)["choices"][0]["payload"], "Enter")
    wait_for_bot(frame, before + 1)
    frame.wait_for_function("!document.getElementById('receipt').hidden")
    reference = state(frame)["reference"]
    assert re.fullmatch(r"WI-\d{4}-[A-Z0-9-]+", reference)
    assert reference in frame.locator("#receipt").inner_text()
    assert "Elif" in frame.locator("#receipt").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "widget-receipt-de")
    # The office gets the contract's payload, with the uploaded notice, from "socketio".
    payload = wait_for_delivery(stack, reference)["payload"]
    assert payload_problems(payload) == []
    assert (payload["channel"], payload["children"][1]["given_names"]) == ("socketio", "Can")
    assert [d["kind"] for d in payload["documents"] if d.get("attachment_id")] == ["benefit_notice"]

    # The receipt downloads as an HTML file with the reference number and summary.
    page.keyboard.press("Tab")  # send
    while focused(frame) != "BUTTON#receipt-download":
        page.keyboard.press("Tab")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    receipt = open(download.value.path(), encoding="utf-8").read()
    assert reference in receipt and "Elif" in receipt and '<html lang="de"' in receipt

    # Esc closes the panel and gives focus back to the launcher.
    page.keyboard.press("Escape")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert launcher.evaluate("b => b.getRootNode().activeElement === b")
    page.context.close()


def test_keyboard_focus_is_never_trapped(browser: Browser, stack: Stack, city: str) -> None:
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(city + "?lang=de")
    launcher = page.get_by_role("button", name=t("page.launcher", "de"))
    launcher.click()
    frame = widget_frame(page)
    wait_for_bot(frame, 1)
    seen: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        top = page.evaluate("document.activeElement && document.activeElement.id")
        inner = focused(frame) if page.evaluate("document.activeElement.tagName") == "DIV" else ""
        seen.append(f"{top}|{inner}")
        if top and top.startswith("city-"):
            # WCAG 2.4.11: the open widget does not hide the city page's focused link.
            assert page.evaluate(
                """() => { const a = document.activeElement, r = a.getBoundingClientRect();
                           return document.elementFromPoint(r.x + r.width / 2,
                                                            r.y + r.height / 2) === a; }"""
            ), top
    went_in = [i for i, s in enumerate(seen) if "INPUT#message" in s]
    came_out = [i for i, s in enumerate(seen) if s.startswith("city-")]
    assert went_in, seen
    assert any(i > went_in[0] for i in came_out), seen  # Tab leaves the chat again


# ------------------------------------------------------- announcements, focus, markup


def test_each_bot_message_is_announced_once_and_nothing_old_is_reread(
    browser: Browser, stack: Stack
) -> None:
    page = open_chat(browser, chat_url(stack, application="bildung_teilhabe"), viewport=DESKTOP)
    for answer in ("Mehmet", "Yılmaz", "überspringen"):
        say(page, answer)
    page.wait_for_timeout(300)
    # The browser's accessibility tree: the transcript is a polite, non-atomic live log.
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    logs = [n for n in tree if n.get("role", {}).get("value") == "log"]
    assert len(logs) == 1
    props = {p["name"]: p["value"].get("value") for p in logs[0].get("properties", [])}
    assert (props.get("live"), props.get("atomic", False)) == ("polite", False)
    announced = page.evaluate("window.__announced")
    in_log = [a["text"] for a in announced if a["role"] == "log"]
    messages = page.locator("#messages > li").all_text_contents()
    # One announcement per transcript entry (3 answers, 4 bot messages), in order.
    assert len(in_log) == len(messages) == 7
    for said, shown in zip(in_log, messages, strict=True):
        assert said == shown.strip()
    # The typing line went to the status region, never into the log.
    assert not any(t("page.typing", "de") in text for text in in_log)
    # Bot texts are not repeated in the status region.
    statuses = [a["text"] for a in announced if a["role"] == "status"]
    assert not set(statuses) & set(in_log)
    page.context.close()


PUSH_JS = """text => window.antragslotse.socket.listeners('bot_uttered')[0]({text, custom: null})"""


def test_arriving_messages_move_neither_focus_nor_the_reader(
    browser: Browser, stack: Stack
) -> None:
    page = open_chat(browser, chat_url(stack), viewport={"width": 1280, "height": 700})
    page.get_by_role("button", name=t("page.text_larger", "de")).focus()
    # Messages the server pushes on its own, delivered through the page's socket.
    page.evaluate(PUSH_JS, "Hinweis ohne Zutun")
    page.locator(".message-bot", has_text="Hinweis ohne Zutun").wait_for()
    assert focused(page) == "BUTTON#text-larger"

    # The reader scrolled up: a new message does not scroll, a button offers it.
    log = page.locator("#log")
    assert log.evaluate("l => l.scrollHeight > l.clientHeight"), "the log should scroll here"
    log.evaluate("l => { l.scrollTop = 0; }")
    page.evaluate(PUSH_JS, "Noch ein Hinweis")
    page.locator(".message-bot", has_text="Noch ein Hinweis").wait_for()
    assert log.evaluate("l => l.scrollTop") == 0
    new_messages = page.get_by_role("button", name=t("page.new_messages", "de"))
    new_messages.click()
    assert log.evaluate("l => l.scrollTop") > 0
    assert new_messages.is_hidden()
    assert focused(page) == "DIV#log"
    page.context.close()


def test_markup_from_citizen_and_bot_is_shown_as_text(browser: Browser, stack: Stack) -> None:
    page = open_chat(browser, chat_url(stack, application="bildung_teilhabe"), viewport=DESKTOP)
    attack = '<img src=x onerror="window.__xss=1"><b>Mehmet</b>'
    say(page, attack)
    page.evaluate(
        """() => window.antragslotse.socket.listeners('bot_uttered')[0]({
              text: '<script>window.__xss=2</script><i>kursiv</i>',
              buttons: [{title: '<img src=y onerror="window.__xss=3">', payload: '/help'}]})"""
    )
    page.locator(".message-bot", has_text="<i>kursiv</i>").wait_for()
    assert page.locator(".message-user").last.inner_text().endswith(attack)
    assert page.locator("#messages img, #messages b, #messages i, #messages script").count() == 0
    assert page.evaluate("window.__xss") is None
    page.context.close()


# ------------------------------------------------------------ transport and time limit


def test_a_dropped_connection_loses_no_answer(browser: Browser, stack: Stack) -> None:
    page = open_chat(browser, chat_url(stack, application="bildung_teilhabe"), viewport=DESKTOP)
    say(page, "Mehmet")
    page.context.set_offline(True)  # the network drops, and stays down for a while
    page.evaluate("window.antragslotse.socket.io.engine.close()")
    page.locator("#status").get_by_text(t("page.reconnecting", "de")).wait_for()
    bots = bot_messages(page)
    page.locator("#message").fill("Yılmaz")  # typed while the connection is down
    page.locator("#message").press("Enter")
    page.wait_for_timeout(2000)
    assert bot_messages(page) == bots
    page.context.set_offline(False)
    wait_for_bot(page, bots + 1)
    assert state(page)["field"] == "/applicant/birth_name"
    assert page.locator(".not-sent").count() == 0
    announced = [a["text"] for a in page.evaluate("window.__announced") if a["role"] == "status"]
    assert t("page.connected", "de") in announced
    page.reload()  # and a reload continues the same conversation
    wait_for_bot(page, 3)
    assert say(page, "überspringen")["field"] == "/applicant/birth_date"
    page.context.close()


def test_a_turn_cut_off_by_the_connection_ends_where_the_dialogue_stands(
    browser: Browser, stack: Stack
) -> None:
    page = open_chat(browser, chat_url(stack, application="bildung_teilhabe"), viewport=DESKTOP)
    bots = bot_messages(page)
    page.locator("#message").fill("Mehmet")
    # Sent, and the connection drops before any answer can come back.
    page.evaluate(
        """() => { document.getElementById('composer').requestSubmit();
                   window.antragslotse.socket.io.engine.close(); }"""
    )
    wait_for_bot(page, bots + 1)  # after the reconnect the bot says where it stands
    field = state(page)["field"]
    assert page.locator(".not-sent").count() == 0
    assert page.locator("#message").input_value() == ""
    # Whether "Mehmet" arrived or not, the page now asks what the bot asks.
    following = {
        "/applicant/given_names": "/applicant/family_name",
        "/applicant/family_name": "/applicant/birth_name",
    }
    assert field in following
    assert (
        say(page, "Mehmet" if field.endswith("given_names") else "Yılmaz")["field"]
        == (following[field])
    )
    page.context.close()


def test_time_limit_warns_extends_and_pauses(browser: Browser, stack: Stack) -> None:
    page = open_chat(browser, chat_url(stack, application="bildung_teilhabe"), viewport=DESKTOP)
    say(page, "Mehmet")
    page.locator("#message").focus()
    warning = page.locator("[role=alert] .session-warning")
    warning.wait_for(timeout=30_000)  # 15 s after the last answer in the test stack
    assert "20 Sekunden" in warning.inner_text()
    assert focused(page) == "INPUT#message"  # the warning did not take the focus
    assert axe_violations(page) == []
    screenshot(page, "chat-time-limit-warning-de")

    warning.get_by_role("button").click()  # one action extends
    page.locator("#status").get_by_text("35 Sekunden").wait_for()
    assert warning.count() == 0

    # Not extended again: the draft is paused, with a code to continue.
    page.wait_for_function(
        "t => [...document.querySelectorAll('.message-bot')].some(m => m.innerText.includes(t))",
        arg=t("common.idle_paused", "de", time="35 Sekunden"),
        timeout=60_000,
    )
    # A shared screen: only the message with the code is left, nothing stays stored.
    assert page.locator(".message-user").count() == 0 and bot_messages(page) == 1
    paused = page.locator(".message-bot").last.inner_text()
    code = re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", paused)
    assert code, paused
    assert page.evaluate("Object.keys(sessionStorage).length") == 0
    # The next person at this screen gets a new conversation; the code brings the draft back.
    page.goto(chat_url(stack))
    wait_for_bot(page, 1)
    assert state(page)["step"] == "menu" and "Mehmet" not in page.inner_text("#messages")
    resumed = say(page, code.group(0))
    assert resumed["application"] == "bildung_teilhabe"
    assert resumed["field"] == "/applicant/family_name"
    page.context.close()


# --------------------------------------------------------- layout, size, screenshots


def test_text_size_reflow_targets_and_reduced_motion(browser: Browser, stack: Stack) -> None:
    page = open_chat(browser, chat_url(stack), viewport=NARROW, reduced_motion="reduce")
    larger = page.get_by_role("button", name=t("page.text_larger", "de"))
    for _ in range(4):
        larger.click()
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
    assert page.locator("#status").inner_text() == t("page.text_size_status", "de", percent=200)
    assert no_horizontal_scroll(page)
    for button in page.locator("button:visible").all():
        box = button.bounding_box()
        assert box and box["width"] >= 24 and box["height"] >= 24, button.inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"] + 1
    page.keyboard.press("Tab")
    outline = page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert outline >= 2
    assert page.evaluate("document.getAnimations().length") == 0
    page.context.close()


TEXT_SPACING_CSS = """* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
  word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"""


def test_wcag_text_spacing_clips_nothing(browser: Browser, stack: Stack) -> None:
    """WCAG 1.4.12's spacing override (injected, so the page's CSP is bypassed here only)."""
    page = open_chat(browser, chat_url(stack), viewport=NARROW, bypass_csp=True)
    page.add_style_tag(content=TEXT_SPACING_CSS)
    assert no_horizontal_scroll(page)
    # Every button's text still fits it; nothing else cuts its content off.
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('button, label, p, h1, li')]
              .filter(e => e.offsetParent !== null
                           && (e.tagName === 'BUTTON' || getComputedStyle(e).overflow !== 'visible')
                           && (e.scrollWidth > e.clientWidth + 1
                               || e.scrollHeight > e.clientHeight + 1))
              .map(e => e.textContent.slice(0, 40))"""
    )
    assert clipped == []
    page.context.close()


@pytest.mark.parametrize("lang", ["de", "ar"])
@pytest.mark.parametrize("size", ["desktop", "320px"])
def test_screenshots(browser: Browser, stack: Stack, lang: str, size: str) -> None:
    viewport = DESKTOP if size == "desktop" else NARROW
    page = open_chat(browser, chat_url(stack, lang, "bildung_teilhabe"), viewport=viewport)
    say(page, "Mehmet" if lang == "de" else "منى")
    say(page, "Yılmaz" if lang == "de" else "الخطيب")
    path = screenshot(page, f"chat-{lang}-{size}")
    assert path.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
    page.context.close()


# ------------------------------------------------------------- help, always there


def test_help_person_and_language_from_the_bar_above_the_chat(
    browser: Browser, stack: Stack
) -> None:
    page = open_chat(browser, chat_url(stack, application="bildung_teilhabe"), viewport=DESKTOP)
    say(page, "Mehmet")
    bots = bot_messages(page)
    page.get_by_role("button", name=t("page.help_button", "de")).click()
    wait_for_bot(page, bots + 1)
    assert (state(page)["step"], state(page)["field"]) == ("help", "/applicant/family_name")

    toggle = page.get_by_role("button", name=t("page.language_button", "de"))
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    bots = bot_messages(page)
    page.get_by_role("button", name=t("page.language_name", "ar")).click()
    wait_for_bot(page, bots + 1)
    # The same question, now in Arabic; the whole page follows; focus stays on the bar.
    assert (state(page)["lang"], state(page)["field"]) == ("ar", "/applicant/family_name")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "ar",
        "rtl",
    ]
    assert page.locator("h1").inner_text() == t("page.heading", "ar")
    assert focused(page) == "BUTTON#language-toggle"

    bots = bot_messages(page)
    page.get_by_role("button", name=t("page.human_button", "ar")).click()
    wait_for_bot(page, bots + 1)
    assert state(page)["step"] == "handover"
    assert axe_violations(page) == []
    page.context.close()
