"""Edit a PO file without disturbing what the tool does not change.

The file is read as chunks, one per entry (the header, with the file's leading comments, first),
each keeping its exact text. Saving writes kept chunks byte for byte and renders only the entries
the tool added or changed (polib, wrapped as gettext wraps), so a reviewed entry is never rewritten
and a file nobody changed is never written at all.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import polib

from ..errors import ContentError
from ..files import check_inside, decode_text, read_bytes
from ..text import control_problem, forbidden_character

WRAP = 78


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
    """Read ``path`` as chunks; a missing file is an empty document. Broken files raise ContentError.

    The reader is this module's own, one pass over the lines (time grows with the file's size, even
    for a string split over 500,000 lines), and as strict as ``msgfmt --check``: an unknown escape,
    a msgid without msgstr, a string outside an entry are errors with their line.
    """
    path = Path(path)
    if not os.path.lexists(path):
        return PoDocument(path, language)
    check_inside(path, path.parent, "catalog")
    raw = read_bytes(path)
    text = decode_text(path, raw)
    document = PoDocument(path, language, original=text, raw=raw)
    for number, (start, chunk_text, entry, metadata) in enumerate(parse_po(path, text)):
        if number == 0 and entry is None:
            check_language(path, metadata, language)
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


def check_language(path: Path, metadata: dict, language: str) -> None:
    declared = metadata.get("Language", "").strip()
    if declared and declared.replace("-", "_").split("_")[0] != language:
        raise ContentError(
            path, f"the header says Language: {declared}, but this file holds {language!r}; fix the header"
        )


# --- the reader ---------------------------------------------------------------------------------

_STRING = re.compile(r'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"')
_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]+)|(.))")
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "?": "?",
}
_KEYWORD_LINE = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?(?=[\s\"])")
_PREVIOUS = {"msgctxt": "previous_msgctxt", "msgid": "previous_msgid", "msgid_plural": "previous_msgid_plural"}


class _Entry:
    """An entry being read: each field a list of string pieces, joined once at the end (linear)."""

    def __init__(self, line: int) -> None:
        self.line = line  # first line of the entry
        self.fields: dict[str, list[str]] = {}
        self.plural: dict[int, list[str]] = {}
        self.keyword_lines: dict[str, int] = {}
        self.obsolete: bool | None = None
        self.tcomment: list[str] = []
        self.comment: list[str] = []
        self.occurrences: list[tuple[str, str]] = []
        self.flags: list[str] = []
        self.last: list[str] | None = None  # where a continuation string goes

    @property
    def has_msgstr(self) -> bool:
        return "msgstr" in self.fields or bool(self.plural)

    def build(self, path: Path) -> polib.POEntry:
        def text(name: str) -> str | None:
            parts = self.fields.get(name)
            return None if parts is None else "".join(parts)

        if "msgid" not in self.fields:
            where = self.keyword_lines.get("msgstr", self.line)
            raise ContentError(path, "a msgstr without a msgid before it; add the msgid or remove the entry", where)
        if not self.has_msgstr:
            _missing_msgstr(path, self)
        if ("msgid_plural" in self.fields) != bool(self.plural) or ("msgstr" in self.fields and self.plural):
            raise ContentError(
                path, "msgid_plural goes with msgstr[0], msgstr[1]…, and msgid with msgstr", self.keyword_lines["msgid"]
            )
        entry = polib.POEntry(
            msgid=text("msgid"),
            msgstr=text("msgstr") or "",
            msgid_plural=text("msgid_plural") or "",
            msgstr_plural={n: "".join(parts) for n, parts in self.plural.items()},
            msgctxt=text("msgctxt"),
            tcomment="\n".join(self.tcomment),
            comment="\n".join(self.comment),
            occurrences=self.occurrences,
            flags=self.flags,
            previous_msgctxt=text("previous_msgctxt"),
            previous_msgid=text("previous_msgid"),
            previous_msgid_plural=text("previous_msgid_plural"),
            linenum=self.line,
        )
        entry.obsolete = bool(self.obsolete)
        for name in ("msgid", "msgstr", "msgctxt"):
            bad = forbidden_character(text(name) or "")
            if bad:
                raise ContentError(path, f"{name} {control_problem(bad)}", self.keyword_lines.get(name, self.line))
        return entry


def _missing_msgstr(path: Path, entry: _Entry) -> None:
    raise ContentError(
        path,
        'a msgid without a msgstr; add msgstr "" after it (an empty translation) or remove the entry',
        entry.keyword_lines["msgid"],
    )


def parse_po(path: Path, text: str) -> list[tuple[int, str, polib.POEntry | None, dict]]:
    """The file's chunks: (first line, exact text, entry or None for the header, header metadata).

    A chunk is an entry with its comments and the blank lines after it; the text before the first
    entry's msgid (the file's leading comments) goes with the first chunk.
    """
    return _Reader(path, text).read()


Chunks = list[tuple[int, str, polib.POEntry | None, dict]]


class _Reader:
    """One pass over the lines of a PO file: comments, keyword lines and continuation strings."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = [line + "\n" for line in text.split("\n")]  # only \n ends a line (not U+2028, U+0085…)
        self.lines[-1] = self.lines[-1][:-1]
        if not self.lines[-1]:
            self.lines.pop()
        self.chunks: Chunks = []
        self.chunk_start = 0  # index of the first line of the chunk being read
        self.current: _Entry | None = None

    def read(self) -> Chunks:
        for index, line in enumerate(self.lines):
            body = line.strip()
            if not body:
                continue
            if body.startswith("#~"):
                previous = body[2:].startswith("|")
                body = body[3:].strip() if previous else body[2:].strip()
                if body:
                    self.string_line(index, body, previous=previous, obsolete=True)
            elif body.startswith("#|"):
                self.string_line(index, body[2:].strip(), previous=True, obsolete=False)
            elif body.startswith("#"):
                self.comment_line(index, body)
            else:
                self.string_line(index, body, previous=False, obsolete=False)
        self.end_of_file()
        return self.chunks

    def comment_line(self, index: int, body: str) -> None:
        """A comment after a msgstr starts the next entry; between msgid and msgstr it is an error."""
        current = self.current
        if current is not None and "msgid" in current.fields and not current.has_msgstr:
            _missing_msgstr(self.path, current)
        if current is not None and current.has_msgstr:
            self.finish(index)
        if self.current is None:
            self.current = _Entry(index + 1)
        _comment(self.current, body)

    def string_line(self, index: int, body: str, previous: bool, obsolete: bool) -> None:
        """A keyword line (``msgid "…"``) or a continuation string, plain, previous (#|) or obsolete (#~)."""
        path, number = self.path, index + 1
        keyword = _KEYWORD_LINE.match(body)
        if keyword is None and not body.startswith('"'):
            raise ContentError(
                path,
                f'not valid PO syntax: {body[:60]!r}; an entry is msgid "…" then msgstr "…" '
                "(check it with `msgfmt --check`)",
                number,
            )
        name = keyword.group(1) if keyword else None
        current = self.entry_for(index, name, keyword, previous)
        if current.obsolete is None and not previous:
            current.obsolete = obsolete
        elif not previous and current.obsolete != obsolete:
            raise ContentError(path, "an entry is either all obsolete (#~) or not at all", number)
        value = _string(path, body[keyword.end() :] if keyword else body, number)
        if name is None:
            if current.last is None:
                raise ContentError(path, f"a string outside any entry: {body[:60]!r}; remove it", number)
            current.last.append(value)
        else:
            self.keyword(current, name, keyword.group(2), value, previous, number)

    def entry_for(self, index: int, name: str | None, keyword: re.Match | None, previous: bool) -> _Entry:
        """The entry a line belongs to: the current one, or a new one that it starts."""
        current, number = self.current, index + 1
        starts_entry = previous or name in ("msgctxt", "msgid")
        if current is not None and "msgid" in current.fields and not current.has_msgstr and starts_entry:
            _missing_msgstr(self.path, current)
        if name == "msgstr" and keyword.group(2) is None and current is not None and current.has_msgstr:
            raise ContentError(self.path, "a msgstr without a msgid before it; add the msgid or remove it", number)
        if current is not None and current.has_msgstr and starts_entry:
            self.finish(index)
        if self.current is None:
            if name is None:
                line = self.lines[index].strip()
                raise ContentError(self.path, f"a string outside any entry: {line[:60]!r}; remove it", number)
            self.current = _Entry(number)
        return self.current

    def keyword(self, current: _Entry, name: str, plural: str | None, value: str, previous: bool, number: int) -> None:
        path = self.path
        field_name = _PREVIOUS.get(name) if previous else name
        if field_name is None:
            raise ContentError(path, f"'#| {name}' is not a previous-msgid line; fix it", number)
        if name == "msgstr" and plural is not None:
            if int(plural) in current.plural:
                raise ContentError(path, f"msgstr[{plural}] is given twice in this entry", number)
            current.last = current.plural[int(plural)] = [value]
            current.keyword_lines.setdefault("msgstr", number)
            return
        if field_name in current.fields or (name != "msgstr" and not previous and current.has_msgstr):
            raise ContentError(path, f"{name} is given twice in this entry; a blank line between entries helps", number)
        if name in ("msgid_plural", "msgstr") and not previous and "msgid" not in current.fields:
            raise ContentError(path, f"{name} without a msgid before it; add the msgid", number)
        current.last = current.fields[field_name] = [value]
        current.keyword_lines[field_name] = number

    def finish(self, end: int) -> None:
        """The current entry is complete: it becomes a chunk (the header, if it is the first)."""
        current = self.current
        entry = current.build(self.path)
        metadata: dict = {}
        if not self.chunks and entry.msgid == "" and entry.msgctxt is None and not entry.obsolete:
            metadata = _metadata(entry.msgstr)
            entry = None
        elif entry.msgid == "" and not entry.obsolete:
            raise ContentError(self.path, "an entry with an empty msgid; only the header (first) has one", current.line)
        self.chunks.append((current.line, "".join(self.lines[self.chunk_start : end]), entry, metadata))
        self.chunk_start = end
        self.current = None

    def end_of_file(self) -> None:
        current = self.current
        if current is not None and (current.fields or current.has_msgstr):
            self.finish(len(self.lines))
        elif self.chunks and self.chunk_start < len(self.lines):  # comments after the last entry: its text
            start, chunk_text, entry, metadata = self.chunks[-1]
            rest = "".join(self.lines[self.chunk_start :])
            self.chunks[-1] = (start, chunk_text + rest, entry, metadata)
        elif not self.chunks and current is not None:
            self.chunks.append((1, "".join(self.lines), None, {}))  # a file of comments only: a header


