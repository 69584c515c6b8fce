"""Reading a source document: bytes in, decoded text out, or a DocumentError saying why not.

The decoded text is kept exactly as read (CRLF and CR included): it is stored untouched and
`sources.normalise` does every repair. Only a leading byte-order mark is removed, and noted.

Refused, with the file named and the reason: an empty or blank file, a file larger than
MAX_DOCUMENT_BYTES, and anything that looks binary — NUL bytes (or, after decoding, NUL
characters: no text document has them and PostgreSQL cannot store them), more than 1 % of
other control characters, or no text encoding that fits.
"""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

# Control characters other than these mean the bytes are not a text document.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
# A stray control character or two survive in real exports; more than this share is binary.
_MAX_CONTROL_RATIO = 0.01
# The share of "expected" characters below which a decoding is judged implausible.
_MIN_PLAUSIBLE = 0.9
# The largest document the loader and the upload take: a year's chronicle is a few hundred
# kilobytes, and a document of this size still loads in seconds (bench: 10 MB in ~10 s).
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)


class DocumentError(ValueError):
    """A file that cannot be read as a text document; the message names the file and why."""


@dataclass(frozen=True)
class DecodedDocument:
    name: str
    text: str
    encoding: str
    had_bom: bool
    sha256: str


def read_document(data: bytes, *, name: str) -> DecodedDocument:
    """Decode `data` (UTF-8, UTF-8/16 with BOM, GB18030/GBK, else charset-normalizer's guess)."""
    if not data:
        raise DocumentError(f"{name}: file is empty")
    document_size_check(len(data), name=name)
    text, encoding, had_bom = _decode(data, name)
    if not text.strip():
        raise DocumentError(f"{name}: file contains only whitespace")
    if "\x00" in text:
        raise DocumentError(
            f"{name}: looks like a binary file (a NUL character at position {text.index(chr(0))})"
        )
    controls = sum(1 for ch in text if _is_stray_control(ch))
    if controls / len(text) > _MAX_CONTROL_RATIO:
        raise DocumentError(
            f"{name}: looks like a binary file ({controls} control characters "
            f"in {len(text)} characters)"
        )
    return DecodedDocument(
        name=name,
        text=text,
        encoding=encoding,
        had_bom=had_bom,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def document_size_check(size: int, *, name: str) -> None:
    """Raises DocumentError for a document larger than MAX_DOCUMENT_BYTES."""
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            f"{name}: too large ({size / 2**20:.1f} MB; a document may have at most "
            f"{MAX_DOCUMENT_BYTES // 2**20} MB)"
        )


def read_path(path: str | Path) -> DecodedDocument:
    """Read a file from disk; the document is named by the file's name."""
    path = Path(path)
    return read_document(path.read_bytes(), name=path.name)


def _decode(data: bytes, name: str) -> tuple[str, str, bool]:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise DocumentError(f"{name}: {label} byte-order mark but invalid {label}") from exc
            return text.lstrip("\ufeff"), label, True

    if b"\x00" in data:
        raise DocumentError(
            f"{name}: looks like a binary file (a NUL byte at offset {data.index(0)})"
        )

    utf8 = _try(data, "utf-8")
    gb = _try(data, "gb18030")
    if utf8 is not None:
        # Short GB18030 texts can happen to be valid UTF-8 ("说" is CB B5, which is "˵"):
        # keep UTF-8 unless it reads as noise where GB18030 reads as Chinese.
        if gb is not None and _plausibility(utf8) < _MIN_PLAUSIBLE <= _plausibility(gb):
            return gb, "gb18030", False
        return utf8, "utf-8", False
    # GB18030 accepts almost any byte pair, so a decoding is only trusted if it reads as text.
    if gb is not None and _plausibility(gb) >= _MIN_PLAUSIBLE:
        return gb, "gb18030", False

    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding is not None:
        return str(best), best.encoding, False
    if gb is not None:
        return gb, "gb18030", False
    raise DocumentError(f"{name}: looks like a binary file (no text encoding fits)")


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _is_stray_control(ch: str) -> bool:
    return ch not in _TEXT_CONTROLS and unicodedata.category(ch) == "Cc"


def _plausibility(text: str) -> float:
    """Share of characters a Chinese or English text document is made of."""
    sample = [ch for ch in text[:4000] if not ch.isspace()]
    if not sample:
        return 1.0
    return sum(1 for ch in sample if _is_expected(ch)) / len(sample)


def _is_expected(ch: str) -> bool:
    code = ord(ch)
    return (
        0x20 <= code < 0x7F
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= code <= 0x4DBF  # extension A
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x2000 <= code <= 0x206F  # general punctuation: — “ ” …
        or ch in "·©®°×÷"
    )
