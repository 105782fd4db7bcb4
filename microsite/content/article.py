"""Read ``content/<slug>/index.md`` into an :class:`Article`: validated front matter and blocks."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from ..errors import ContentError, did_you_mean
from ..files import NAME_BYTES, check_inside, problem_of, read_nfc_text
from ..text import control_problem, forbidden_character, yaml_loader
from .blocks import (
    BYLINE,
    FIGURE,
    OPTIONAL_KINDS,
    SUMMARY,
    TAG,
    TITLE,
    Block,
    BlockError,
    Figure,
    Segment,
    Verbatim,
    collapse,
    parse_blocks,
)

FIELDS = {
    "title": "the headline (required)",
    "date": "publication date, YYYY-MM-DD (required)",
    "source": "byline or outlet",
    "source_url": "the original article's address (http or https), shown as a link",
    "summary": "the lead, shown under the headline",
    "image": "cover and social image, a path inside the article folder",
    "tags": "a list of topics",
    "draft": "true keeps the article out of the site",
}
REMOTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//")


class ImageRef(NamedTuple):
    """A photo an article uses: its path as written, the file, and where it is referred to."""

    src: str
    file: Path
    line: int


class DistinctSegment(NamedTuple):
    """One source text of an article, as its catalog holds it: the first place it is read, every line."""

    source: str
    kind: str
    lines: tuple[int, ...]
    first: Segment  # where it is first read (a repeated text is one entry in the catalog)

    @property
    def line(self) -> int:
        return self.lines[0]

    @property
    def optional(self) -> bool:
        """Whether the article may be published without its translation (shown as written: a byline)."""
        return self.kind in OPTIONAL_KINDS


class FrontMatter(NamedTuple):
    """An article's front matter as read: its text, its values and each key's line. Kept with the
    article's reading (``.cache/articles/``), so that reading the article again after an edit of its
    body alone neither imports nor runs PyYAML (~16 ms of an edit)."""

    text: str
    meta: dict
    lines: dict[str, int]


@dataclass(frozen=True)
class Article:
    """One article in the source language, validated, ready to translate and render."""

    slug: str
    path: Path
    title: Segment
    date: dt.date | dt.datetime
    source: str  # the byline as written (see ``byline``)
    summary: Segment | None
    tags: tuple[Segment, ...]
    image: ImageRef | None
    draft: bool
    blocks: tuple[Block, ...]
    images: tuple[ImageRef, ...] = ()
    source_url: str = ""
    byline: Segment | None = None  # ``source``, a segment to translate like the title
    front: FrontMatter | None = field(default=None, compare=False, repr=False)  # as read, for the next reading

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def figures(self) -> list[Figure]:
        return [block for block in self.blocks if isinstance(block, Figure)]

    @cached_property
    def references(self) -> str:
        """The article's link reference definitions, which ``[text][name]`` links in any language use
        (worked out once: asked for each segment, it made checking an article quadratic in its length)."""
        return "\n".join(b.text for b in self.blocks if isinstance(b, Verbatim) and b.references)

    def image_file(self, src: str) -> Path:
        """The file behind a photo path used in this article (all were checked when parsed)."""
        return next(ref.file for ref in self.images if ref.src == src)

    def segments(self) -> Iterator[Segment]:
        """Every translatable segment in reading order: title, summary, byline, tags, then the body."""
        yield self.title
        if self.summary is not None:
            yield self.summary
        if self.byline is not None:
            yield self.byline
        yield from self.tags
        for block in self.blocks:
            yield from block.segments()

    def distinct_segments(self) -> list[DistinctSegment]:
        """Each distinct source text once, in reading order: what the article's catalogs hold."""
        found: dict[str, tuple[Segment, list[int]]] = {}
        for segment in self.segments():
            found.setdefault(segment.source, (segment, []))[1].append(segment.line)
        return [DistinctSegment(source, first.kind, tuple(lines), first) for source, (first, lines) in found.items()]


