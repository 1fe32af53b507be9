"""Application definitions: one YAML file per application, checked against its schema."""

from bot.definitions.loader import (
    DefinitionError,
    field_patterns,
    load_application,
    load_applications,
)
from bot.definitions.model import Application, Document, Field, Group, Hint, Section, Total

__all__ = [
    "Application",
    "DefinitionError",
    "Document",
    "Field",
    "Group",
    "Hint",
    "Section",
    "Total",
    "field_patterns",
    "load_application",
    "load_applications",
]
