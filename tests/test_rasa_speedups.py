"""The faster check of action server responses refuses and accepts exactly what Rasa's does."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_speedups

SLOT = {"event": "slot", "name": "language", "value": "de", "timestamp": None}
RESULTS: list[dict[str, Any]] = [
    {"events": [SLOT], "responses": [{"response": "utter_turn", "state": {}}]},
    {"events": [], "responses": []},
    {},
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "name": 7}]},
    {"events": [SLOT], "responses": "not a list"},
    {"events": [SLOT], "responses": ["not an object"]},
]


def _outcome(check: Any, result: dict[str, Any]) -> str:
    try:
        return str(check(RemoteAction("action_step", None), result))
    except ValidationError as error:
        return f"refused: {error.message}"


@pytest.mark.parametrize("result", RESULTS)
def test_the_check_decides_as_rasa_does(result: dict[str, Any]) -> None:
    rasa_speedups.apply()
    ours = _outcome(RemoteAction._validate_action_result, result)
    assert ours == _outcome(rasa_speedups.RASA_VALIDATE_ACTION_RESULT, result)
    assert ours.startswith("refused") == (result not in RESULTS[:3])
