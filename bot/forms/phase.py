"""Where the conversation is: the phase decides what a message can mean.

A `str` enum, so a draft stored as JSON with the old strings ("asking") loads as
the same phase, and a phase still compares equal to its string.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.forms.draft import Draft


class Phase(str, Enum):
    MENU = "menu"  # nothing chosen yet: the applications are offered
    GUIDE = "guide"  # a triage question of the guide is open
    OFFER = "offer"  # the guide offers what fits
    ASKING = "asking"  # a question of the application is open
    SUMMARY = "summary"  # the answers are shown for confirmation
    CHOOSE_CHANGE = "choose_change"  # detour: which answer to change or item to remove?
    CONFIRM_CANCEL = "confirm_cancel"  # detour: really cancel?
    RESUME_CODE = "resume_code"  # detour: the bot asked for a resume code
    CONFIRM_LANGUAGE = "confirm_language"  # detour: switch to the language guessed?
    SUBMITTED = "submitted"  # the application is in the office's inbox

    def __str__(self) -> str:
        return self.value


PAUSABLE = (Phase.ASKING, Phase.SUMMARY, Phase.CHOOSE_CHANGE, Phase.CONFIRM_CANCEL)
RESUMABLE_FROM = (Phase.MENU, Phase.RESUME_CODE, Phase.SUBMITTED)


def take_detour(draft: Draft, detour: Phase) -> None:
    """Enter a detour (a yes/no, a choice, a code); `return_from_detour` comes back."""
    draft.return_phase, draft.phase = draft.phase, detour


def return_from_detour(draft: Draft, default: Phase) -> None:
    """Back to the phase the detour was taken from (`default` if none was noted)."""
    draft.phase, draft.return_phase = Phase(draft.return_phase or default), None