def parse_article(path: Path, last: FrontMatter | None = None) -> Article:
    """Parse and validate one ``index.md``; raise :class:`ContentError` naming file and line.
    ``last``: its front matter as this code last read it (taken again if its text is the same)."""
    path = Path(path).absolute()
    slug = unicodedata.normalize("NFC", path.parent.name)
    folder = check_inside(path.parent, path.parent.parent, "article folder")
    path = check_inside(path, folder, "index.md", folder_resolved=True)
    text = read_nfc_text(path)
    front, body, body_line = _split_front_matter(path, text, last)
    meta, key_lines = front.meta, front.lines

    def line(key: str) -> int:
        return key_lines.get(key, 1)

    title = _text_field(path, meta, "title", line("title"), required=True)
    summary = _text_field(path, meta, "summary", line("summary"))
    source = _text_field(path, meta, "source", line("source")) or ""
    source_url = _url_field(path, meta, "source_url", line("source_url"))
    date = _date_field(path, meta.get("date"), line("date"))
    tags = _tags_field(path, meta.get("tags"), line("tags"))
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise ContentError(path, "draft must be true or false", line("draft"))

    try:
        blocks = tuple(parse_blocks(body, body_line))
    except BlockError as exc:
        raise ContentError(path, exc.message, exc.line) from None
    cover = _cover(path, meta.get("image"), line("image"))
    images = ([cover] if cover else []) + _body_images(path, blocks)
    return Article(
        slug=slug,
        path=path,
        title=Segment(TITLE, title, line("title")),
        date=date,
        source=source,
        summary=Segment(SUMMARY, summary, line("summary")) if summary else None,
        tags=tuple(Segment(TAG, tag, tag_line) for tag, tag_line in tags),
        image=cover,
        draft=draft,
        blocks=blocks,
        images=tuple(images),
        source_url=source_url,
        byline=Segment(BYLINE, source, line("source")) if source else None,
        front=front,
    )


def _cover(path: Path, value: object, line: int) -> ImageRef | None:
    """The front matter's ``image``, checked like every photo."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ContentError(path, "image must be a path such as images/photo.jpg", line)
    return _image_ref(path, value.strip(), line)


def _body_images(path: Path, blocks: tuple[Block, ...]) -> list[ImageRef]:
    """Every photo the body uses: figures, and images inside text."""
    images = []
    for block in blocks:
        if isinstance(block, Figure):
            images.append(_image_ref(path, block.src, block.line))
        for segment in block.segments():
            for match in FIGURE.finditer(segment.source):
                images.append(_image_ref(path, match.group("src").strip("<>"), segment.line))
    return images


def _photos_in(folder: Path) -> list[str]:
    """The photo files in an article's folder, as paths written in index.md (for a "did you mean")."""
    suffixes = (".jpg", ".jpeg", ".png", ".webp", ".gif")
    try:
        return [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.suffix.lower() in suffixes]
    except OSError:
        return []


def _split_front_matter(path: Path, text: str, last: FrontMatter | None = None) -> tuple[FrontMatter, str, int]:
    """Front matter (values, and the line of each key), then the body and the line it starts on;
    ``last``'s values when its text is the same."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, "an article starts with front matter: a line '---', title: and date:, then '---'", 1)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise ContentError(path, "front matter is not closed: add a line '---' after it", 1) from None
    written = "\n".join(lines[1:end])
    if last is not None and last.text == written:
        meta, key_lines = last.meta, last.lines
    else:
        meta, key_lines = _read_front_matter(path, written)
    for key in meta:
        if key not in FIELDS:
            known = ", ".join(FIELDS)
            hint = did_you_mean(str(key), FIELDS)
            raise ContentError(path, f"unknown field {key!r}{hint}; the fields are: {known}", key_lines.get(key, 1))
    return FrontMatter(written, meta, key_lines), "\n".join(lines[end + 1 :]), end + 2


def _read_front_matter(path: Path, text: str) -> tuple[dict, dict[str, int]]:
    """The YAML mapping, read node by node so that each key keeps its line (line 2 is the first)."""
    import yaml  # (an edit of an article's body alone reads its front matter as kept: FrontMatter)

    loader = yaml_loader()(text)
    key_lines: dict[str, int] = {}
    meta: dict = {}
    try:
        node = loader.get_single_node()
        if node is not None and not isinstance(node, yaml.MappingNode):
            raise ContentError(path, "front matter must be 'key: value' lines", 2)
        for key_node, value_node in node.value if node is not None else []:
            number = key_node.start_mark.line + 2
            if not isinstance(key_node, yaml.ScalarNode):
                raise ContentError(path, "front matter keys are plain words such as title:", number)
            key = key_node.value
            if key in key_lines:
                raise ContentError(path, f"{key!r} is given twice in the front matter; keep one", number)
            key_lines[key] = number
            try:
                meta[key] = loader.construct_object(value_node, deep=True)
            except ValueError as exc:  # e.g. a date that matches YYYY-MM-DD but does not exist
                raise ContentError(
                    path, f"{key}: {exc}; write a real date as YYYY-MM-DD, e.g. 2021-06-25", number
                ) from None
            _check_characters(path, meta[key], key, number)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        unclosed = _unclosed_quote(text.split("\n")[: (mark.line + 1) if mark else None])
        if unclosed is not None:
            number, quote = unclosed
            raise ContentError(
                path,
                f"front matter is not valid YAML: this value opens a quote ({quote}) that is never closed; "
                f"add the closing {quote} at its end",
                number + 2,
            ) from None
        raise ContentError(
            path,
            f"front matter is not valid YAML: {exc.problem}; put text that holds ': ', '#' or quotes "
            'in double quotes, e.g. title: "Quảng Ninh: tăng trưởng"',
            mark.line + 2 if mark else 1,
        ) from None
    finally:
        loader.dispose()
    return meta, key_lines


def _unclosed_quote(lines: list[str]) -> tuple[int, str] | None:
    """The first front-matter line whose value opens a quote it does not close, and the quote."""
    for number, line in enumerate(lines):
        _, colon, value = line.partition(":")
        value = value.strip()
        if not colon or value[:1] not in ("'", '"'):
            continue
        quote, rest = value[0], value[1:]
        closed = re.search(r'(?<!\\)"', rest) if quote == '"' else "'" in rest.replace("''", "")
        if not closed:
            return number, quote
    return None


def _check_characters(path: Path, value: object, key: str, line: int) -> None:
    """YAML escapes ("\\x01", "\\ud800") can make what the file's text check let through."""
    for item in value if isinstance(value, list) else [value]:
        bad = forbidden_character(item) if isinstance(item, str) else None
        if bad:
            raise ContentError(path, f"{key} {control_problem(bad)}", line)


