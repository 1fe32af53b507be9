"""Turns the action's reply (text keys, typed values, state) into one localized message.

The message carries the text, real buttons for the choices, and the `custom`
state object of the conversation contract (shared/contracts/conversation.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.nlg.texts import t, text_direction
from bot.nlg.values import format_value

CONTRACT_VERSION = 1


def _param(value: Any, lang: str) -> Any:
    if isinstance(value, Mapping) and "format" in value:
        return format_value(value, lang)
    if isinstance(value, Mapping) and "key" in value:
        return t(str(value["key"]), lang, **(value.get("params") or {}))
    return value


def _summary(sections: list[Mapping[str, Any]], application: str, lang: str) -> str:
    lines: list[str] = []
    for section in sections:
        lines.append(t(f"apps.{application}.sections.{section['section']}.title", lang))
        for item in section["items"]:
            label = t(
                item["label_key"],
                lang,
                number=item.get("number", 1),
                parent_number=item.get("parent_number", 1),
            )
            lines.append(
                t("common.summary_line", lang, label=label, value=_param(item["value"], lang))
            )
        lines.append("")
    return "\n".join(lines).strip()


def _part(part: Mapping[str, Any], application: str, lang: str) -> str:
    params = {k: _param(v, lang) for k, v in (part.get("params") or {}).items()}
    text = t(part["key"], lang, **params)
    if part.get("summary") is not None:
        text = f"{text}\n\n{_summary(part['summary'], application, lang)}"
    return text


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
    text = "\n\n".join(_part(p, application, lang) for p in arguments.get("parts") or [])
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
    buttons = [{"title": c["title"], "payload": c["payload"]} for c in choices]
    return {"text": text, "buttons": buttons, "custom": custom}
