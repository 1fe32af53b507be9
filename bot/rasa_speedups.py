"""Rasa 3.6.21's own per-turn waste, removed in place (the version is pinned).

Rasa checks every action server response with `jsonschema.validate`, which first
validates Rasa's large event schema against the JSON Schema meta-schema: about
33 ms of CPU on each turn here, a third of the whole turn. The same check with a
validator built once costs under 2 ms and refuses exactly what Rasa refuses.
Applied by the tracker store (bot/tracker_store.py), which every Rasa process of
ours creates before its first turn.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

RASA_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result  # kept to compare with


@cache
def _action_result_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


def _validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, with the validator made once."""
    try:
        _action_result_validator().validate(result)
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your "
            "response from the Action endpoint is valid. For more information about "
            f"the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
