"""Telegram: the whole application as a text dialogue, against a strict fake of the Bot API.

Updates go to the real stack's webhook on Rasa's port as Telegram would send them;
what the channel sends back is checked by tests/fake_telegram.py as Telegram would
check it (fields, 4,096 characters, 64-byte callback data, answered presses).
"""

from __future__ import annotations

import asyncio
import io
import itertools
import re
import secrets
import threading
import time
from typing import Any

import pytest
import requests
import socketio
from PIL import Image

from bot import cli
from bot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH
from bot.contracts import payload_problems
from bot.nlg.texts import t
from bot.parsing.resume_code import ALPHABET as RESUME_ALPHABET
from bot.stack import Stack
from tests.conftest import TELEGRAM_SECRET
from tests.dialogues.multilingual import ARABIC
from tests.fake_telegram import FakeTelegram, Sent
from tests.rest import RestCitizen, fictional_pdf, wait_for_delivery
from tests.scripts import GRUNDSICHERUNG_DE

pytestmark = pytest.mark.stack

_update_ids = itertools.count(1)
NUMBERED = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)
REFERENCE = re.compile(r"[A-Z]{2,4}-[0-9]{4}-[0-9A-Z]{6,10}")
RESUME_CODE = re.compile(rf"[{RESUME_ALPHABET}]{{5}}-[{RESUME_ALPHABET}]{{5}}")


