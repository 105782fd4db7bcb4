"""Read an article's translation catalog (``content/<slug>/<lang>.po``) into a :class:`Catalog`.

The PO file is the single source of truth for a translation, and untrusted input. Each entry is in
one of the states below; obsolete (``#~``) entries are kept in the file but never shown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polib

from .article import read_nfc_text
from .errors import ContentError

REVIEWED = "reviewed"
MACHINE = "machine draft"
STALE = "stale"
MISSING = "missing"
STATES = (REVIEWED, MACHINE, STALE, MISSING)

# polib quietly accepts some broken lines (an unterminated string loses its last character), so
# every line is checked against PO's grammar first; msgfmt would reject what this rejects.
_PO_LINE = re.compile(
    r'\s*(?:#~\|?\s*|#\|\s*)?(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"\s*'
)
# Lines that must be PO strings: all but blank lines, comments, and "#~"/"#|" lines without a quote.
_SUSPECT = re.compile(r'^(?!\s*$)(?!\s*#(?![~|]))(?!\s*#[~|][^"\n]*$).*$', re.MULTILINE)


@dataclass(frozen=True)
class Entry:
    """One translated segment as the catalog holds it."""

    msgid: str
    msgstr: str
    fuzzy: bool
    previous_msgid: str | None
    line: int

    @property
    def state(self) -> str:
        if not self.msgstr.strip():
            return MISSING
        if not self.fuzzy:
            return REVIEWED
        return STALE if self.previous_msgid is not None else MACHINE


@dataclass(frozen=True)
class Catalog:
    """The translations of one article into one language, keyed by source text."""

    path: Path
    language: str
    entries: dict[str, Entry] = field(default_factory=dict)

    def state(self, source: str) -> str:
        entry = self.entries.get(source)
        return MISSING if entry is None else entry.state

    def translation(self, source: str) -> str | None:
        """The text to publish for a source segment, or None while it has none."""
        entry = self.entries.get(source)
        return entry.msgstr if entry is not None and entry.state != MISSING else None

    def statistics(self, sources: Iterable[str]) -> Counter:
        """How many of the given segments are in each state (distinct sources counted once)."""
        return Counter(self.state(source) for source in dict.fromkeys(sources))


def load_catalog(path: Path, language: str) -> Catalog:
    """Read a PO file; a missing file is an empty catalog. Broken files raise :class:`ContentError`."""
    path = Path(path)
    if not path.exists():
        return Catalog(path, language)
    text = read_nfc_text(path)
    check_syntax(path, text)
    try:
        po = polib.pofile(text, wrapwidth=0)
    except (OSError, ValueError) as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ContentError(
            path, f"not a valid PO file ({exc}); check it with `msgfmt --check`", int(match.group(1)) if match else None
        ) from None
    check_language(path, po.metadata, language)
    entries: dict[str, Entry] = {}
    for item in po:
        if item.obsolete or item.msgctxt is not None or item.msgid_plural:
            continue
        if item.msgid in entries:
            raise ContentError(
                path,
                f"msgid {item.msgid[:60]!r} appears twice (first at line {entries[item.msgid].line}); keep one",
                item.linenum,
            )
        entries[item.msgid] = Entry(item.msgid, item.msgstr, "fuzzy" in item.flags, item.previous_msgid, item.linenum)
    return Catalog(path, language, entries)


def check_language(path: Path, metadata: dict, language: str) -> None:
    declared = metadata.get("Language", "").strip()
    if declared and declared.replace("-", "_").split("_")[0] != language:
        raise ContentError(
            path, f"the header says Language: {declared}, but this file holds {language!r}; fix the header"
        )


def check_syntax(path: Path, text: str) -> None:
    """Reject lines that are not PO, with their line number (polib would misread some of them)."""
    for match in _SUSPECT.finditer(text):
        line = match.group(0)
        if not _PO_LINE.fullmatch(line):
            number = text.count("\n", 0, match.start()) + 1
            raise ContentError(
                path,
                f"not valid PO syntax: {line.strip()[:60]!r}; each string must be in double quotes, with "
                'inner quotes written \\" (check it with `msgfmt --check`)',
                number,
            )
