"""Turn the bytes a scraper saved into text, whatever encoding it used.

Order of evidence: a byte-order mark, a declared charset (HTML meta, XML declaration, HTTP
header) unless the bytes contradict it, strict UTF-8, then detection. Detectors are weak on
short texts, so every candidate decoding is scored by how plausible its letters look (one
script per word, sane letter case, common Cyrillic bigrams, few accented Latin letters) and
the best one wins. Text that was already mis-decoded once (UTF-8 read as cp1251 or latin-1,
"РџСЂРёРІРµС‚", "cafÃ©") is repaired. Every decision that changes what a reader would see is
recorded as a note.
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

__all__ = [
    "Decoded",
    "binary_reason",
    "decode_bytes",
    "declared_charset",
    "normalise_charset",
    "plausibility",
    "repair_mojibake",
]

# Single-byte candidates tried when bytes are not UTF-8: Cyrillic first, then Western and
# Central European. Multi-byte East Asian encodings come only from the detector's guess.
CYRILLIC_CANDIDATES = ("cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp866", "mac_cyrillic")
WESTERN_CANDIDATES = ("cp1252", "iso8859_15", "cp1250", "iso8859_2")
DETECTOR_CANDIDATES = (
    *CYRILLIC_CANDIDATES,
    *WESTERN_CANDIDATES,
    "cp1253",
    "cp1254",
    "cp1257",
    "cp1255",
    "cp1256",
    "gb18030",
    "big5",
    "shift_jis",
    "euc_jp",
    "euc_kr",
)

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF media file"),
    (b"PK\x03\x04", "a ZIP archive (or office document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"\x7fELF", "an executable"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 file"),
)

# HTML meta charset / http-equiv, XML declaration; only the first few KB are searched.
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([a-zA-Z0-9_.\-]+)["']""")
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE)

_WORD = re.compile(r"[^\W\d_]+")
_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13, 27))
_UNUSUAL = re.compile(r"[^\t\n\r\x20-\x7e]")
# Mojibake leaves tell-tale pairs: a UTF-8 lead byte decoded as a Latin or Cyrillic letter
# followed by a continuation byte decoded as a symbol or rare letter.
_MOJIBAKE_HINT = re.compile(
    "[ÃÂÅÄÐÑÎÏРСТв][\u0080-\u00bf\u2018-\u203a\u20ac\u2116\u2122\u0152\u0153\u0160\u0161"
    "\u017d\u017e\u0178\u0192\u02c6\u02dc\u0402-\u040f\u0452-\u045f\u0490\u0491]"
)
_MOJIBAKE_SCAN = 1_000_000  # mis-decoding is file-wide, so the first MB shows it
_LATIN_ACCENT_OK = 0.34  # words with more accented letters than this look like mojibake
_WESTERN_ALIASES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii"}


@dataclass
class Decoded:
    """Decoded text, the encoding used, and notes on what had to be guessed or repaired."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


def normalise_charset(name: str | None) -> str | None:
    """Map a declared charset label to a Python codec name, or None when unknown.

    Browsers treat ``iso-8859-1`` and ``ascii`` as windows-1252, and so do we: the C1 range
    in such pages almost always means curly quotes and dashes.
    """
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if label in _WESTERN_ALIASES:
        return "cp1252"
    if label in {"utf8", "unicode-1-1-utf-8", "utf-8"}:
        return "utf-8"
    if label in {"x-cp1251", "win-1251", "windows1251"}:
        return "cp1251"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(head: bytes) -> str | None:
    """The charset an HTML or XML document declares about itself in its first bytes."""
    window = head[:8192]
    match = _XML_DECL.match(window) or _META_CHARSET.search(window)
    return match.group(1).decode("ascii", "ignore") if match else None


def http_charset(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header."""
    if not content_type:
        return None
    match = _HTTP_CHARSET.search(content_type)
    return match.group(1) if match else None