class TelegramCitizen:
    """One Telegram user in a private chat with the bot."""

    def __init__(self, stack: Stack, telegram: FakeTelegram, language_code: str = "de") -> None:
        self.stack, self.telegram = stack, telegram
        self.user_id = 10**8 + secrets.randbelow(10**9)
        self.language_code = language_code

    def post(self, update: dict[str, Any], secret: str | None = TELEGRAM_SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        answer = requests.post(
            f"{self.stack.rasa_url}{WEBHOOK_PATH}", json=update, headers=headers, timeout=120
        )
        return answer.status_code

    def message(self, chat_type: str = "private", **content: Any) -> dict[str, Any]:
        author = {"id": self.user_id, "is_bot": False, "first_name": "Helga"}
        return {
            "update_id": next(_update_ids),
            "message": {
                "message_id": next(_update_ids),
                "from": {**author, "language_code": self.language_code},
                "chat": {"id": self.user_id, "type": chat_type, "first_name": "Helga"},
                "date": int(time.time()),
                **content,
            },
        }

    def say(self, text: str) -> list[Sent]:
        return self._new_messages(lambda: self.post(self.message(text=text)))

    def send_photo(self, data: bytes) -> list[Sent]:
        """A photo as Telegram announces one: sizes by `file_id`, fetched with getFile."""
        file_id = secrets.token_hex(8)
        self.telegram.files[file_id] = data
        photo = [{"file_id": file_id, "file_unique_id": file_id, "width": 800, "height": 600}]
        return self._new_messages(lambda: self.post(self.message(photo=photo)))

    def press(self, label: str) -> list[Sent]:
        """Presses the button `label` of the last message, as Telegram reports a press."""
        last = self.telegram.to(self.user_id)[-1]
        button = next(b for b in last.buttons if b["text"] == label)
        query = str(secrets.randbelow(10**12))
        self.telegram.open_callbacks.add(query)
        keyboard = [[b] for b in last.buttons]
        update = {
            "update_id": next(_update_ids),
            "callback_query": {
                "id": query,
                "from": {"id": self.user_id, "is_bot": False, "first_name": "Helga"},
                "message": {
                    "message_id": 1,
                    "chat": {"id": self.user_id, "type": "private"},
                    "date": int(time.time()),
                    "text": last.text,
                    "reply_markup": {"inline_keyboard": keyboard},
                },
                "chat_instance": "1",
                "data": button["callback_data"],
            },
        }
        sent = self._new_messages(lambda: self.post(update))
        assert query in self.telegram.answered_callbacks, "the button keeps spinning"
        return sent

    def _new_messages(self, send: Any) -> list[Sent]:
        before = len(self.telegram.to(self.user_id))
        assert send() == 200
        return self.telegram.to(self.user_id)[before:]


def _text(messages: list[Sent]) -> str:
    """What the chat shows, paragraphs as single line breaks (see `_lines`)."""
    return _lines("\n".join(message.text for message in messages))


def _lines(text: str) -> str:
    """Text with one line break between paragraphs: REST may send them as one message or two."""
    return re.sub(r"\n+", "\n", text)


def test_an_update_without_our_secret_is_refused_and_nothing_happens(
    stack: Stack, telegram: FakeTelegram
) -> None:
    citizen = TelegramCitizen(stack, telegram)

    assert citizen.post(citizen.message(text="/start"), secret="guessed") == 401
    assert citizen.post(citizen.message(text="/start"), secret=None) == 401

    assert telegram.to(citizen.user_id) == []


def test_the_dialogue_starts_in_the_language_of_the_telegram_app(
    stack: Stack, telegram: FakeTelegram
) -> None:
    citizen = TelegramCitizen(stack, telegram, language_code="ar")

    welcome = citizen.say("/start")

    text = _text(welcome)
    assert re.search("[\u0600-\u06ff]", text), text
    listed = NUMBERED.findall(welcome[-1].text)
    assert [label for _, label in listed] == [b["text"] for b in welcome[-1].buttons]
    assert t("messenger.choose", "ar") in welcome[-1].text
    assert telegram.violations == []


def test_a_number_word_and_a_pressed_button_answer_as_the_buttons_would(
    stack: Stack, telegram: FakeTelegram
) -> None:
    by_button = []
    for position in (1, 2):  # the second and the third application, chosen by button over REST
        rest = RestCitizen(stack)
        _, menu = rest.say("/start", language="de")
        by_button.append(rest.say(menu["choices"][position]["payload"])[0])

    typed, pressed = TelegramCitizen(stack, telegram), TelegramCitizen(stack, telegram)
    typed.say("/start")
    pressed.say("/start")
    shown = _text(typed.say("zwei"))
    third = telegram.to(pressed.user_id)[-1].buttons[2]["text"]
    shown_after_press = _text(pressed.press(third))

    assert _lines(by_button[0]) in shown and re.search(r"Frage 1 von \d+", shown), shown
    assert _lines(by_button[1]) in shown_after_press
    assert telegram.violations == []


def test_a_voice_message_is_asked_to_be_written_and_nothing_else_happens(
    stack: Stack, telegram: FakeTelegram
) -> None:
    citizen = TelegramCitizen(stack, telegram, language_code="uk")
    voice = {"file_id": "v1", "file_unique_id": "v1", "duration": 3}

    before = len(telegram.calls)
    assert citizen.post(citizen.message(voice=voice)) == 200

    assert [m.text for m in telegram.to(citizen.user_id)] == [t("messenger.voice", "uk")]
    assert telegram.calls[before:] == ["sendMessage"]


def test_group_chats_get_no_dialogue(stack: Stack, telegram: FakeTelegram) -> None:
    citizen = TelegramCitizen(stack, telegram)

    assert citizen.post(citizen.message(chat_type="group", text="/start")) == 200

    assert telegram.to(citizen.user_id) == []


def test_rate_limited_sends_are_sent_again_in_order(stack: Stack, telegram: FakeTelegram) -> None:
    unhurried = [m.text for m in TelegramCitizen(stack, telegram).say("/start")]
    citizen = TelegramCitizen(stack, telegram)

    telegram.rate_limit_next = 2
    hurried = [m.text for m in citizen.say("/start")]

    assert telegram.rate_limit_next == 0  # both 429s were met
    assert hurried == unhurried


def fictional_photo() -> bytes:
    """A phone photo of a paper (fictional): a JPEG with camera metadata the bot drops."""
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(out, "JPEG")
    return out.getvalue()


def test_a_photo_when_no_proof_is_asked_is_explained_not_stored(
    stack: Stack, telegram: FakeTelegram
) -> None:
    citizen = TelegramCitizen(stack, telegram, language_code="tr")
    citizen.say("/start")
    fetched = telegram.calls.count("getFile")

    answer = citizen.send_photo(fictional_photo())

    assert [m.text for m in answer] == [t("messenger.file_not_now", "tr")]
    assert telegram.calls.count("getFile") == fetched  # not even fetched


def _answer_by_number(answer: str, choices: list[dict[str, Any]], by_label: bool) -> str:
    """The number of the choice the script means, or the answer as typed."""
    for number, choice in enumerate(choices, 1):
        title = choice["title"].casefold()
        if answer == choice["payload"] or answer.casefold() in (title, choice["value"]):
            return choice["title"] if by_label else str(number)
    return answer


def _rest_answer(rest: RestCitizen, state: dict[str, Any], answer: str) -> tuple[str, dict]:
    if answer == "@upload":
        sent = rest.upload(state["input"]["document"], fictional_pdf())
        answer = f'/inform{{"value":"{sent.json()["attachment_id"]}"}}'
    return rest.say(answer)


@pytest.mark.parametrize(("lang", "script"), [("de", GRUNDSICHERUNG_DE), ("ar", ARABIC)])
def test_a_whole_application_over_telegram_by_numbers_reads_top_to_bottom(
    stack: Stack, telegram: FakeTelegram, lang: str, script: list[tuple[str, str]]
) -> None:
    """Side by side with the same citizen over REST: every question, choice and the summary
    the web shows is in the Telegram text, and the office gets the same application.
    (The Arabic citizen starts on the German page and switches by writing in Arabic.)"""
    rest, citizen = RestCitizen(stack), TelegramCitizen(stack, telegram)
    rest_text, state = rest.say("/start", language="de", application="grundsicherung")
    shown = _text(citizen.say("/start grundsicherung"))  # what Telegram shows for this step
    numbered = labelled = 0
    photographed = None
    for field, answer in script:
        if field != "@switch":
            assert (state["step"], state["field"]) == ("ask", field), rest_text
        assert _lines(rest_text) in shown
        for number, choice in enumerate(state["choices"], 1):
            assert f"{number}. {choice['title']}" in shown
        if photographed is None and state["input"] and state["input"]["type"] == "file":
            photographed = state["input"]["document"]
            rest_text, state = _rest_answer(rest, state, answer)
            shown = _text(citizen.send_photo(fictional_photo()))
            continue
        typed = _answer_by_number(answer, state["choices"], by_label=numbered > 0 and not labelled)
        numbered += typed.isdigit()
        labelled += typed != answer and not typed.isdigit()
        rest_text, state = _rest_answer(rest, state, answer)
        shown = _text(citizen.say(typed))
    assert state["step"] == "summary"
    assert numbered >= 3 and labelled == 1
    for section in state["summary"]["sections"]:
        for item in section["items"]:
            assert item["label"] in shown and item["value"] in shown

    submitted = _text(citizen.say("1"))  # 1: send it
    reference = REFERENCE.search(submitted)
    assert reference, submitted
    _, state = rest.say(state["choices"][0]["payload"])
    by_rest = wait_for_delivery(stack, state["reference"])["payload"]
    payload = wait_for_delivery(stack, reference[0])["payload"]
    assert payload_problems(payload) == []
    assert (payload["channel"], payload["language"]) == ("telegram", lang)
    [photo] = [d for d in payload["documents"] if d["kind"] == photographed]
    assert photo["status"] == "attached"
    assert [d["kind"] for d in payload["documents"]] == [d["kind"] for d in by_rest["documents"]]
    different = {"reference", "submitted_at", "channel", "documents"}
    assert {k: v for k, v in payload.items() if k not in different} == {
        k: v for k, v in by_rest.items() if k not in different
    }
    assert telegram.violations == []


async def _web_chat(stack: Stack, messages: list[str]) -> list[dict[str, Any]]:
    """One web chat conversation over socket.io, as the page speaks it: each answer."""
    client = socketio.AsyncClient()
    confirmed: asyncio.Queue[Any] = asyncio.Queue()
    answers: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    client.on("session_confirm", confirmed.put)
    client.on("bot_uttered", answers.put)
    await client.connect(stack.rasa_url, transports=["polling"])
    await client.call("session_request", {})
    await asyncio.wait_for(confirmed.get(), 10)
    said = []
    for message in messages:
        sent = {"message": message, "metadata": {"language": "de"}}
        assert await client.call("user_uttered", sent, timeout=60) == {"ok": True}
        said.append(await asyncio.wait_for(answers.get(), 10))
    await client.eio.disconnect(abort=True)
    return said


def test_paused_on_telegram_resumed_on_the_web_and_the_other_way_round(
    stack: Stack, telegram: FakeTelegram
) -> None:
    phone = TelegramCitizen(stack, telegram)
    phone.say("/start grundsicherung")
    phone.say("Helga")
    code = RESUME_CODE.search(_text(phone.say("Pause")))
    assert code, "a resume code"

    resumed, asked, paused = asyncio.run(_web_chat(stack, [code[0], "Schneider", "Pause"]))
    assert resumed["custom"]["application"] == "grundsicherung"
    assert asked["custom"]["field"] == "/applicant/birth_date"  # Helga's name came along
    code = RESUME_CODE.search(paused["text"])
    assert code, paused["text"]

    other_phone = TelegramCitizen(stack, telegram)
    other_phone.say(code[0])
    continued = _text(other_phone.say("am 3. März 1957"))
    same_over_rest = RestCitizen(stack)
    same_over_rest.say("/start", language="de", application="grundsicherung")
    same_over_rest.say("Helga")
    same_over_rest.say("Schneider")
    expected, _ = same_over_rest.say("am 3. März 1957")
    assert _lines(expected) in continued  # the next question, with the names kept


def test_the_webhook_is_registered_once_by_command_with_our_secret(
    telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("ANTRAGSLOTSE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ANTRAGSLOTSE_TELEGRAM_TOKEN", telegram.token)
    monkeypatch.setenv("ANTRAGSLOTSE_TELEGRAM_SECRET", TELEGRAM_SECRET)
    monkeypatch.setenv("ANTRAGSLOTSE_TELEGRAM_API_URL", telegram.url)

    with pytest.raises(SystemExit, match="https"):
        cli.main(["telegram-webhook", "http://bot.example.org"])
    cli.main(["telegram-webhook", "https://bot.example.org/"])

    assert telegram.webhook is not None
    assert telegram.webhook["url"] == f"https://bot.example.org{WEBHOOK_PATH}"
    assert telegram.webhook["secret_token"] == TELEGRAM_SECRET


def test_a_chat_telegram_does_not_answer_holds_up_no_other_conversation(
    stack: Stack, telegram: FakeTelegram
) -> None:
    stuck, other = TelegramCitizen(stack, telegram), TelegramCitizen(stack, telegram)
    telegram.hanging.add(stuck.user_id)
    waiting = threading.Thread(target=stuck.say, args=("/start",))
    try:
        waiting.start()
        time.sleep(1)  # its turn is under way and waits for Telegram

        answered = other.say("/start")
        on_the_web, _ = RestCitizen(stack).say("/start", language="de")

        assert answered and on_the_web
        assert waiting.is_alive(), "the stuck chat is still waiting for Telegram"
    finally:
        telegram.released.set()
        waiting.join(60)
        telegram.hanging.discard(stuck.user_id)
        telegram.released.clear()
    assert telegram.to(stuck.user_id), "once Telegram answers, the stuck chat gets its answer"
