"""Read an article's translation catalog (``content/<slug>/<lang>.po``) into a :class:`Catalog`.

The PO file is the single source of truth for a translation, and untrusted input. Each entry is in
one of the states below; obsolete (``#~``) entries are kept in the file but never shown.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .pofile import Chunk, read_document

REVIEWED = "reviewed"
MACHINE = "machine draft"  # fuzzy, as translate drafted it (its comment names the engine)
EDITOR = "editor draft"  # fuzzy, written or changed by a person (no engine comment)
STALE = "stale"
MISSING = "missing"
STATES = (REVIEWED, MACHINE, EDITOR, STALE, MISSING)
MACHINE_NOTE = "machine draft: "  # the translator comment translate puts on its drafts
REUSED_NOTE = "reused: "  # translate's note on a draft reused from another entry
FRESH_NOTE = "source changed; new machine draft"  # translate's note on a stale entry (always last)
SETTLED = "settled: "  # "settled: KEY REASON": an editor dismissed a QA finding (see settlement_key)


def settlement_key(source: str, target: str, message: str) -> str:
    """The key an editor's settlement of one QA finding is kept under, in the entry's comments.

    It covers both sides of the entry and the finding, so the finding comes back when the
    Vietnamese or the English changes (or the check finds something else).
    """
    digest = hashlib.sha256("\0".join((source, target, message)).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:16]


TOOL_NOTES = (MACHINE_NOTE, REUSED_NOTE, FRESH_NOTE, SETTLED)  # how the comments the tools write start


def settlement_blocks(tcomment: str | None) -> tuple[list[str], list[list[str]]]:
    """An entry's translator comments split into the other lines and its settlements, each a
    ``settled: KEY REASON`` line and the lines the PO writer wrapped its reason onto (up to the
    next line of ours)."""
    others: list[str] = []
    blocks: list[list[str]] = []
    for line in (tcomment or "").splitlines():
        if line.startswith(SETTLED):
            blocks.append([line])
        elif blocks and blocks[-1] is not None and not line.startswith(TOOL_NOTES):
            blocks[-1].append(line)
        else:
            others.append(line)
            if blocks:
                blocks.append(None)  # a line of ours ends the last settlement's reason
    return others, [block for block in blocks if block is not None]


def settlements(tcomment: str | None) -> dict[str, str]:
    """The settled findings' keys in an entry's translator comments, with each reason."""
    found = {}
    for block in settlement_blocks(tcomment)[1]:
        key, _, reason = block[0][len(SETTLED) :].partition(" ")
        found[key] = " ".join([reason, *block[1:]]).strip()
    return found


class Entry(NamedTuple):
    """One translated segment as the catalog holds it."""

    msgid: str
    msgstr: str
    fuzzy: bool
    previous_msgid: str | None
    line: int
    machine: bool = False  # translate's draft, untouched by a person since
    settled: tuple[tuple[str, str], ...] = ()  # (key, reason) of each QA finding an editor settled

    def open_findings(self, messages: list[str]) -> list[str]:
        """``messages`` (QA findings of this entry) without those an editor settled."""
        return [m for m in messages if self.settled_reason(m) is None]

    def settled_reason(self, message: str) -> str | None:
        """Why an editor settled this finding of the entry as it is now, or None (not settled)."""
        key = settlement_key(self.msgid, self.msgstr, message)
        return next((reason for settled, reason in self.settled if settled == key), None)

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
    settled = tuple(settlements(item.tcomment).items())
    return Entry(item.msgid, item.msgstr, "fuzzy" in item.flags, item.previous_msgid, chunk.line, machine, settled)
