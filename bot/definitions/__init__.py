"""Application definitions: one YAML file per application, checked against its schema."""

from bot.definitions.loader import DefinitionError, load_application, load_applications
from bot.definitions.model import Application, Field, Group, Section

__all__ = [
    "Application",
    "DefinitionError",
    "Field",
    "Group",
    "Section",
    "load_application",
    "load_applications",
]
