"""Read an article's translation catalog (``content/<slug>/<lang>.po``) into a :class:`Catalog`.

The PO file is the single source of truth for a translation, and untrusted input. Each entry is in
one of the states below; obsolete (``#~``) entries are kept in the file but never shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .pofile import Chunk, read_document

REVIEWED = "reviewed"
MACHINE = "machine draft"  # fuzzy, as translate drafted it (its comment names the engine)
EDITOR = "editor draft"  # fuzzy, written or changed by a person (no engine comment)
STALE = "stale"
MISSING = "missing"
STATES = (REVIEWED, MACHINE, EDITOR, STALE, MISSING)
MACHINE_NOTE = "machine draft: "  # the translator comment translate puts on its drafts


@dataclass(frozen=True)
class Entry:
    """One translated segment as the catalog holds it."""

    msgid: str
    msgstr: str
    fuzzy: bool
    previous_msgid: str | None
    line: int
    machine: bool = False  # translate's draft, untouched by a person since

    @property
    def state(self) -> str:
        if not self.msgstr.strip():
            return MISSING
        if not self.fuzzy:
            return REVIEWED
        if self.previous_msgid is not None:
            return STALE
        return MACHINE if self.machine else EDITOR


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
        """How many of the given segments are in each state (a repeated source counted once)."""
        return Counter(self.state(source) for source in dict.fromkeys(sources))


def load_catalog(path: Path, language: str) -> Catalog:
    """Read a PO file; a missing file is an empty catalog. Broken files raise :class:`ContentError`."""
    document = read_document(path, language)
    entries = {chunk.msgid: entry_of(chunk) for chunk in document.chunks if chunk.ours and not chunk.obsolete}
    return Catalog(Path(path), language, entries)


def entry_of(chunk: Chunk) -> Entry:
    """A document's entry as the catalog holds it."""
    item = chunk.entry
    machine = any(line.startswith(MACHINE_NOTE) for line in (item.tcomment or "").split("\n"))
    return Entry(item.msgid, item.msgstr, "fuzzy" in item.flags, item.previous_msgid, chunk.line, machine)
