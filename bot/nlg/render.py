"""Turns the action's reply (text keys, typed values, state) into one localized message.

The message carries the text, real buttons for the choices, and the `custom`
state object of the conversation contract (shared/contracts/conversation.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.languages import text_direction
from bot.nlg.texts import t
from bot.nlg.values import format_value

CONTRACT_VERSION = 1


def _param(value: Any, lang: str) -> Any:
    if isinstance(value, Mapping) and "format" in value:
        return format_value(value, lang)
    if isinstance(value, Mapping) and "key" in value:
        return t(str(value["key"]), lang, **(value.get("params") or {}))
    return value


def _summary_label(item: Mapping[str, Any], lang: str) -> str:
    """The item's own label (a per-item document names its item), else its label key."""
    if item.get("label"):
        return str(_param(item["label"], lang))
    return t(
        item["label_key"],
        lang,
        number=item.get("number", 1),
        parent_number=item.get("parent_number", 1),
    )


def _summary_sections(
    sections: list[Mapping[str, Any]], application: str, lang: str
) -> list[dict[str, Any]]:
    """Section titles with their (label, value) pairs, in the citizen's language."""
    return [
        {
            "title": t(f"apps.{application}.sections.{section['section']}.title", lang),
            "items": [
                {"label": _summary_label(item, lang), "value": str(_param(item["value"], lang))}
                for item in section["items"]
            ],
        }
        for section in sections
    ]


def _summary_text(sections: list[dict[str, Any]], lang: str) -> str:
    blocks = [
        "\n".join(
            [section["title"]]
            + [t("common.summary_line", lang, **item) for item in section["items"]]
        )
        for section in sections
    ]
    return "\n\n".join(blocks)


def _part_text(part: Mapping[str, Any], lang: str) -> str:
    return t(
        part["key"], lang, **{k: _param(v, lang) for k, v in (part.get("params") or {}).items()}
    )


def _texts_and_summary(
    parts: list[Mapping[str, Any]], application: str, lang: str
) -> tuple[str, dict[str, Any] | None]:
    """The message text, and the summary structured for clients that can show it as a list.

    Text channels get the summary as lines; the web chat renders `summary.sections` as
    headings and a definition list between the texts `before` and `after` it.
    """
    texts: list[str] = []
    summary: dict[str, Any] | None = None
    summary_end = 0
    for part in parts:
        texts.append(_part_text(part, lang))
        if part.get("summary") is not None and summary is None:
            sections = _summary_sections(part["summary"], application, lang)
            summary = {"before": "\n\n".join(texts), "sections": sections}
            texts.append(_summary_text(sections, lang))
            summary_end = len(texts)
    if summary is not None:
        summary["after"] = "\n\n".join(texts[summary_end:])
    return "\n\n".join(texts), summary


def _choices(state: Mapping[str, Any], lang: str) -> list[dict[str, str]]:
    return [
        {
            "value": str(c["value"]),
            "title": t(
                c["label_key"],
                c.get("label_lang") or lang,
                **{k: _param(v, lang) for k, v in (c.get("label_params") or {}).items()},
            ),
            "payload": c["payload"],
        }
        for c in state.get("choices") or []
    ]


def render(arguments: Mapping[str, Any], lang: str) -> dict[str, Any]:
    state = arguments.get("state") or {}
    application = state.get("application") or ""
    choices = _choices(state, lang)
    text, summary = _texts_and_summary(list(arguments.get("parts") or []), application, lang)
    custom = {
        "contract": CONTRACT_VERSION,
        "lang": lang,
        "dir": text_direction(lang),
        "step": state.get("step", "info"),
        "application": state.get("application"),
        "field": state.get("field"),
        "input": state.get("input"),
        "choices": choices,
        "progress": state.get("progress"),
        "reference": state.get("reference"),
    }
    if state.get("guide"):  # which triage question, offer or referral: for clients and tests
        custom["guide"] = state["guide"]
    if summary is not None:
        custom["summary"] = summary
    buttons = [{"title": c["title"], "payload": c["payload"]} for c in choices]
    return {"text": text, "buttons": buttons, "custom": custom}
