"""Is this PDF only pages to read? Opened with a real PDF library, not by its first bytes.

A caseworker opens what a citizen uploads, in a reader that runs JavaScript,
follows launch actions and opens attachments. So a PDF that carries any of them
is refused, as is a polyglot (a file that is also something else, e.g. a ZIP, or
has foreign bytes before its header or after its end) that one program reads as
a harmless PDF and another as an archive.

Every object of the file is inspected, referenced or not, so nothing hides in a
name tree, an annotation or an object stream. Accepted PDFs are stored
byte-for-byte: re-saving would break the digital signature of an official notice.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pikepdf

from .errors import ParseError

PDF_HEADER = b"%PDF-"
PDF_END = b"%%EOF"
TRAILING_FILL = b" \t\r\n\x00\x0c"  # what writers leave after %%EOF; anything else is a payload

# Keys whose mere presence means code, an attachment or an interactive form with scripts.
ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA", "/RichMediaContent"}
)
# Action types (/S) that run code, start programs or open other files.
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/GoToE", "/GoToR", "/ImportData", "/RichMediaExecute"}
)
# Annotation and object types that carry files or media players.
ACTIVE_TYPES = frozenset({"/FileAttachment", "/RichMedia", "/EmbeddedFile"})


def is_pdf(data: bytes) -> bool:
    """Claims to be a PDF: the header comes first (the real check is `check_pdf`)."""
    return data.startswith(PDF_HEADER)


def check_pdf(data: bytes) -> None:
    """ParseError(upload.type) if unreadable or encrypted, (upload.pdf_active) if unsafe."""
    if _is_polyglot(data):
        raise ParseError("upload.pdf_active")
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) == 0:
                raise ParseError("upload.type")
            active = any(_is_active(obj) for obj in _all_objects(pdf))
    except pikepdf.PasswordError:
        raise ParseError("upload.type") from None  # the office could not read it either
    except (pikepdf.PdfError, RecursionError, ValueError, RuntimeError):
        raise ParseError("upload.type") from None
    if active:
        raise ParseError("upload.pdf_active")


def _is_polyglot(data: bytes) -> bool:
    end = data.rfind(PDF_END)
    if end < 0:
        return False  # no end marker: pikepdf decides whether it is a PDF at all
    if data[end + len(PDF_END) :].strip(TRAILING_FILL):
        return True
    return zipfile.is_zipfile(io.BytesIO(data))


def _all_objects(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every indirect object and every dictionary or array nested directly in one."""
    pending = list(pdf.objects)
    while pending:
        obj = pending.pop()
        yield obj
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            children = list(obj.values())
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            continue
        pending.extend(
            child
            for child in children
            if isinstance(child, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array))
            and not child.is_indirect
        )


def _is_active(obj: pikepdf.Object) -> bool:
    if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        return False
    if ACTIVE_KEYS.intersection(obj.keys()):
        return True
    for key in ("/S", "/Subtype", "/Type"):
        kind = obj.get(key)
        if isinstance(kind, pikepdf.Name) and str(kind) in ACTIVE_ACTIONS | ACTIVE_TYPES:
            return True
    return False
