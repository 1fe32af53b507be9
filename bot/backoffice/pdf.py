"""The application as a PDF a caseworker can read, print and file.

Labels come from the schema's German `title`s, so a new application needs no
code here. Values stay as submitted (codes stay codes), only dates, money and
yes/no are written the German way.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF

from bot.contracts import schema_store

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FAMILY = "Antragslotse"

ENVELOPE_LABELS = {
    "reference": "Referenznummer",
    "submitted_at": "Eingereicht am",
    "language": "Sprache des Dialogs",
    "channel": "Eingangskanal",
    "leika": "Leistungsschlüssel (LeiKa)",
    "documents": "Nachweise",
    "attachment_id": "Anhang-Kennung",
}
STATUS_LABELS = {"new": "neu", "accepted": "angenommen", "rejected": "abgelehnt"}
HIDDEN = {"schema", "application"}
_LATIN1_REPLACEMENTS = {
    "€": "EUR",
    "–": "-",
    "—": "-",
    "„": '"',
    "“": '"',
    "”": '"',
    "‚": "'",
    "‘": "'",
    "’": "'",
    "…": "...",
    "›": ">",
    "‹": "<",
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Œ": "OE",
    "œ": "oe",
    "ı": "i",
}


@dataclass(frozen=True)
class Line:
    """One printed line: a section heading (value None) or a label with its value."""

    depth: int
    label: str
    value: str | None


# ---------------------------------------------------------------- schema walking


def _resolve(schema: dict[str, Any], base: str) -> tuple[dict[str, Any], str]:
    """Follow `$ref` (URN or local) until a schema without one; keep sibling keys."""
    seen = 0
    while "$ref" in schema and seen < 20:
        ref = schema["$ref"]
        doc_id, _, fragment = ref.partition("#")
        doc_id = doc_id or base
        target: Any = schema_store().get(doc_id, {})
        for part in [p for p in fragment.split("/") if p]:
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        schema, base, seen = {**target, **siblings}, doc_id, seen + 1
    return schema, base


def _properties(schema: dict[str, Any], base: str) -> dict[str, tuple[dict[str, Any], str]]:
    """Properties of an object schema, including those brought in by `allOf`."""
    schema, base = _resolve(schema, base)
    found: dict[str, tuple[dict[str, Any], str]] = {}
    for part in schema.get("allOf", []):
        found.update(_properties(part, base))
    for name, sub in schema.get("properties", {}).items():
        found[name] = (sub, base)
    return found


def _is_money(schema: dict[str, Any]) -> bool:
    return str(schema.get("$ref", "")).endswith("#/$defs/money")


def _label(name: str, schema: dict[str, Any], base: str) -> str:
    if "title" in schema:
        return str(schema["title"])
    resolved, _ = _resolve(schema, base)
    if "title" in resolved:
        return str(resolved["title"])
    return ENVELOPE_LABELS.get(name, name.replace("_", " ").capitalize())


# ---------------------------------------------------------------- values


def _german_number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _format(value: Any, schema: dict[str, Any], base: str) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, (int, float)):
        if _is_money(schema):
            return _german_number(value, 2) + " €"
        return _german_number(value, 0 if float(value).is_integer() else 2)
    if isinstance(value, str):
        fmt = _resolve(schema, base)[0].get("format")
        try:
            if fmt == "date":
                return date.fromisoformat(value).strftime("%d.%m.%Y")
            if fmt == "date-time":
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
                return moment.strftime("%d.%m.%Y, %H:%M Uhr (UTC%z)")
        except ValueError:
            pass
        return value
    if value is None:
        return "–"
    return str(value)


def payload_lines(payload: dict[str, Any]) -> list[Line]:
    """The payload as labelled lines, in payload order, nested sections indented."""
    schema_id = payload.get("schema")
    root = schema_store().get(schema_id, {}) if isinstance(schema_id, str) else {}
    base = schema_id if isinstance(schema_id, str) else ""
    lines: list[Line] = []
    _walk({k: v for k, v in payload.items() if k not in HIDDEN}, root, base, 0, lines)
    return lines


def _walk(node: dict[str, Any], schema: dict[str, Any], base: str, depth: int, out: list) -> None:
    props = _properties(schema, base) if schema else {}
    for name, value in node.items():
        sub, sub_base = props.get(name, ({}, base))
        label = _label(name, sub, sub_base)
        if isinstance(value, dict):
            out.append(Line(depth, label, None))
            _walk(value, sub, sub_base, depth + 1, out)
        elif isinstance(value, list):
            items, items_base = _resolve(sub, sub_base)[0].get("items", {}), sub_base
            if not value:
                out.append(Line(depth, label, "keine"))
            elif all(isinstance(v, dict) for v in value):
                for number, item in enumerate(value, start=1):
                    out.append(Line(depth, f"{label} ({number})", None))
                    _walk(item, items, items_base, depth + 1, out)
            else:
                out.append(Line(depth, label, ", ".join(_format(v, items, base) for v in value)))
        else:
            out.append(Line(depth, label, _format(value, sub, sub_base)))


# ---------------------------------------------------------------- rendering


def find_unicode_font() -> tuple[Path, Path | None] | None:
    """DejaVuSans (regular, bold) if installed: it covers Latin, Cyrillic, Greek, Arabic letters."""
    for folder in FONT_DIRS:
        if not folder.is_dir():
            continue
        for regular in sorted(folder.rglob("DejaVuSans.ttf")):
            bold = regular.with_name("DejaVuSans-Bold.ttf")
            return regular, bold if bold.exists() else None
    return None


def latin1_safe(text: str) -> str:
    """For the core fonts: typographic marks replaced, accents dropped, the rest `?`."""
    out = []
    for char in text:
        char = _LATIN1_REPLACEMENTS.get(char, char)
        if len(char) == 1 and ord(char) > 0xFF:
            stripped = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            char = stripped if stripped and all(ord(c) <= 0xFF for c in stripped) else "?"
        out.append(char)
    return "".join(out)


class _Document(FPDF):
    def __init__(self, font: tuple[Path, Path | None] | None) -> None:
        super().__init__(format="A4")
        self.set_auto_page_break(True, margin=15)
        if font is not None:
            regular, bold = font
            self.add_font(FAMILY, "", str(regular))
            self.add_font(FAMILY, "B", str(bold or regular))
            self.family_name, self.clean = FAMILY, (lambda t: t)
        else:
            self.family_name, self.clean = "helvetica", latin1_safe

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family_name, "", 8)
        self.cell(0, 5, self.clean(f"Seite {self.page_no()}/{{nb}}"), align="C")

    def text_block(self, text: str, size: float, bold: bool = False, indent: float = 0) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.5, self.clean(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def field(self, label: str, value: str, indent: float) -> None:
        self.set_font(self.family_name, "", 10)
        line_h, label_w = 5.0, 70.0 - indent
        value_w = self.epw - 70.0
        label, value = self.clean(label), self.clean(value)
        n_label = len(self.multi_cell(label_w, line_h, label, dry_run=True, output="LINES"))
        n_value = len(self.multi_cell(value_w, line_h, value, dry_run=True, output="LINES"))
        height = max(n_label, n_value, 1) * line_h
        if self.will_page_break(height):
            self.add_page()
        x, y = self.l_margin + indent, self.get_y()
        self.set_xy(x, y)
        self.multi_cell(label_w, line_h, label, align="L")
        self.set_xy(self.l_margin + 70.0, y)
        self.multi_cell(value_w, line_h, value, align="L")
        self.set_xy(self.l_margin, y + height)


def render_pdf(
    *,
    reference: str,
    application: str,
    status: str,
    received_at: datetime,
    payload: dict[str, Any],
    font: tuple[Path, Path | None] | None | bool = True,
) -> bytes:
    """The whole submission on A4; `font=True` looks for DejaVuSans, `None` forces core fonts."""
    chosen = find_unicode_font() if font is True else (font or None)
    schema = schema_store().get(str(payload.get("schema")), {})
    title = str(schema.get("title") or application)

    pdf = _Document(chosen)  # type: ignore[arg-type]
    pdf.set_title(f"Antrag {reference}")
    pdf.set_subject(title)
    pdf.set_keywords(f"{reference} {application}")
    pdf.set_creator("Antragslotse")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.text_block(f"Antrag: {title}", 14, bold=True)
    pdf.ln(2)
    pdf.field("Referenznummer", reference, 0)
    pdf.field("Eingegangen am", received_at.strftime("%d.%m.%Y, %H:%M Uhr (UTC%z)"), 0)
    pdf.field("Bearbeitungsstand", STATUS_LABELS.get(status, status), 0)
    pdf.ln(3)
    for line in payload_lines({k: v for k, v in payload.items() if k != "reference"}):
        if line.value is None:
            pdf.ln(1.5)
            pdf.text_block(line.label, 11, bold=True, indent=line.depth * 4.0)
        else:
            pdf.field(line.label, line.value, line.depth * 4.0)
    return bytes(pdf.output())
