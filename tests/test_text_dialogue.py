"""Bot messages as a pure text dialogue: reading order, numbered choices, platform limits."""

from __future__ import annotations

from bot.channels.text_dialogue import as_text, split_message, utf16_length
from bot.nlg.texts import t

LIMIT = 4096


def _asked(step: str = "ask", kind: str = "choice") -> dict:
    return {
        "text": "Wie ist Ihr Familienstand?",
        "custom": {
            "lang": "de",
            "step": step,
            "input": {"type": kind},
            "progress": {"answered": 11, "total": 40},
            "choices": [
                {"title": "ledig", "payload": '/inform{"value":"single"}'},
                {"title": "verheiratet", "payload": '/inform{"value":"married"}'},
            ],
        },
    }


def test_a_question_reads_progress_question_numbered_choices_and_how_to_answer() -> None:
    assert as_text(_asked()).split("\n\n") == [
        "Frage 12 von 40",
        "Wie ist Ihr Familienstand?",
        "1. ledig\n2. verheiratet",
        t("messenger.choose", "de"),
    ]


def test_several_choices_say_how_to_name_several() -> None:
    assert as_text(_asked(kind="multi_choice")).endswith(t("messenger.choose_several", "de"))


def test_a_message_without_a_question_is_its_text() -> None:
    message = {"text": "Danke!", "custom": {"lang": "de", "step": "submitted", "choices": []}}
    assert as_text(message) == "Danke!"


def test_a_long_summary_is_split_between_items_never_inside_one() -> None:
    items = [f"Punkt {n}: {'Wert ' * (n % 40)}Ende".strip() for n in range(600)]
    summary = "Ihre Angaben:\n\n" + "\n".join(items)

    chunks = split_message(summary, LIMIT, utf16_length)

    assert len(chunks) > 1
    assert all(utf16_length(chunk) <= LIMIT for chunk in chunks)
    lines = [line for chunk in chunks for line in chunk.split("\n") if line]
    assert lines == ["Ihre Angaben:", *items]


def test_emoji_count_twice_and_an_endless_word_is_cut_where_it_must_be() -> None:
    emoji = "🙂" * 3000  # 6,000 UTF-16 code units, no space to cut at
    chunks = split_message(emoji, LIMIT, utf16_length)

    assert [utf16_length(chunk) for chunk in chunks] == [4096, 1904]
    assert "".join(chunks) == emoji
