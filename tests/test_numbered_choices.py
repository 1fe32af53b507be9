"""A number answers the choices shown last: how messenger and screen-reader users pick.

Run with the real stores (the draft keeps what was shown); intents as Rasa gives them.
"""

from __future__ import annotations

import pytest

from bot.turns import Turns
from tests.test_dialogue import turn


def _menu(turns: Turns, sender: str, **metadata: str) -> list[str]:
    _, reply = turns.handle(sender, turn("/start", **metadata), "rest", "de")
    assert reply.state["step"] == "menu"
    return [choice["value"] for choice in reply.state["choices"]]


@pytest.mark.parametrize(
    ("lang", "said", "position"),
    [("de", "2", 2), ("de", "zwei", 2), ("en", "three", 3), ("ar", "٥", 5), ("tr", "Nr. 4", 4)],
)
def test_the_number_of_a_menu_entry_starts_that_application(
    turns: Turns, lang: str, said: str, position: int
) -> None:
    listed = _menu(turns, "numbers", language=lang)

    draft, reply = turns.handle("numbers", turn(said), "rest", "de")

    assert draft.application == listed[position - 1]
    assert reply.state["step"] in ("privacy", "ask")


def test_a_number_beyond_the_list_picks_nothing(turns: Turns) -> None:
    listed = _menu(turns, "beyond")

    draft, _ = turns.handle("beyond", turn(str(len(listed) + 1)), "rest", "de")

    assert draft.application is None


def test_a_number_answers_a_yes_no_question_by_its_position(turns: Turns) -> None:
    turns.handle("yesno", turn("/start", application="wohngeld"), "rest", "de")
    _, reply = turns.handle("yesno", turn("/cancel"), "rest", "de")
    assert [choice["payload"] for choice in reply.state["choices"]] == ["/affirm", "/deny"]

    _, kept = turns.handle("yesno", turn("2"), "rest", "de")  # 2: "no, do not cancel"

    assert kept.state["step"] == "ask"
    assert kept.state["field"] == "/applicant/given_names"
