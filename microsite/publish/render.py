"""Turn localized articles into HTML and XML: Markdown, the sanitiser, and the Jinja templates.

Everything that reaches a page from content or a catalog passes :func:`sanitize`: no script, no
event-handler attribute, no ``javascript:`` or ``data:`` URL. This module knows nothing of PO files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import tomllib
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
import nh3
from markupsafe import Markup, escape

from ..cache import code_version, read_sealed, write_sealed
from ..content.blocks import Block, Figure, Heading, ListBlock, Paragraph, Quote, Segment, Table, Verbatim
from ..content.config import Language, SiteConfig
from ..errors import ContentError
from ..files import decode_utf8, read_bytes
from ..inline import InlineMarkdown
from .images import MODERN, ImageInfo
from .kept import kept_text, recall_texts, save_texts
from .localize import Localized
from .typography import smarten_html
from .urls import absolute, relative

BODY_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div",
    "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
INLINE_TAGS = {"a", "abbr", "b", "br", "cite", "code", "em", "i", "kbd", "mark", "q", "s", "small",
               "span", "strong", "sub", "sup", "time", "u"}  # fmt: skip
ATTRIBUTES = {
    "*": {"lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
ALIGN = {":-:": "center", ":--": "left", "--:": "right"}
STRINGS_FILE = "strings.toml"
# Stands where a machine-text marker goes until the HTML is sanitised; no content can hold it.
MARK = f"\ue000machine-{secrets.token_hex(8)}\ue000"
DRAFT_MARK = f"\ue000draft-{secrets.token_hex(8)}\ue000"  # a person's draft, not yet reviewed

log = logging.getLogger(__name__)


def sanitize(html: str, tags: set[str] = BODY_TAGS, rewrite: Mapping[str, str] | None = None) -> str:
    """HTML from content or a catalog, cleaned; ``rewrite`` maps image sources to their page URLs.

    Pages make no outside requests: an image keeps its ``src`` only when it is one of the article's
    own photos (a key of ``rewrite``, checked when the article was read); any other image source,
    remote or not, is dropped, whether it came from the Vietnamese or from a translation.
    """
    rewrite = rewrite or {}

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return rewrite.get(value)
        if attribute == "href":
            return rewrite.get(value, value)
        return value

    return nh3.clean(
        html,
        tags=tags,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
    )


class Alternate(NamedTuple):
    """One language version of a page, as seen from a page: for hreflang and the switcher."""

    code: str
    name: str
    locale: str
    url: str  # absolute
    href: str  # relative to the page linking to it
    current: bool


class Photo(NamedTuple):
    """A photo on a page: URLs relative to that page (a named tuple: thousands are kept between builds)."""

    src: str
    url: str  # absolute, for Open Graph and feeds
    srcset: str
    width: int | None
    height: int | None
    webp: str = ""  # srcset of its WebP copies, for a <picture> source


class SnapshotLoader(jinja2.FileSystemLoader):
    """The templates as a build read them once (``sources``: name → text), never read again from
    disk while it renders; a template not among them is read as usual."""

    def __init__(self, folder: Path, sources: dict[str, str]) -> None:
        super().__init__(folder)
        self.folder, self.sources = folder, sources

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source = self.sources.get(template)
        if source is None:
            return super().get_source(environment, template)
        return source, str(self.folder / template), lambda: True


class Renderer:
    """The templates, Markdown converter and UI strings for one site; one per process.

    ``sources``: the templates' texts as the build read them (:meth:`.Manifest.read_templates`),
    else each is read from ``templates/`` when first used.
    """

    def __init__(self, config: SiteConfig, sources: dict[str, str] | None = None) -> None:
        self.config = config
        recall_texts(config.cache_dir)
        self.strings, self.strings_digest = strings_and_digest(config.templates_dir / STRINGS_FILE, config.languages)
        loader = jinja2.FileSystemLoader(config.templates_dir)
        if sources is not None:
            loader = SnapshotLoader(config.templates_dir, sources)
        self.env = jinja2.Environment(
            loader=loader,
            bytecode_cache=_bytecode_cache(config.cache_dir / "templates"),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["date"] = format_day
        self.env.filters["iso"] = lambda value: iso_datetime(value, self.zone)
        self.zone = ZoneInfo(config.timezone)
        self.blocks = BlockRenderer()
        self._links: dict[tuple, tuple[list[str], list[str]]] = {}  # :meth:`_variant_links`

    def template(self, name: str) -> jinja2.Template:
        return self.env.get_template(name)

    def body_html(self, page: Localized, figures: list[str], rewrite: Mapping[str, str]) -> Markup:
        """The article body: the text between figures rendered and sanitised, the figures as made.

        Each passage still in machine (or editor) draft is marked for readers (:meth:`mark`).
        """
        out: list[str] = []
        pending: list[str] = []
        remaining = iter(figures)
        parts = self.blocks.parts(page.article.blocks, page.text, lambda s: mark_of(page, s))
        for part in [*parts, None]:
            if part is not None:
                pending.append(part)
                continue
            if pending:
                html = smarten_html(sanitize("\n".join(pending), rewrite=rewrite), page.language)
                out.append(self.mark(html, page.language))
                pending = []
            out.append(next(remaining, ""))
        return Markup("\n".join(chunk for chunk in out if chunk))

    def caption_html(self, text: str, language: str = "", mark: str = "") -> Markup:
        """A caption is inline Markdown: rendered, then sanitised (and marked, ``mark``: :func:`mark_of`)."""
        html = smarten_html(sanitize(self.blocks.inline(text) + mark, tags=INLINE_TAGS), language)
        return Markup(self.mark(html, language))

    def mark(self, html: str, language: str) -> str:
        """Sanitised HTML with each passage's MARK replaced by the reader's marker of machine text.

        The marker is added after the sanitiser (which allows no class), from a placeholder no
        content can hold: a private-use character and this process's random key.
        """
        if MARK in html:
            html = html.replace(MARK, self.marker(language))
        return html.replace(DRAFT_MARK, self.marker(language, draft=True)) if DRAFT_MARK in html else html

    def marker(self, language: str, draft: bool = False) -> Markup:
        """What marks a passage as machine text (``draft``: a person's draft) for readers: a subtle ✱,
        its label for screen readers."""
        label = escape(self.strings[language]["draft_mark" if draft else "machine_mark"])
        return Markup(
            f' <span class="machine-mark" title="{label}"><span aria-hidden="true">✱</span>'
            f'<span class="visually-hidden"> ({label})</span></span>'
        )

    def photo(self, image: ImageInfo, page_path: str, site_path: str) -> Photo:
        """How a page at ``page_path`` shows a photo published at ``site_path``."""
        folder, _, name = site_path.rpartition("/")
        up = relative(page_path, f"{folder}/x")[:-1]  # the link to the photo's folder (its files differ by name)
        same, modern = self._variant_links(image, site_path, name)
        src = relative(page_path, site_path)
        srcset = ", ".join(f"{up}{link}" for link in same)
        if same and image.width:
            srcset += f", {src} {image.width}w"
        return Photo(
            src=src,
            url=absolute(self.config.base_url, site_path),
            srcset=srcset,
            width=image.width,
            height=image.height,
            webp=", ".join(f"{up}{link}" for link in modern),
        )

    def _variant_links(self, image: ImageInfo, site_path: str, name: str) -> tuple[list[str], list[str]]:
        """A photo's variants as srcset candidates from its folder ("a-480w.jpg 480w"): those in its
        own format (or all, for a WebP photo), then the WebP ones. Worked out once per photo: each
        article page and card shows it from another folder."""
        key = (image.digest, image.width, image.height, len(image.variants), site_path)
        found = self._links.get(key)
        if found is None:
            if len(self._links) > 10_000:
                self._links.clear()
            found = ([], [])
            for variant in image.variants:
                modern = variant.cached.suffix == MODERN and not site_path.endswith(MODERN)
                found[modern].append(f"{quote(image.variant_name(name, variant))} {variant.width}w")
            self._links[key] = found
        return found

    def render(self, name: str, **context: object) -> str:
        """A template filled in; a mistake in a template is reported with its file and line."""
        try:
            return self.template(name).render(config=self.config, strings_of=self.strings, **context)
        except jinja2.TemplateSyntaxError as exc:
            path = Path(exc.filename) if exc.filename else self.config.templates_dir / name
            raise ContentError(path, f"template error: {exc.message}", exc.lineno) from None
        except jinja2.TemplateError as exc:
            path, line = _template_frame(exc, self.config.templates_dir, name)
            raise ContentError(path, f"template error: {exc}; check the names used there", line) from None


class BlockRenderer:
    """HTML of an article's blocks in any language; Markdown (the library) renders inline markup.

    The blocks were parsed once; each segment's text, source or translation, is rendered as
    inline Markdown in its place, so a translation can never change the page's structure.
    """

    def __init__(self) -> None:
        self.markdown = InlineMarkdown()

    def parts(
        self, blocks: tuple[Block, ...], text: Callable[[Segment], str], suffix: Callable[[Segment], str] | None = None
    ) -> list[str | None]:
        """Unsanitised HTML of each block, None where a figure goes (figures are made elsewhere).

        ``suffix`` gives what to put after a segment's text (the machine-text placeholder).
        """
        references = "\n".join(b.text for b in blocks if isinstance(b, Verbatim) and b.references)

        def html_of(segment: Segment) -> str:  # a segment's text, its links resolved by the article's references
            return self.inline(text(segment), references) + (suffix(segment) if suffix else "")

        return [None if isinstance(block, Figure) else self.block(block, html_of) for block in blocks]

    def html(self, blocks: tuple[Block, ...], text: Callable[[Segment], str]) -> str:
        """Unsanitised HTML of the blocks, figures left out."""
        return "\n".join(part for part in self.parts(blocks, text) if part)

    def block(self, block: Block, html_of: Callable[[Segment], str]) -> str:
        """One block's HTML; ``html_of`` gives each of its segments' inline HTML."""
        if isinstance(block, Paragraph):
            return f"<p>{html_of(block.text)}</p>"
        if isinstance(block, Heading):
            return f"<h{block.level}>{html_of(block.text)}</h{block.level}>"
        if isinstance(block, ListBlock):
            return self.list(block, html_of)
        if isinstance(block, Quote):
            paragraphs = "\n".join(f"<p>{html_of(p)}</p>" for p in block.paragraphs)
            return f"<blockquote>\n{paragraphs}\n</blockquote>"
        if isinstance(block, Table):
            return self.table(block, html_of)
        if isinstance(block, Verbatim):
            return "" if block.references else self.convert(block.text)
        raise TypeError(f"no HTML for {type(block).__name__}")

    def list(self, block: ListBlock, html_of: Callable[[Segment], str]) -> str:
        out: list[str] = []
        open_lists: list[str] = []
        for item in block.items:
            depth = min(item.depth, len(open_lists))
            if depth == len(open_lists):
                tag = "ul" if item.number is None else "ol"
                start = f' start="{item.number}"' if item.number not in (None, 1) else ""
                out.append(f"<{tag}{start}>\n")
                open_lists.append(tag)
            else:
                while len(open_lists) > depth + 1:
                    out.append(f"</li>\n</{open_lists.pop()}>\n")
                out.append("</li>\n")
            out.append(f"<li>{html_of(item.text) if item.text else ''}")
        while open_lists:
            out.append(f"</li>\n</{open_lists.pop()}>\n")
        return "".join(out).strip()

    def table(self, block: Table, html_of: Callable[[Segment], str]) -> str:
        def row(cells: tuple[Segment | None, ...], tag: str) -> str:
            out = []
            for cell, alignment in zip(cells, block.alignments, strict=False):
                style = f' style="text-align: {ALIGN[alignment]};"' if alignment in ALIGN else ""
                out.append(f"<{tag}{style}>{'' if cell is None else html_of(cell)}</{tag}>")
            return "<tr>\n" + "\n".join(out) + "\n</tr>"

        body = "\n".join(row(cells, "td") for cells in block.rows)
        return f"<table>\n<thead>\n{row(block.header, 'th')}\n</thead>\n<tbody>\n{body}\n</tbody>\n</table>"

    def inline(self, text: str, references: str = "") -> str:
        """A segment's text as inline HTML; ``references`` are the article's link definitions."""
        return self.markdown.inline(text, references)

    def convert(self, text: str) -> str:
        return self.markdown.convert(text)


def _template_frame(exc: Exception, folder: Path, name: str) -> tuple[Path, int | None]:
    """The template file and line where rendering failed (Jinja puts them in the traceback)."""
    where: tuple[Path, int | None] = (folder / name, None)
    trace = exc.__traceback__
    while trace is not None:
        file = Path(trace.tb_frame.f_code.co_filename)
        if file.suffix in (".html", ".xml", ".txt") and file.is_relative_to(folder):
            where = (file, trace.tb_lineno)
        trace = trace.tb_next
    return where


class _BestEffortCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between builds when the cache folder is writable; a speed-up only.

    Each file is sealed (:mod:`.sealed`): compiled code that this user's builds did not write,
    such as a ``.cache/`` that came with the project, is never loaded.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = read_sealed(Path(self._get_cache_filename(bucket)))
        version = code_version().encode()  # Jinja's own check knows nothing of its upgrades
        if data is not None and data.startswith(version):
            bucket.bytecode_from_string(data[len(version) :])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        # a read-only or full .cache: the next build compiles again
        write_sealed(Path(self._get_cache_filename(bucket)), code_version().encode() + bucket.bytecode_to_string())


def _bytecode_cache(folder: Path) -> jinja2.BytecodeCache | None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.debug("no template cache in %s: %s", folder, exc)
        return None
    return _BestEffortCache(str(folder))


# The interface texts the code itself uses (the templates' own are checked as Jinja renders them).
CODE_STRINGS = frozenset({"archive", "latest", "search", "tag_heading", "tags", "machine_mark", "draft_mark"})


def load_strings(path: Path, languages: tuple[Language, ...]) -> dict[str, dict[str, str]]:
    """The interface texts of every language; each language must have the source language's keys."""
    return strings_and_digest(path, languages)[0]


def strings_and_digest(path: Path, languages: tuple[Language, ...]) -> tuple[dict[str, dict[str, str]], str]:
    """:func:`load_strings`, and the sha256 of the bytes they were read from."""
    if not os.path.lexists(path):
        raise ContentError(path, "interface texts not found; the templates folder needs strings.toml")
    raw = read_bytes(path)
    try:
        data = tomllib.loads(decode_utf8(path, raw))
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(path, f"not valid TOML: {exc}") from None
    reference = set().union(*(set(v) for v in data.values() if isinstance(v, dict)))
    for language in languages:
        table = data.get(language.code)
        if not isinstance(table, dict):
            raise ContentError(path, f"no [{language.code}] table: add the interface texts for {language.code}")
        needed = CODE_STRINGS - set(table)
        if needed:
            raise ContentError(
                path,
                f"[{language.code}] lacks {', '.join(sorted(needed))}: texts the build itself writes (a strings.toml "
                "from an earlier version?); copy them from this version's templates/strings.toml",
            )
        missing = reference - set(table)
        if missing:
            raise ContentError(path, f"[{language.code}] lacks {', '.join(sorted(missing))}; add them")
    for table_code, table in data.items():
        if isinstance(table, dict):
            for code in (lang.code for lang in languages):
                table.setdefault(f"name_{code}", language_name(code, table_code))
    return data, hashlib.sha256(raw).hexdigest()


def language_name(code: str, in_locale: str) -> str:
    """A language's name in another language, e.g. ``vi`` in English: Vietnamese."""
    return kept_text(("name", code, in_locale), lambda: _named(code, in_locale))


def _named(code: str, in_locale: str) -> str:
    from babel.core import Locale

    name = Locale.parse(in_locale).languages.get(code, code)
    return name[:1].upper() + name[1:]


def format_day(value: dt.date | dt.datetime, language: Language) -> str:
    """A publication date as readers of ``language`` write it (babel)."""
    day = value.date() if isinstance(value, dt.datetime) else value
    key = ("day", day, language.date_format, language.locale)
    return kept_text(key, lambda: _formatted_day(day, language.date_format, language.locale))


def _formatted_day(day: dt.date, date_format: str, locale: str) -> str:
    from babel.dates import format_date

    return format_date(day, format=date_format, locale=_parsed_locale(locale))


def month_name(month: tuple[int, int], language: Language) -> str:
    """A month as readers of ``language`` write it: "Tháng 5 năm 2024", "May 2024" (babel)."""
    return kept_text(("month", month, language.locale), lambda: _named_month(month, language.locale))


def _named_month(month: tuple[int, int], locale: str) -> str:
    from babel.dates import format_skeleton

    name = format_skeleton("yMMMM", dt.date(month[0], month[1], 1), locale=_parsed_locale(locale))
    return name[:1].upper() + name[1:]


@cache
def _parsed_locale(code: str):
    """(babel parses the locale anew on each call: given it parsed, a day takes half the time)"""
    from babel.core import Locale

    return Locale.parse(code)


# --- babel's answers, kept between builds (:mod:`.kept`) ------------------------------------------


def keep_texts(cache_dir: Path, dates: Iterable[tuple[dt.date | dt.datetime, Language]]) -> None:
    """The days and months of ``dates`` worked out (pages rendered by other processes wrote them:
    their answers never came back), and babel's answers kept in ``cache_dir`` if any is new."""
    for value, language in dates:
        format_day(value, language)
        month_name((value.year, value.month), language)
    save_texts(cache_dir)


def iso_datetime(value: dt.date | dt.datetime, zone: dt.tzinfo) -> str:
    """RFC 3339, as feeds and machine-readable dates want it; a bare date is midnight in ``zone``."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.isoformat()


def json_ld(data: Mapping[str, object]) -> Markup:
    """JSON for a ``<script type="application/ld+json">``, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def mark_of(page: Localized, segment: Segment) -> str:
    """The placeholder that marks an unreviewed passage: the machine's draft, or a person's; "" if reviewed."""
    if not page.machine_text(segment):
        return ""
    return MARK if page.drafted_by_machine(segment) else DRAFT_MARK
