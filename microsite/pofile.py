"""Edit a PO file without disturbing what the tool does not change.

The file is read as chunks, one per entry (the header, with the file's leading comments, first),
each keeping its exact text. Saving writes kept chunks byte for byte and renders only the entries
the tool added or changed (polib, wrapped as gettext wraps), so a reviewed entry is never rewritten
and a file nobody changed is never written at all.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import polib

from .article import read_nfc_text
from .catalog import check_language, check_syntax
from .errors import ContentError

WRAP = 78
_KEYWORD = re.compile(r"\s*(?:#~\s*)?(msgctxt|msgid_plural|msgid|msgstr)")
_CONTINUATION = re.compile(r'\s*(?:#~\s*)?(?:"|msgstr\[)')
_OBSOLETE_PREVIOUS = re.compile(r'^#~\|\s*(msgid\s+)?"((?:[^"\\]|\\.)*)"\s*$', re.MULTILINE)


@dataclass
class Chunk:
    """One entry of the file: ``text`` is what the file holds, None once the entry must be rendered."""

    entry: polib.POEntry | None  # None for the header
    text: str | None
    line: int = 0

    @property
    def msgid(self) -> str | None:
        return None if self.entry is None else self.entry.msgid

    @property
    def obsolete(self) -> bool:
        return self.entry is not None and self.entry.obsolete

    @property
    def ours(self) -> bool:
        """An entry the tool may manage: no context, no plural (others are kept as they are)."""
        return self.entry is not None and self.entry.msgctxt is None and not self.entry.msgid_plural

    def render(self) -> str:
        if self.text is not None:
            return self.text
        return self.entry.__unicode__(wrapwidth=WRAP) + "\n"


@dataclass
class PoDocument:
    """A PO file as chunks; ``original`` is the text read (None for a file that does not exist yet)."""

    path: Path
    language: str
    chunks: list[Chunk] = field(default_factory=list)
    original: str | None = None
    raw: bytes | None = None  # the file's bytes as read, to notice a save by someone else

    def entries(self) -> list[Chunk]:
        return [chunk for chunk in self.chunks if chunk.entry is not None]

    def render(self) -> str:
        parts: list[str] = []
        for chunk in self.chunks:
            text = chunk.render()
            if parts and not parts[-1].endswith("\n\n"):
                parts[-1] += "\n" if parts[-1].endswith("\n") else "\n\n"
            parts.append(text)
        return "".join(parts)


def read_document(path: Path, language: str) -> PoDocument:
    """Read ``path`` as chunks; a missing file is an empty document. Broken files raise ContentError."""
    path = Path(path)
    if not path.exists():
        return PoDocument(path, language)
    raw = path.read_bytes()
    text = read_nfc_text(path)
    check_syntax(path, text)
    document = PoDocument(path, language, original=text, raw=raw)
    for number, (start, chunk_text) in enumerate(_split(text)):
        try:
            parsed = polib.pofile(chunk_text, wrapwidth=WRAP) if number == 0 else None
            if parsed is None or len(parsed):
                # polib reads the first comments of a file as its header's: give the entry a header of its own
                parsed = polib.pofile('msgid ""\nmsgstr ""\n\n' + chunk_text, wrapwidth=WRAP)
        except (OSError, ValueError) as exc:
            raise ContentError(path, f"not a valid PO entry ({exc}); check it with `msgfmt --check`", start) from None
        items = list(parsed)
        if number == 0 and not items:
            check_language(path, parsed.metadata, language)
            document.chunks.append(Chunk(None, chunk_text, start))
            continue
        if len(items) != 1:
            raise ContentError(path, "could not read this entry; check the file with `msgfmt --check`", start)
        entry = items[0]
        if entry.obsolete and entry.previous_msgid is None:
            entry.previous_msgid = _obsolete_previous(chunk_text)  # polib drops "#~| msgid"
        document.chunks.append(Chunk(entry, chunk_text, start))
    seen: dict[str, int] = {}
    for chunk in document.chunks:
        if chunk.ours and not chunk.obsolete:
            if chunk.msgid in seen:
                raise ContentError(
                    path,
                    f"msgid {chunk.msgid[:60]!r} appears twice (first at line {seen[chunk.msgid]}); keep one",
                    chunk.line,
                )
            seen[chunk.msgid] = chunk.line
    return document


def new_header(document: PoDocument, project: str, now: dt.datetime) -> Chunk:
    """The header of a catalog the tool creates."""
    header = polib.POFile(wrapwidth=WRAP)
    header.header = (
        f"{project}: the {document.language} edition. Entries marked fuzzy are drafts: correct the text, then\n"
        "remove the fuzzy flag to mark it reviewed."
    )
    header.metadata = {
        "Project-Id-Version": project,
        "PO-Revision-Date": now.strftime("%Y-%m-%d %H:%M%z"),
        "Last-Translator": "machine draft",
        "Language-Team": document.language,
        "Language": document.language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    return Chunk(None, header.__unicode__().rstrip("\n") + "\n")


def _split(text: str) -> list[tuple[int, str]]:
    """Cut the file into entries: a new one starts at the first line after a msgstr that does not continue it."""
    chunks: list[tuple[int, str]] = []
    current: list[str] = []
    start, after_msgstr = 1, False
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if line.strip() and after_msgstr and not _CONTINUATION.match(line):
            chunks.append((start, "".join(current)))
            current, start, after_msgstr = [], number, False
        current.append(line)
        keyword = _KEYWORD.match(line)
        if keyword:
            after_msgstr = keyword.group(1) == "msgstr"
    if current:
        chunks.append((start, "".join(current)))
    return chunks


def _obsolete_previous(text: str) -> str | None:
    parts = [polib.unescape(match.group(2)) for match in _OBSOLETE_PREVIOUS.finditer(text)]
    return "".join(parts) if parts else None