def binary_reason(head: bytes) -> str | None:
    """Why ``head`` (the first KB of a file) is not text, or None when it looks like text."""
    for signature, what in BINARY_SIGNATURES:
        if head.startswith(signature):
            return f"binary file: {what}"
    if _bom_encoding(head) or _utf16_without_bom(head):
        return None
    sample = head[:8192]
    if b"\x00" in sample:
        return "binary file: contains NUL bytes"
    controls = len(sample.translate(None, _NOT_CONTROL))
    if sample and controls / len(sample) > 0.05:
        return "binary file: too many control bytes for text"
    return None


def _bom_encoding(data: bytes) -> str | None:
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: one byte of each pair takes only a handful of values."""
    sample = data[:4096]
    if len(sample) < 16:
        return None
    even, odd = sample[0::2], sample[1::2]
    for name, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high.count(0) + high.count(4) < 0.4 * len(high):
            continue
        top = max(high.count(v) for v in set(high))
        # the high byte is one script block (00 for Latin, 04 for Cyrillic) almost always
        if high.count(0) + top >= 0.9 * len(high) and len(set(high)) <= 4 and len(set(low)) > 4:
            if high.count(0) > 0.2 * len(high) or (high.count(4) > 0.4 * len(high)):
                try:
                    data[: len(data) - len(data) % 2].decode(name)
                except UnicodeDecodeError:
                    continue
                return name
    return None


@cache
def _cyrillic_bigrams() -> frozenset[str]:
    raw = (resources.files(__package__) / "data" / "cyrillic_bigrams.json").read_text("utf-8")
    table = json.loads(raw)
    return frozenset(bg for lang, freqs in table.items() if lang != "about" for bg in freqs)


@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "?"


@lru_cache(maxsize=4096)
def _is_accented_latin(char: str) -> bool:
    return ord(char) > 127 and _script(char) == "LATIN"


@lru_cache(maxsize=4096)
def _is_junk(char: str) -> bool:
    """Characters that real prose almost never contains but wrong decodings produce."""
    if char in "\t\n\r\f":
        return False
    if char == "\ufffd" or "\u2500" <= char <= "\u259f":
        return True
    if char in "¤¦¨¬¯´¸¹²³ºª¼½¾µ¶·†‡‰ƒˆ˜‹›¢¥±÷×":
        return True
    return unicodedata.category(char) in {"Cc", "Co", "Cn", "Cs"}


@lru_cache(maxsize=65536)
def _word_quality(word: str) -> float:
    scripts = {_script(c) for c in word}
    if len(scripts) > 1:
        return 0.0
    uncased = word.lower() == word.upper()  # CJK, Arabic, Hebrew...
    if not (uncased or word.islower() or word.isupper() or word[1:].islower()):
        case_factor = 0.3
    else:
        case_factor = 1.0
    script = next(iter(scripts))
    if script == "CYRILLIC":
        lower = word.lower()
        pairs = [lower[i : i + 2] for i in range(len(lower) - 1)]
        if not pairs:
            return case_factor * (1.0 if lower in "авикосуяжб" else 0.5)
        known = _cyrillic_bigrams()
        return case_factor * sum(p in known for p in pairs) / len(pairs)
    if script == "LATIN":
        accented = sum(_is_accented_latin(c) for c in word)
        if accented and accented / len(word) > _LATIN_ACCENT_OK:
            return case_factor * 0.3
        return case_factor
    return case_factor


def plausibility(text: str) -> float:
    """How much ``text`` looks like real prose, in [-2, 1]; used to rank candidate decodings.

    Only words with at least one non-ASCII letter are scored, because ASCII is the same in
    every candidate and would only dilute the difference.
    """
    good = 0.0
    total = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        good += len(word) * _word_quality(word)
        total += len(word)
    junk = sum(1 for c in _UNUSUAL.findall(text) if _is_junk(c))
    if total + junk == 0:
        return 1.0
    return (good - 2 * junk) / (total + junk)


def repair_mojibake(text: str) -> tuple[str, bool]:
    """Undo UTF-8 that was decoded as a single-byte encoding; returns (text, changed).

    Uses ftfy's encoding fixer only when a tell-tale pattern is present, and keeps the
    result only if it reads more plausibly than the input.
    """
    if text.isascii() or not _MOJIBAKE_HINT.search(text, 0, _MOJIBAKE_SCAN):
        return text, False
    import ftfy

    fixed = ftfy.fix_encoding(text)
    if fixed == text:
        fixed = _round_trip(text)
    if fixed != text and plausibility(fixed) > plausibility(text):
        return fixed, True
    return text, False


def _round_trip(text: str) -> str:
    """Whole-text fallback for mojibake ftfy leaves alone: encode back, decode as UTF-8."""
    for codec in ("cp1251", "cp1252", "latin-1", "koi8_r"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """Decode as UTF-8 with replacement when the bytes are UTF-8 apart from a few bad ones."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    multibyte = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    if multibyte >= 3 and bad <= max(2, multibyte // 20):
        return text, bad
    return None


