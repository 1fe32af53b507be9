"""Uploads as an attacker sends them: oversized bodies, bombs, active PDFs, polyglots, floods.

Every test talks to the real service app (bot.service.create_app, served by
sanic on a real socket) with a fresh var dir and SQLite database, and looks at
what a citizen or attacker would notice: the status, the localized message,
and what ended up stored. All files are made up here; no real documents.
"""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image
from sanic import Sanic
from sanic_testing.testing import SanicTestClient

from bot.channels.conversation_ids import ConversationTokens, conversation_tokens
from bot.channels.uploads import UPLOAD_PATH
from bot.nlg.texts import t
from bot.parsing import ParseError
from bot.parsing.files import MAX_FILES_PER_CONVERSATION
from bot.service import create_app
from bot.storage.attachments import AttachmentStore
from bot.storage.crypto import DataBox
from bot.storage.database import make_engine
from tests.conftest import free_port
from tests.rest import fictional_pdf

SIXTY_MB = 60 * 1024 * 1024
GPS_IFD = 0x8825  # EXIF tag of the GPS block
MAKE = 0x010F


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sanic]:
    monkeypatch.setenv("ANTRAGSLOTSE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ANTRAGSLOTSE_SESSION_KEY", "fictional-test-session-key-0123456789")
    monkeypatch.setenv("ANTRAGSLOTSE_BACKOFFICE_TOKEN", "t" * 40)
    for name in ("ANTRAGSLOTSE_DB_URL", "ANTRAGSLOTSE_DATA_KEY", "ANTRAGSLOTSE_LOOKUP_KEY"):
        monkeypatch.delenv(name, raising=False)
    _forget_session_key()
    made = create_app(
        "http://127.0.0.1:9", name=f"uploads_{tmp_path.name}", backoffice_port=free_port()
    )
    yield made
    _forget_session_key()


def _forget_session_key() -> None:
    """The process caches its token key; each test has its own var dir and key."""
    conversation_tokens.cache_clear()


def conversation() -> dict[str, str]:
    """Form fields naming a conversation the way the chat page does: id and token."""
    issued = ConversationTokens.from_env().issue()
    return {"sender": issued.conversation_id, "token": issued.token}


def store() -> AttachmentStore:
    """The service's own store, opened from the same var dir and key."""
    return AttachmentStore(make_engine(), DataBox.from_env())


def client(app: Sanic, port: int | None = None) -> SanicTestClient:
    """A real server on a free port (the default test port may be in use by a parallel run)."""
    if not hasattr(app.ctx, "test_clients"):
        app.ctx.test_clients = {}
    if port not in app.ctx.test_clients:
        app.ctx.test_clients[port] = SanicTestClient(app, port=port)
    return app.ctx.test_clients[port]


def upload(
    app: Sanic, data: bytes, fields: dict[str, str], lang: str = "en", name: str = "scan.pdf"
) -> Any:
    form = {**fields, "document": "rental_contract", "lang": lang}
    _, response = client(app).post(UPLOAD_PATH, data=form, files={"file": (name, data)})
    return response


def assert_refused(response: Any, status: int, code: str, lang: str = "en", **params: str) -> None:
    assert response.status == status, response.text
    assert response.json["error"] == code
    assert response.json["message"] == t(f"errors.{code}", lang, **params)
    assert "Traceback" not in response.text


# --- files --------------------------------------------------------------------------


