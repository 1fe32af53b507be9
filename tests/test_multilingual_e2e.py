"""Arabic and Ukrainian over REST, with a language switch, end to end to the office.

The citizen starts in German, switches by typing the wish in their language,
answers with native digits and month names, and the office gets the contract's
Grundsicherung example with the envelope's `language` set to the new language.
"""

from __future__ import annotations

import pytest

from bot.contracts import payload_problems
from bot.stack import Stack
from tests.conftest import example
from tests.dialogues.multilingual import ARABIC, UKRAINIAN
from tests.rest import RestCitizen, fictional_pdf, wait_for_delivery

pytestmark = pytest.mark.stack


@pytest.mark.parametrize(("lang", "script"), [("ar", ARABIC), ("uk", UKRAINIAN)])
def test_complete_application_with_a_language_switch(
    stack: Stack, lang: str, script: list[tuple[str, str]]
) -> None:
    citizen = RestCitizen(stack)
    text, state = citizen.say("/start", language="de", application="grundsicherung")
    assert state["lang"] == "de"
    speaking = "de"
    for field, answer in script:
        if field == "@switch":
            asked = state["field"]
            text, state = citizen.say(answer)
            assert (state["lang"], state["field"]) == (lang, asked), text
            assert state["dir"] == ("rtl" if lang in ("ar", "fa") else "ltr")
            speaking = lang
            continue
        assert (state["step"], state["field"]) == ("ask", field), f"expected {field}: {text}"
        if answer == "@upload":
            sent = citizen.upload(state["input"]["document"], fictional_pdf())
            answer = f'/inform{{"value":"{sent.json()["attachment_id"]}"}}'
        text, state = citizen.say(answer)
        assert state["step"] != "invalid", f"{answer!r} for {field}: {text}"
        assert state["lang"] == speaking, "the language stays once switched"
    assert state["step"] == "summary", text
    text, state = citizen.say(state["choices"][0]["payload"])
    assert state["step"] == "submitted" and state["lang"] == lang

    payload = wait_for_delivery(stack, state["reference"])["payload"]
    assert payload_problems(payload) == []
    assert payload["language"] == lang
    expected = example("grundsicherung")
    for key in set(expected) - {"reference", "submitted_at", "language", "documents"}:
        assert payload[key] == expected[key], key
    assert [d["status"] for d in payload["documents"]] == ["attached", "later"]
