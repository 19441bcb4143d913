"""Checks for what an administrator gives a letterhead: the crest image and the file-number pattern.
Pure functions; the services store what passes."""
from __future__ import annotations

import io
import re

CREST_MAX_BYTES = 512 * 1024
CREST_MAX_SIDE = 3000  # pixels; a crest is a small picture, and a huge one would only slow every PDF
# judged by the first bytes of the content, never by the name or the browser's content type; SVG is
# not taken at all (it can carry scripts and external references)
SIGNATURES = {b"\x89PNG\r\n\x1a\n": ("image/png", "PNG"), b"\xff\xd8\xff": ("image/jpeg", "JPEG")}

PATTERN_FIELD = re.compile(r"\{(code|year|seq)(?::(0[1-9]d|[1-9]?d))?\}")
PATTERN_MAX = 60


def crest_type(data: bytes) -> str | None:
    """The MIME type the signature of `data` names (PNG or JPEG), or None."""
    return next((mime for magic, (mime, _) in SIGNATURES.items() if data.startswith(magic)), None)


def crest_problem(data: bytes) -> str | None:
    """Why `data` is not an acceptable crest, or None: empty, too large, not a PNG or JPEG by its
    signature, or not a whole image of that kind when decoded, or too many pixels."""
    if not data:
        return "empty"
    if len(data) > CREST_MAX_BYTES:
        return "too large"
    magic = next((m for m in SIGNATURES if data.startswith(m)), None)
    if magic is None:
        return "not an image"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != SIGNATURES[magic][1]:
                return "not an image"
            if max(image.size) > CREST_MAX_SIDE:
                return "too many pixels"
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return "not an image"
    return None


def pattern_problem(pattern: str) -> str | None:
    """Why a file-number pattern cannot be used, or None. Allowed: text without braces and the fields
    {code}, {year} and {seq} (with a width such as {seq:03d}); {seq} is required, so numbers differ."""
    if not pattern or len(pattern) > PATTERN_MAX:
        return "length"
    rest = PATTERN_FIELD.sub("", pattern)
    if "{" in rest or "}" in rest or any(ord(c) < 32 for c in rest):
        return "field"
    if not any(m.group(1) == "seq" for m in PATTERN_FIELD.finditer(pattern)):
        return "no seq"
    return None


def file_number(pattern: str, *, code: str, year: int, seq: int) -> str:
    """'{code}-{year}/{seq:03d}' with MDP, 2022, 7 -> 'MDP-2022/007' (the pattern passed pattern_problem)."""
    values = {"code": code, "year": year, "seq": seq}

    def field(match: re.Match) -> str:
        value, spec = values[match.group(1)], match.group(2)
        return format(value, spec) if spec and isinstance(value, int) else str(value)

    return PATTERN_FIELD.sub(field, pattern)
