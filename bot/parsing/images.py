"""Photos and scans: decoded completely, then stored as a fresh image without metadata.

A phone photo carries EXIF: GPS position of the citizen's home, camera serial,
time. The office needs none of it, so what we store is the re-encoded picture
(turned upright first, since the orientation lives in EXIF too) with only its
colour profile and resolution. Decoding fully proves the file is an image and
not a truncated or crafted one; the pixel count is checked before decoding so a
small file that unpacks into gigabytes (a decompression bomb) is refused.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from .errors import ParseError

JPEG, PNG = "image/jpeg", "image/png"
MAX_PIXELS = 40_000_000  # 40 megapixels: above any phone's default photo, far below a bomb
JPEG_QUALITY = 90  # when the original's quantization tables are unknown
_FORMATS = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG}  # MPO: a phone's JPEG with a preview
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
_BROKEN = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError)
_BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)


def looks_like_image(data: bytes) -> bool:
    return data.startswith(_SIGNATURES)


def too_many_pixels() -> ParseError:
    return ParseError("upload.pixels", max=str(MAX_PIXELS // 1_000_000))


def clean_image(data: bytes) -> tuple[str, bytes]:
    """(media type, re-encoded bytes) of a JPEG or PNG; ParseError(upload.type|pixels)."""
    try:
        with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as image:
            media_type = _FORMATS.get(image.format or "")
            if media_type is None:
                raise ParseError("upload.type")
            if image.width * image.height > MAX_PIXELS:
                raise too_many_pixels()
            image.load()
            upright = ImageOps.exif_transpose(image)
            return media_type, _encode(upright, media_type, image.info, _jpeg_tables(image))
    except ParseError:
        raise
    except _BOMB:
        raise too_many_pixels() from None
    except _BROKEN:
        raise ParseError("upload.type") from None


def _jpeg_tables(image: Image.Image) -> dict[str, Any]:
    """The original's quantization and subsampling: same quality, about the same size."""
    tables = getattr(image, "quantization", None)
    if not tables:
        return {"quality": JPEG_QUALITY}
    return {"qtables": tables, "subsampling": JpegImagePlugin.get_sampling(image)}


def _encode(
    image: Image.Image, media_type: str, original: dict[str, Any], jpeg: dict[str, Any]
) -> bytes:
    kept = {k: original[k] for k in ("icc_profile", "dpi") if original.get(k)}
    image.info = {}  # nothing of the original's metadata may ride along (JPEG copies comments)
    out = io.BytesIO()
    if media_type == JPEG:
        if image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        image.save(out, "JPEG", **jpeg, **kept)
    else:
        if "transparency" in original and image.mode in ("P", "L", "RGB"):
            kept["transparency"] = original["transparency"]
        image.save(out, "PNG", **kept)
    return out.getvalue()