def huge_png(side: int = 15_000) -> bytes:
    """One colour, 225 million pixels, a few hundred KB on disk."""
    out = io.BytesIO()
    Image.new("L", (side, side)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A photo as a phone makes it: EXIF with camera and the (fictional) place it was taken."""
    exif = Image.Exif()
    exif[MAKE] = "FiktivPhone"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG", exif=exif, comment=b"Wohnzimmer")
    return out.getvalue()


def pdf_changed(change: Callable[[pikepdf.Pdf], None]) -> bytes:
    with pikepdf.open(io.BytesIO(fictional_pdf())) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def _open_action(**action: Any) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = pikepdf.Dictionary(**action)

    return change


def _attach(pdf: pikepdf.Pdf) -> None:
    pdf.attachments["rechnung.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ fictional")


def pdf_zip_polyglot() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "fictional payload")
    return fictional_pdf() + archive.getvalue()


ACTIVE_PDFS = {
    "javascript_open_action": lambda: pdf_changed(
        _open_action(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('fiktiv')"))
    ),
    "launch_action": lambda: pdf_changed(
        _open_action(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
    ),
    "embedded_file": lambda: pdf_changed(_attach),
    "zip_polyglot": pdf_zip_polyglot,
}


# --- tests --------------------------------------------------------------------------


def test_a_decompression_bomb_png_gets_415_and_a_localized_message(app: Sanic) -> None:
    sent = huge_png()
    assert len(sent) < 1024 * 1024, "small on disk, 225 megapixels when decoded"
    refused = upload(app, sent, conversation(), lang="uk", name="foto.png")
    assert_refused(refused, 415, "upload.pixels", lang="uk", max="40")


def test_a_photo_is_stored_without_exif_gps_or_comment(app: Sanic) -> None:
    fields = conversation()
    photo = jpeg_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(GPS_IFD), "the test photo has GPS"
    sent = upload(app, photo, fields, name="foto.jpg")
    assert sent.status == 201 and sent.json["media_type"] == "image/jpeg"
    (kept,) = store().load(fields["sender"], [sent.json["attachment_id"]])
    with Image.open(io.BytesIO(kept.data)) as image:
        assert image.format == "JPEG" and image.size == (64, 48)
        assert not image.getexif(), "no EXIF at all: no GPS, no camera"
        assert "comment" not in image.info
    assert b"FiktivPhone" not in kept.data and b"Wohnzimmer" not in kept.data
    assert kept.size_bytes == len(kept.data) == sent.json["size_bytes"]


def test_a_photo_taken_sideways_is_stored_upright(app: Sanic) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    out = io.BytesIO()
    Image.new("RGB", (80, 40), (0, 90, 200)).save(out, "JPEG", exif=exif)
    fields = conversation()
    sent = upload(app, out.getvalue(), fields, name="foto.jpg")
    (kept,) = store().load(fields["sender"], [sent.json["attachment_id"]])
    assert Image.open(io.BytesIO(kept.data)).size == (40, 80)


@pytest.mark.parametrize("kind", sorted(ACTIVE_PDFS))
def test_an_active_or_polyglot_pdf_gets_415(app: Sanic, kind: str) -> None:
    fields = conversation()
    refused = upload(app, ACTIVE_PDFS[kind](), fields, lang="de")
    assert_refused(refused, 415, "upload.pdf_active", lang="de")
    assert store().owned(fields["sender"]) == {}


def test_a_plain_pdf_is_still_accepted_and_stored_byte_for_byte(app: Sanic) -> None:
    fields, pdf = conversation(), fictional_pdf()
    sent = upload(app, pdf, fields)
    assert sent.status == 201, sent.text
    (kept,) = store().load(fields["sender"], [sent.json["attachment_id"]])
    assert kept.data == pdf, "stored unchanged, so a signed notice keeps its signature"


def test_the_conversation_quota_refuses_the_file_after_the_last_allowed(app: Sanic) -> None:
    fields, pdf = conversation(), fictional_pdf()
    for number in range(MAX_FILES_PER_CONVERSATION):
        assert upload(app, pdf, fields).status == 201, f"file {number + 1} is within the quota"
    refused = upload(app, pdf, fields, lang="tr")
    assert_refused(refused, 413, "upload.quota", lang="tr", files="30", size="60 MB")
    assert len(store().owned(fields["sender"])) == MAX_FILES_PER_CONVERSATION
    assert upload(app, pdf, conversation()).status == 201, "another conversation is not affected"


def test_a_60_mb_upload_is_refused_before_its_body_is_read(app: Sanic) -> None:
    """Only the headers and the first 64 KiB are sent: an answer proves nothing was buffered."""
    fields, port = conversation(), free_port()
    answers: list[bytes] = []

    @app.after_server_start
    async def send_oversized(_app: Sanic, _loop: object) -> None:
        answers.append(await _post_headers_only(port, fields, SIXTY_MB))

    client(app, port).get("/health")
    head, _, body = answers[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 "), answers[0][:200]
    refusal = json.loads(body)
    assert refusal == {
        "error": "upload.too_large",
        "message": t("errors.upload.too_large", "ru", max="10 MB"),
    }
    assert store().owned(fields["sender"]) == {}


async def _post_headers_only(port: int, fields: dict[str, str], claimed: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    boundary = "fictionalboundary"
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        for key, value in {**fields, "document": "rental_contract", "lang": "ru"}.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    )
    writer.write(
        f"POST {UPLOAD_PATH}?lang=ru HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {claimed}\r\n\r\n".encode()
        + head.encode()
        + b"0" * 65536
    )
    await writer.drain()
    try:
        answer = await asyncio.wait_for(reader.read(65536), timeout=10)
    finally:
        writer.close()
    return answer


def test_the_quota_counts_bytes_in_the_database(
    engine: Any, box: DataBox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite and PostgreSQL: the bytes a conversation holds are summed where they are stored."""
    import bot.parsing.files as rules

    files, pdf = AttachmentStore(engine, box), fictional_pdf()
    monkeypatch.setattr(rules, "MAX_BYTES_PER_CONVERSATION", 2 * len(pdf) + len(pdf) // 2)
    files.add("web-bytes", "rental_contract", pdf)
    files.add("web-bytes", "payslip", pdf)
    with pytest.raises(ParseError) as refused:
        files.add("web-bytes", "lease", pdf)
    assert refused.value.reason == "upload.quota"
    assert len(files.owned("web-bytes")) == 2
    files.add("web-other", "lease", pdf)