def _sample(data: bytes, size: int = 8192) -> bytes:
    """Lines with non-ASCII bytes, up to ``size``: the only part where candidates differ."""
    picked: list[bytes] = []
    total = 0
    for line in data[:1_000_000].split(b"\n"):
        if line.isascii():
            continue
        picked.append(line)
        total += len(line) + 1
        if total >= size:
            break
    return b"\n".join(picked) if picked else data[:size]


def _detector_guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(data[:65536], cp_isolation=list(DETECTOR_CANDIDATES)).best()
    except Exception:  # the detector is advisory; never let it stop a run
        return None
    return normalise_charset(best.encoding) if best else None


def _pick_single_byte(data: bytes, declared: str | None) -> tuple[str, str]:
    """The candidate whose decoding reads most plausibly; the detector's guess is tried last.

    A near-perfect score ends the search early: later candidates are either the same for
    these bytes or would need to be better than near-perfect.
    """
    sample = _sample(data)
    ordered = [declared] if declared else []
    ordered += [*CYRILLIC_CANDIDATES, *WESTERN_CANDIDATES]
    best: tuple[float, str] | None = None
    tried: set[str] = set()
    for codec in [*ordered, None]:
        if codec is None:  # everything tried without a clear winner: ask the detector
            codec = _detector_guess(data)
            if codec is None:
                break
        if codec in tried:
            continue
        tried.add(codec)
        try:
            text = sample.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        score = plausibility(text)
        if codec == declared:
            score += 0.05  # a declaration breaks ties, but not a clear difference
        if best is None or score > best[0]:
            best = (score, codec)
        if best[0] >= 0.97:
            break
    codec = best[1] if best else "cp1252"
    return data.decode(codec, errors="replace"), codec


def decode_bytes(data: bytes, *, declared: str | None = None) -> Decoded:
    """Decode one document's bytes; ``declared`` is a charset label the container claimed."""
    notes: list[str] = []
    bom = _bom_encoding(data)
    if bom:
        text = data.decode(bom, errors="replace").lstrip("\ufeff")
        if bom != "utf-8":
            notes.append(f"decoded as {bom}")
        return _finish(text, bom, notes)
    utf16 = _utf16_without_bom(data)
    if utf16:
        notes.append(f"decoded as {utf16} (no byte-order mark)")
        return _finish(data.decode(utf16, errors="replace"), utf16, notes)
    codec = normalise_charset(declared)
    if codec in {"utf-16", "utf-32"}:  # a declaration a single-byte file cannot honour
        codec = None
    try:
        text = data.decode("utf-8")
        if codec and codec != "utf-8" and not data.isascii():
            notes.append(f"declared {declared} but the bytes are UTF-8")
        return _finish(text, "utf-8", notes)
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly and codec in (None, "utf-8"):
        text, bad = mostly
        notes.append(f"replaced {bad} invalid UTF-8 byte{'s' if bad != 1 else ''}")
        return _finish(text, "utf-8", notes)
    text, chosen = _pick_single_byte(data, codec if codec != "utf-8" else None)
    if codec and chosen != codec:
        notes.append(f"declared {declared} but the bytes read as {chosen}")
    notes.append(f"decoded as {chosen}")
    return _finish(text, chosen, notes)


def _finish(text: str, encoding: str, notes: list[str]) -> Decoded:
    text, repaired = repair_mojibake(text)
    if repaired:
        notes.append("repaired mojibake")
    return Decoded(text=text, encoding=encoding, notes=notes)