def _text_field(path: Path, meta: dict, key: str, line: int, required: bool = False) -> str | None:
    value = meta.get(key)
    if value is None:
        if required:
            raise ContentError(path, f"front matter needs {key}: {FIELDS[key]}", 1)
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ContentError(path, f"{key} must be text; put it in quotes", line)
    value = collapse(value)
    if required and not value:
        raise ContentError(path, f"{key} is empty: {FIELDS[key]}", line)
    return value


def _url_field(path: Path, meta: dict, key: str, line: int) -> str:
    """An outside address: http(s), absolute, no spaces; empty when the field is absent."""
    value = _text_field(path, meta, key, line) or ""
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.netloc or " " in value):
        raise ContentError(path, f"{key} must be a web address starting with https:// or http://", line)
    return value


def _date_field(path: Path, value: object, line: int) -> dt.date | dt.datetime:
    if value is None:
        raise ContentError(path, "front matter needs date: the publication date, YYYY-MM-DD", 1)
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if isinstance(value, str):
        for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat):
            try:
                return parse(value.strip())
            except ValueError:
                continue
    raise ContentError(path, f"date {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2021-06-25", line)


def _tags_field(path: Path, value: object, line: int) -> list[tuple[str, int]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ContentError(path, "tags must be a list, e.g. tags: [công nghiệp, xuất nhập khẩu]", line)
    tags: list[tuple[str, int]] = []
    for tag in value:
        if isinstance(tag, (int, float)) and not isinstance(tag, bool):
            tag = str(tag)
        if not isinstance(tag, str) or not collapse(tag):
            raise ContentError(path, f"tag {tag!r} must be non-empty text", line)
        if collapse(tag) not in (t for t, _ in tags):
            tags.append((collapse(tag), line))
    return tags


def _image_ref(path: Path, src: str, line: int) -> ImageRef:
    """Check a photo path: relative, inside the article folder, and present."""
    if REMOTE.match(src):
        raise ContentError(
            path,
            f"photo {src!r} is on another site; pages make no outside requests, so save it in "
            "this article's images/ folder and refer to it as images/<name>",
            line,
        )
    folder = path.parent
    relative = src.split("#")[0].split("?")[0]
    if "\x00" in relative or any(len(part.encode("utf-8")) > NAME_BYTES for part in relative.split("/")):
        raise ContentError(
            path, f"photo path {src[:80]!r} holds a NUL character or a name over {NAME_BYTES} bytes; rename it", line
        )
    if src.startswith("/") or not Path(os.path.normpath(folder / relative)).is_relative_to(folder):
        raise ContentError(
            path, f"photo {src!r} is outside the article folder; keep photos in its images/ folder", line
        )
    if relative.lower().endswith((".svg", ".svgz")):
        raise ContentError(
            path,
            f"photo {src!r} is an SVG drawing, which can carry scripts that would run on the site; "
            "export it as PNG (or JPEG/WebP) and use that file",
            line,
        )
    file = check_inside(folder / relative, folder, "photo", folder_resolved=True)
    try:
        present = file.is_file()
    except OSError as exc:
        raise ContentError(path, f"photo {src!r}: {problem_of(exc)}", line) from None
    if not present:
        hint = did_you_mean(relative, _photos_in(folder), "; did you mean {!r}?")
        raise ContentError(
            path,
            f"photo {src!r} not found{hint or f'; put the file at {file.relative_to(folder)} in the article folder'}",
            line,
        )
    return ImageRef(src, file, line)