def _comment(entry: _Entry, body: str) -> None:
    marker = body[1:2]
    if marker == ",":
        entry.flags += [flag.strip() for flag in body[2:].split(",") if flag.strip()]
    elif marker == ".":
        entry.comment.append(body[3:] if body[2:3] == " " else body[2:])
    elif marker == ":":
        for occurrence in body[2:].split():
            file, _, line = occurrence.rpartition(":")
            entry.occurrences.append((file, line) if file and line.isdigit() else (occurrence, ""))
    else:
        comment = body.lstrip("#")
        entry.tcomment.append(comment[1:] if comment.startswith(" ") else comment)


def _string(path: Path, rest: str, number: int) -> str:
    """The quoted PO strings that make up the rest of the line, joined and unescaped; ContentError otherwise."""
    rest = rest.strip()
    parts, position = [], 0
    while position < len(rest):
        match = _STRING.match(rest, position)
        if match is None:
            raise ContentError(
                path,
                f'not valid PO syntax: {rest[:60]!r}; strings are in double quotes, inner quotes written \\" '
                "(check it with `msgfmt --check`)",
                number,
            )
        parts.append(match.group(1))
        position = match.end()
        while position < len(rest) and rest[position] in " \t":
            position += 1
    value = "".join(parts)
    return _unescape(path, value, number) if "\\" in value else value


def _unescape(path: Path, value: str, number: int) -> str:
    """C escapes as msgfmt reads them: octal and hex escapes are bytes of the UTF-8 text."""
    out = bytearray()
    position = 0
    for escape in _ESCAPE.finditer(value):
        out += value[position : escape.start()].encode("utf-8")
        octal, hexadecimal, other = escape.groups()
        if octal is not None:
            out.append(int(octal, 8) & 0xFF)
        elif hexadecimal is not None:
            out.append(int(hexadecimal, 16) & 0xFF)
        elif other in _ESCAPES:
            out += _ESCAPES[other].encode("utf-8")
        else:
            raise ContentError(
                path, f"invalid escape \\{other} in a string; write \\\\ for a backslash (msgfmt refuses it)", number
            )
        position = escape.end()
    out += value[position:].encode("utf-8")
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError(
            path, "escapes that do not make UTF-8 text; write the characters themselves", number
        ) from None


def _metadata(header: str) -> dict:
    metadata = {}
    for line in header.split("\n"):
        key, colon, value = line.partition(":")
        if colon:
            metadata[key.strip()] = value.strip()
    return metadata


def new_header(document: PoDocument, project: str, now: dt.datetime, translator: str) -> Chunk:
    """The header of a catalog the tool creates; ``translator``: who made it (the desk's editor, translate)."""
    header = polib.POFile(wrapwidth=WRAP)
    header.header = (
        f"{project}: the {document.language} edition. Entries marked fuzzy are drafts: correct the text, then\n"
        "remove the fuzzy flag to mark it reviewed."
    )
    header.metadata = {
        "Project-Id-Version": project,
        "PO-Revision-Date": now.strftime("%Y-%m-%d %H:%M%z"),
        "Last-Translator": translator,
        "Language-Team": document.language,
        "Language": document.language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    return Chunk(None, header.__unicode__().rstrip("\n") + "\n")
