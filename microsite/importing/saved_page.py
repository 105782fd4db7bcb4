"""Read a news article from a page saved in a browser ("Save page as… Web page, complete").

The page is an ``.html`` file and, beside it, the ``<name>_files/`` folder of what the browser
saved. Reading prefers structured data: JSON-LD NewsArticle/Article, then OpenGraph and
``article:*`` meta, then ``<time>``, ``<h1>`` and ``<title>``. The body comes from the article's
container (``itemprop=articleBody``, a body class news CMSs use, ``<article>``, or the block
densest in paragraph text), cleaned of scripts, menus, share bars, ads, related-article boxes,
comments and forms, and converted to Markdown block by block. Photos come from the saved folder
only: lazy-load attributes and the largest srcset candidate are followed, ``data:`` URIs decoded;
a photo that was not saved is never downloaded: :mod:`.write` puts a labelled placeholder in its place.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import datetime as dt
import functools
import html as html_module
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from itertools import chain, islice, takewhile
from pathlib import Path
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ..errors import ContentError
from ..files import problem_of, read_bytes
from .guide import (
    BOX,
    MISSED,
    WORD,
    Reading,
    article_element,
    article_text,
    page_date,
    plain,
    share_held,
    skipped,
    steer,
)
from .model import Imported, Photo, block_start, text, usable_photo

ARTICLE_TYPES = {
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
    "BackgroundNewsArticle", "BlogPosting", "Report", "LiveBlogPosting",
}  # fmt: skip
DROPPED = [
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe", "button",
    "input", "select", "textarea", "svg", "canvas", "video", "audio", "object", "embed", "ins", "link", "meta",
]  # fmt: skip
# Classes and ids of what is not the article: share bars, ads, related boxes, comments, forms.
# Short words must stand alone in a class name ("ads", "tags"); distinctive ones may be part of one
# ("box-tinlienquanv2", "jp-relatedposts", "sharedaddy").
NOISE_WORDS = re.compile(
    r"(^|[-_ ])(ads?|qc|tags?|keywords?|date|time|menu|print|rating|toolbar|banner|popup|modal|widget|"
    r"byline|author|post-?meta|article-?meta|entry-?meta|meta|breadcrumbs?|footer|source)($|[-_ ])",
    re.IGNORECASE,
)
NOISE_PARTS = re.compile(
    r"(share|sharing|social|related|relate|lienquan|lien-quan|xemthem|xem-them|docthem|doc-them|see-?also|"
    r"read-?more|comment|binhluan|binh-luan|newsletter|subscribe|advert|adsbygoogle|quangcao|quang-cao|"
    r"sponsor|sidebar|most-?read|trending|recommend|outbrain|taboola|sharedaddy|box-?tin|box-?news|detail-tab|"
    r"tag-?list|box-?tag)",
    re.IGNORECASE,
)
BODY_HINT = re.compile(
    r"(article[-_]?body|article__body|articlebody|fck_detail|detail[-_]?content|content[-_]?detail|"
    r"detail__content|detail-cmain|singular[-_]content|entry[-_]content|post[-_]content|article[-_]content|"
    r"news[-_]content|knc-content|cms-body|the-article-body|td-post-content|maincontent|main-content|story-body)",
    re.IGNORECASE,
)
LEAD_HINT = re.compile(r"(sapo|lead|summary|description|chapeau|excerpt|intro|article__sapo|detail-sapo)", re.I)
CAPTION_HINT = re.compile(
    r"(caption|desc|chu-?thich|image_desc|photocms_caption|pcaption|wp-caption-text|note|expnote)", re.I
)
PHOTO_UNIT = re.compile(r"(wp-caption|tplcaption|vcsortableinpreviewmode|picture|image|photo|img|figure)", re.I)
LAZY_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src", "data-lazy", "data-url", "data-echo", "src")
OUTLET_MARK = re.compile(
    r"^(?P<outlet>\([^()]{2,30}\)|[A-Z]{2,6})\s*[-–—]\s+"
)  # "TTO - ", "(Dân trí) - "; not "TP.HCM - "
SAVED_FROM = re.compile(r"saved from url=\(\d+\)(\S+)")
FIRST_YEAR = 1990  # no news page is older: an earlier date is a placeholder ("0001-01-01")
SHORT = 80  # characters of prose: an article as trafilatura reads it is no shorter (a breaking-news item)
MIN_TEXT = 200  # characters of paragraph text below which a page is not an article
# Bounds that keep one import within seconds and within Python's recursion limit. Real saved pages
# (trafilatura's evaluation set of 1,032): at most 1.6 MB, 10,078 elements, 78 levels deep.
MAX_PAGE_BYTES = 10_000_000
MAX_MARKUP = 4_000_000  # characters, once scripts and styles are out
MAX_ELEMENTS = 25_000
MAX_DEPTH = 200
OPENING_TAG = re.compile(r"<[A-Za-z]")
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# (its end tag as browsers read it: "</script" then anything up to ">", "</script  <!--x-->" too)
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b([^>]*)>.*?</\1(?=[\s/>])[^>]*>", re.IGNORECASE | re.DOTALL)
NOT_CHARSETS = {"idna", "punycode", "undefined", "raw-unicode-escape", "unicode-escape"}  # as codecs.lookup names them
BLOCK_NAMES = ["p", "li", "td", "th", "h2", "h3", "h4", "blockquote", "figcaption", "pre", "figure"]
INLINE = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "u", "var", "wbr", "br", "img", "label",
}  # fmt: skip


def decode_page(path: Path, raw: bytes) -> str:
    """The page's text: UTF-8 when it is valid UTF-8 (browsers save so, whatever the page declares),
    else the charset it declares, else windows-1258 (Vietnamese Windows); composed (NFC)."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return unicodedata.normalize("NFC", raw[len(bom) :].decode(codec, errors="replace"))
    try:
        return unicodedata.normalize("NFC", raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    declared = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", raw[:4096], re.IGNORECASE)
    for codec in ([declared.group(1).decode("ascii")] if declared else []) + ["windows-1258"]:
        try:
            info = codecs.lookup(codec)
            if not info._is_text_encoding or info.name in NOT_CHARSETS:
                continue  # "undefined", "idna", "rot13", "base64": Python codecs, not a page's charset
            return unicodedata.normalize("NFC", raw.decode(codec, errors="replace"))
        except (LookupError, UnicodeError, ValueError):  # a charset Python does not know or cannot use
            continue
    raise ContentError(path, "the page's text could not be decoded; save it again from the browser (as UTF-8)")


def _read_page(path: Path) -> bytes:
    """The saved page's bytes; refused beyond :data:`MAX_PAGE_BYTES` without reading it all."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ContentError(path, problem_of(exc)) from None
    if size > MAX_PAGE_BYTES:
        raise ContentError(
            path,
            f"this page is {size / 1e6:.0f} MB; a saved article page is well under {MAX_PAGE_BYTES // 1_000_000} MB "
            "(its photos are in its _files folder): save the article's own page",
        )
    return read_bytes(path)


def _kept_script(match: re.Match) -> str:
    """A script or style element as the reading keeps it: JSON-LD whole, anything else emptied."""
    return match.group(0) if "ld+json" in match.group(2).lower() else f"<{match.group(1)}></{match.group(1)}>"


def _depth(soup: BeautifulSoup) -> int:
    """How deep the page's elements nest (walked without recursion: the depth is not known yet)."""
    deepest, stack = 0, [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:  # (deeper than that is refused anyway)
            stack.extend((child, depth + 1) for child in node.contents if isinstance(child, Tag))
    return deepest


def read_saved_page(path: Path) -> Imported:
    """Read ``path`` (a saved .html page) into an :class:`Imported` article; ContentError if it is none."""
    path = Path(path)
    decoded, html, soup = _parse(path)
    base = _base_url(soup, html)
    meta = _metadata(soup)
    title, weak = _headline(soup, meta)
    if not title:
        raise ContentError(path, "no headline found (no JSON-LD, og:title, <h1> or <title>); is this an article page?")
    # Which text is the article, as trafilatura reads it (from the page as ours is read: its scripts
    # emptied, JSON-LD kept); a page this generator made is read by the structure it was written with.
    ours = _ours(soup)
    reading = None if ours else article_text(html, base)  # (its scripts emptied: not parsed twice)
    website = meta.get("type") in ("website", "WebSite", "WebPage", "CollectionPage") and not meta.get("is_article")
    if website and (reading is None or reading.size < MIN_TEXT):
        raise ContentError(path, "this is not an article page (it says it is a website's page); save an article")
    container = _article_container(soup, reading)
    if container is None:
        raise ContentError(path, "this does not look like an article: no block of paragraphs found")
    title = _settled_headline(title, weak, container, soup, meta)
    imported = Imported(title=title)
    page = _Page(path, base, imported)
    byline, shown_tags = _byline(soup), _shown_tags(soup)  # before the page is cleaned of them
    summary = _lead(page, soup, container, meta, reading)
    boxes: list[str] = []  # the text of the page furniture taken out
    imported.left_out += _clean(container, boxes)
    page.convert(container)
    _take_byline(imported, meta, page.signature)
    imported.summary = _summary(imported, meta, summary)  # (a bold lead leaves the body)
    if reading is not None:
        placed = [title, imported.summary, byline, meta.get("byline", "")]
        imported.blocks, dropped = steer(imported.blocks, placed, reading, boxes + _furniture(soup, container))
        imported.left_out += dropped
    if not ours:  # (on a page this generator made, a repeat is the writer's)
        _drop_repeats(imported, title)
    _refuse_if_short(path, imported, meta, reading)
    imported.source_url = _absolute_http(meta.get("url") or _canonical(soup) or base)
    address = imported.source_url or base
    found = functools.partial(page_date, decoded, address)  # (htmldate's: asked only when needed)
    imported.date = _page_day(meta.get("date") or _marked_date(soup), address, soup, found)
    names = (meta.get("author"), byline, meta.get("byline"), meta.get("publisher"), meta.get("site_name"))
    imported.source = next((name for name in names if name), "")
    imported.tags = meta.get("tags") or shown_tags or meta.get("keywords", [])
    if meta.get("image"):
        imported.cover = page.cover(meta["image"])
    return imported


def _article_container(soup: BeautifulSoup, reading: Reading | None) -> Tag | None:
    """Our choice of the article's container; when the page does not mark it and it misses most of
    what trafilatura reads as the article, the element holding that instead."""
    container, marked = _container(soup)
    if reading is None or marked:
        return container
    if container is None or share_held(container.get_text(" "), reading) < MISSED:
        return article_element(soup, reading, [*BLOCK_NAMES, "h1", "h5", "h6"], FURNITURE) or soup.body or soup
    return container


def _lead(page: _Page, soup: BeautifulSoup, container: Tag, meta: dict, reading: Reading | None) -> str:
    """The lead block's text (taken off the page); none when it is a lead-like box after the article
    that is not the article's text (an author's biography, a teaser of another story)."""
    summary, leading = page.take_lead(soup, container, page.imported.title)
    if summary and reading is not None and not (leading or reading.holds(summary) or _described(summary, meta)):
        page.imported.left_out.append(f"a box that looked like the lead but is not the article's: “{summary[:60]}”")
        return ""
    return summary


def _refuse_if_short(path: Path, imported: Imported, meta: dict, reading: Reading | None) -> None:
    """ContentError when too little text was found for an article (a home, section or menu page): a
    declared article counts all its text, any other page its prose (not headings, not lone links)."""
    article = meta.get("is_article")
    words = sum(len(block) for block in imported.blocks if isinstance(block, str) and (article or _prose(block)))
    if words < (1 if article else MIN_TEXT if reading is None else SHORT) and not imported.photos:
        raise ContentError(
            path,
            f"this does not look like an article: only {words} characters of text were found (a home or "
            "section page?); save the article's own page",
        )


def _parse(path: Path) -> tuple[str, str, BeautifulSoup]:
    """The page's text, its markup (scripts but JSON-LD taken out) and its tree; ContentError for
    what is no page a browser saved from a news site (empty, .mhtml, too large, too deep)."""
    if path.suffix.lower() not in (".html", ".htm", ".xhtml", ".mhtml"):
        raise ContentError(path, "import reads a page saved as .html (Save page as… Web page, complete)")
    if path.suffix.lower() == ".mhtml":
        raise ContentError(path, "this is a single-file .mhtml page; save it as Web page, complete (.html) instead")
    raw = _read_page(path)
    if not raw.strip():
        raise ContentError(path, "the file is empty; save the page again")
    page = decode_page(path, raw)
    html = SCRIPT_OR_STYLE.sub(_kept_script, page)  # scripts, but JSON-LD, are never read
    elements = len(OPENING_TAG.findall(html))
    if elements > MAX_ELEMENTS or len(html) > MAX_MARKUP:
        raise ContentError(
            path,
            f"this page holds {elements:,} elements and {len(html) / 1e6:.1f} MB of markup besides its scripts "
            f"(an article's page holds a few thousand elements; the limits are {MAX_ELEMENTS:,} and "
            f"{MAX_MARKUP / 1e6:.0f} MB): save the article's own page, not an archive, a live blog or a whole section",
        )
    soup = BeautifulSoup(html, "html.parser")
    if _depth(soup) > MAX_DEPTH:
        raise ContentError(
            path,
            f"this page nests its elements more than {MAX_DEPTH} deep (news pages stay under 100): "
            "it is not a page a browser saved from a news site; save the article's page again",
        )
    return page, html, soup


GENERATOR = "microsite"  # as templates/base.html names the generator


def _ours(soup: BeautifulSoup) -> bool:
    """Whether this generator made the page (its story is then read as it was written)."""
    generator = soup.find("meta", attrs={"name": "generator"})
    return generator is not None and (generator.get("content") or "").split(" ")[0] == GENERATOR


def _described(lead: str, meta: dict) -> bool:
    """Whether the page's description is ``lead`` (or its start, cut short with "…")."""
    start = folded(meta.get("description", "")).rstrip("….").strip()
    return len(start) >= 20 and folded(lead).startswith(start[:120])


def _summary(imported: Imported, meta: dict, summary: str) -> str:
    """The lead: the page's sapo, else a bold first paragraph or JSON-LD's description; an outlet's
    mark at its start ("TTO - Chiều 12-3, …", as in the print edition) becomes the byline."""
    if not summary:
        summary = _bold_lead(imported, meta.get("description", "")) or _whole(
            meta.get("article_description", ""), imported
        )
    if not summary and meta.get("description"):
        imported.left_out.append(f"the page's description, not used as the lead: “{meta['description']}”")
    outlet = OUTLET_MARK.match(summary)
    if outlet:
        summary = summary[outlet.end() :]
        meta.setdefault("byline", outlet.group("outlet").strip("() "))
    return summary


# --- metadata -----------------------------------------------------------------------------------


def _metadata(soup: BeautifulSoup) -> dict:
    found: dict = {}
    for item in _json_ld(soup):
        kinds = item.get("@type", [])
        kinds = {kinds} if isinstance(kinds, str) else set(kinds) if isinstance(kinds, list) else set()
        if kinds & ARTICLE_TYPES:
            found.setdefault("is_article", True)
            _set(found, "headline", _plain(item.get("headline") or item.get("name")))
            _set(found, "ld_headline", found.get("headline"))
            _set(found, "ld_date", _plain(item.get("datePublished") or item.get("dateCreated")))
            _set(found, "author", _names(item.get("author")))
            _set(found, "publisher", _names(item.get("publisher")))
            _set(found, "image", _image_url(item.get("image")))
            _set(found, "article_description", _plain(item.get("description")))
            _set(found, "tags", _keywords(item.get("keywords")))
            url = item.get("url") or item.get("mainEntityOfPage")
            _set(found, "url", _plain(url.get("@id") if isinstance(url, dict) else url))
        elif kinds & {"WebSite", "WebPage", "CollectionPage"}:
            found.setdefault("type", sorted(kinds)[0])

    tags = _meta_tags(soup)

    def meta(*names: str) -> list[str]:
        return [_spaced(content) for key, content in tags if key in names and content]

    og_type = (meta("og:type") or [""])[0]
    if og_type:
        found.setdefault("type", og_type)
        if og_type == "article":
            found.setdefault("is_article", True)
    _set(found, "headline", (meta("og:title", "twitter:title") or [""])[0])
    found["titles"] = _unique(meta("og:title", "twitter:title"))
    given = meta("article:published_time", "datepublished", "pubdate", "publishdate", "date")[:1]
    _set(found, "date", _best_date([*given, found.pop("ld_date", "")]))
    _set(found, "author", ", ".join(meta("article:author", "author")[:1]))
    _set(found, "site_name", (meta("og:site_name") or [""])[0])
    _set(found, "image", (meta("og:image", "og:image:url", "twitter:image") or [""])[0])
    _set(found, "description", (meta("og:description", "description", "twitter:description") or [""])[0])
    _set(found, "url", (meta("og:url") or [""])[0])
    _set(found, "tags", _unique(meta("article:tag")))
    found["keywords"] = _keywords(", ".join(meta("news_keywords", "keywords")))[:8]  # often SEO words: a last resort
    if found.get("author", "").startswith(("http://", "https://")):
        found.pop("author")  # article:author is often the author's page, not a name
    return found


def _meta_tags(soup: BeautifulSoup) -> list[tuple[str, str | None]]:
    """The page's meta tags as (property or name, lowercased; content), listed once (each of bs4's
    searches walks the whole page)."""
    tags = []
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name") or tag.get("itemprop") or ""
        tags.append((key.lower(), tag.get("content")))
    return tags


def _best_date(given: list[str]) -> str:
    """Of the dates the page's data gives (its Open Graph date, then its JSON-LD one), the first that
    can be read, else the first (a date too odd to read still says the page has one). Where they
    disagree (an article republished; one in UTC, the other in local time), the Open Graph date
    is the one the evaluation set has in 5 of 6 such pages; a rule preferring the local time of
    the same moment did no better there (the set follows UTC as often as not)."""
    given = [value for value in given if value]
    return next((value for value in given if _plausible(_date(value))), given[0] if given else "")


def _set(found: dict, key: str, value: object) -> None:
    if value and not found.get(key):
        found[key] = value


def _json_ld(soup: BeautifulSoup) -> list[dict]:
    items: list[dict] = []
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.I)):
        try:
            data = json.loads(script.string or "", strict=False)
        except ValueError:
            continue  # broken JSON-LD is common; the meta tags and the page still say enough
        stack = [data]
        while stack:
            value = stack.pop()
            if isinstance(value, list):
                stack.extend(reversed(value))
            elif isinstance(value, dict):
                items.append(value)
                if isinstance(value.get("@graph"), list):
                    stack.extend(reversed(value["@graph"]))
    return items


def _plain(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if not isinstance(value, str):
        return ""
    if HTML_TAG.search(value):  # markup in a metadata value: its text (a bare "<5%" or "A&B" is text already)
        return _spaced(BeautifulSoup(value, "html.parser").get_text(" "))
    return _spaced(value)


def _spaced(value: str) -> str:
    """A metadata value as text: entities read (CMSs escape twice: "&amp;#8220;", and JSON-LD's
    values again: "&amp;amp;uuml;"), spacing collapsed."""
    for _ in range(3):
        plain = html_module.unescape(value)
        if plain == value:
            break
        value = plain
    return " ".join(value.split())


def _names(value: object) -> str:
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip() and not name.strip().startswith("http"):
            names.append(_spaced(name))
    return ", ".join(_unique(names))


def _image_url(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl") or ""
    return value.strip() if isinstance(value, str) else ""


def _keywords(value: object) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return _unique(_spaced(str(item)) for item in value if isinstance(item, str | int) and str(item).strip())


def _unique(values) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return list(seen.values())


def _headline(soup: BeautifulSoup, meta: dict) -> tuple[str, bool]:
    """The article's headline as the page shows it, and whether that is only a guess (the first of
    several <h1>s none of which the page's titles say, the site's name, or its <title> as the last
    resort: :func:`_opening_heading` may then find better), by the strength of what says so:

    1. an <h1> that its structured data or <title> says (or holds, with the site's name or a kicker
       around it);
    2. the page's one <h1> when it is the structured headline cut short ("… Kapazität in Tennessee");
    3. an <h2> or <h3> that is the structured headline (pages without an <h1> for the article);
    4. the page's one <h1> when it shares half the structured headline's words (written for search
       engines), or stands in the page's <article> or <main>, or is worded as more than a section's
       name, unless it is the structured headline with a kicker added;
    5. an <h2> or <h3> that is a part of <title>;
    6. the structured headline, the first <h1>, or <title> without the site's name.

    An <h1> that is the site's own (its logo, its name linking home) is never the headline."""
    title, guessed = _chosen_headline(soup, meta)
    site = meta.get("site_name", "")
    return title, guessed or (bool(site) and folded(title) == folded(site))


def _chosen_headline(soup: BeautifulSoup, meta: dict) -> tuple[str, bool]:
    """:func:`_headline`'s choice, and whether it is one of its last resorts."""
    site = meta.get("site_name", "")
    page_title = " ".join(soup.title.get_text(" ").split()) if soup.title else ""
    structured = [meta["ld_headline"]] if meta.get("ld_headline") else []
    titles = meta.get("titles", [])  # (og:title often names the site)
    structured += [_without_site(value, site, page_title) for value in titles]
    shown = _shown_headings(soup, site)
    said = _said_heading(list(shown), structured, page_title)
    if said:
        return said, False
    reference = structured[0] if structured else page_title
    lone = next(iter(shown)) if len(shown) == 1 and _lone_headline(*shown.items(), reference) else ""
    if lone and folded(lone).startswith(folded(reference)):
        return lone, False
    parts = [part for title in [page_title, *titles] for part in TITLE_PARTS.split(title)]
    named = _named_subheading(soup, {folded(value) for value in structured}, site)
    named = named or lone or _named_subheading(soup, {folded(part) for part in parts if len(part) >= 3}, site)
    if named:
        return named, False
    if structured:
        return structured[0], False
    if shown:
        return next(iter(shown)), len(shown) > 1
    return _without_site(page_title, site), True


def _settled_headline(title: str, guessed: bool, container: Tag, soup: BeautifulSoup, meta: dict) -> str:
    """The headline :func:`_headline` chose, or when it only ``guessed``, the heading the article
    opens with where there is one (:func:`_opening_heading`)."""
    return (_opening_heading(container, soup, meta, title) or title) if guessed else title


def _opening_heading(container: Tag, soup: BeautifulSoup, meta: dict, guess: str) -> str:
    """The heading the article's text opens with, for a headline :func:`_headline` only guessed: the
    <h1>-<h3> the container's text begins with, else the nearest before it; only one sharing a word
    with the page's titles (or, when the guess was the site's name, any worded as a headline), never
    the site's own, nor the guess's first or last part; "" if there is none."""
    site = meta.get("site_name", "")
    heading = _heading_before(container)
    text = _site_named_last(_without_kicker(heading), site) if heading is not None else ""
    held, guessed = folded(text), folded(guess)
    if not 3 <= len(text) <= 300 or held in (folded(site), guessed) or _site_chrome(heading):
        return ""
    if guessed.startswith(held) or guessed.endswith(held):
        return ""  # (a part of the guess: the site's name it was given with, or the headline cut short)
    page_title = " ".join(soup.title.get_text(" ").split()) if soup.title else ""
    said = {word for title in (page_title, *meta.get("titles", [])) for word in WORD.findall(folded(title))}
    left = DANGLING.search(page_title) is not None and folded(DANGLING.sub("", page_title)) == guessed
    named = guessed == folded(site) or left  # (the site's name: "Site -", its headline left empty)
    shared = {word for word in said & set(WORD.findall(held)) if len(word) >= 4}
    return text if shared or (named and _worded(text)) else ""


def _worded(heading: str) -> bool:
    """Whether a heading is worded as more than a section's name or a menu's ("Literatur",
    "Menu", "Sections"): three words or more."""
    words = len(WORD.findall(heading)) if not re.search(CJK, heading) else len(re.findall(CJK, heading)) // 2
    return words >= 3


def _heading_before(container: Tag) -> Tag | None:
    """The <h1>-<h3> the container's text begins with, else the nearest before the container."""
    opening = " ".join(container.get_text(" ").split())[:400]
    first = [tag for tag in container.find_all(["h1", "h2", "h3"], limit=3) if _text_of(tag)]
    heading = next((tag for tag in first if opening.startswith(_text_of(tag))), None)
    return heading or container.find_previous(["h1", "h2", "h3"])


def _text_of(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


def _said_heading(headings: list[str], structured: list[str], page_title: str) -> str:
    """The first <h1> that the structured data says, else the first that it or <title> holds with
    the site's name or a kicker around it ("Headline" in "Headline | Site", "Kicker: Headline")."""
    for heading in headings:
        if any(folded(heading) == folded(value) for value in structured):
            return heading
    for heading in headings:
        held = folded(heading)
        if any(held in folded(value) and len(held) >= 0.4 * len(folded(value)) for value in [*structured, page_title]):
            return heading
    return ""


def _shown_headings(soup: BeautifulSoup, site: str) -> dict[str, Tag]:
    """The page's <h1>s but the site's own (:func:`_site_chrome`), each read without its kicker or
    the site's name, and each once (the same <h1> twice, for small and large screens, is one)."""
    shown: dict[str, Tag] = {}
    held: set[str] = set()
    for tag in soup.find_all("h1", limit=8):
        heading = _site_named_last(_without_kicker(tag), site)
        if 3 <= len(heading) <= 300 and folded(heading) not in held and not _site_chrome(tag):
            shown[heading] = tag
            held.add(folded(heading))
    return shown


def _lone_headline(lone: tuple[str, Tag], reference: str) -> bool:
    """Whether the page's one <h1> is its headline, though not what ``reference`` (the structured
    headline, else <title>) says: it shares half its words, or it is not ``reference`` with a
    kicker added and it stands in the page's <article> or <main> or is worded as more than a
    section's name (three words or more)."""
    heading, tag = lone
    if _worded_alike(heading, reference):
        return True
    placed = _worded(heading) or tag.find_parent(["article", "main"]) is not None
    return placed and folded(reference) not in folded(heading)


# Where a page puts its own name in an <h1> (its logo, its title above every page):
# by the class or id of the heading or of what holds it.
CHROME = re.compile(
    r"(?:^|[\s_-])(?:logo|branding|masthead|site-?title|site-?name|blog-?title)"
    r"(?:$|[\s_-])",
    re.I,
)
HOME = re.compile(r"(?:https?:)?(?://[^/?#]+)?/?(?:index\.\w+)?(?:#.*)?")  # "/", "https://site.de/", "index.html"
ARCHIVED = re.compile(r"^(?:https?:)?//web\.archive\.org/web/[^/]+/")  # an archive's copy: the page's own address


def _site_chrome(heading: Tag) -> bool:
    """Whether an <h1> is the site's and not the article's: a link to the site's home (its logo),
    or marked as its logo or its title."""
    links = [heading.find_parent("a"), *heading.find_all("a", limit=3)]
    if any(link is not None and _home(str(link.get("href") or "")) for link in links):
        return True
    for tag in islice(chain((heading,), heading.parents), 12):
        if tag.name in ("article", "main", "body"):
            return False
        names = " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")
        if CHROME.search(names):
            return True
    return False


def _home(href: str) -> bool:
    """Whether a link's address is a site's home page ("/", "https://site.de/", "index.html"; not
    "" or "#top", which stay on the page, nor "index.php?id=12", a page of some systems)."""
    href = ARCHIVED.sub("", href.strip())
    return not href.startswith("#") and ("/" in href or href.startswith("index")) and HOME.fullmatch(href) is not None


# A kicker marked up inside the <h1> ("<span class=kicker>Klimaschutz</span><span class=visually-hidden>:
# </span><span>Bohren, bis es heiß wird</span>"): by its class, or set off by a separator of its own.
KICKER = re.compile(
    r"kicker|dachzeile|overline|eyebrow|topic-label|roofline|spitzmarke|supertitle|subtitle|titleheader"
    r"|(?:^|\s)label(?:$|\s)",  # (a forum's "label": a badge before the thread's title)
    re.I,
)
SEPARATOR = re.compile(r"[-:|–—•·/]+")
CJK = "[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]"  # Chinese and Japanese: no spaces between words
CJK_GAP = re.compile(rf"(?<={CJK})\s+(?={CJK})")


def _without_kicker(heading: Tag) -> str:
    """An <h1>'s text, without the kicker its markup sets apart: an element named as one, or
    everything before a separator standing as an element of its own (often hidden: read aloud)."""
    parts: list[str] = []  # the text after the last separator
    for node in heading.descendants:
        if not isinstance(node, NavigableString) or isinstance(node, Comment):
            continue
        owners = list(takewhile(lambda parent: parent is not heading, node.parents))  # innermost first
        if any(owner.name in ("style", "script", "rt", "rp") for owner in owners):  # (rt: a reading over a word)
            continue
        if any(KICKER.search(" ".join(owner.get("class") or [])) for owner in owners):
            continue
        if owners and SEPARATOR.fullmatch(node.strip()) and not owners[0].get_text().strip().replace(node.strip(), ""):
            parts = []  # (a separator of its own: what came before was the kicker)
            continue
        parts.append(str(node))
    text = CJK_GAP.sub("", " ".join(" ".join(parts).split()))
    whole = CJK_GAP.sub("", " ".join(heading.get_text(" ").split()))
    kept = len(text.split()) >= 2 or re.search(CJK, text) is not None  # (one word left: the kicker was the headline)
    return text if len(text) >= 3 and text != whole and kept else whole


TITLE_PARTS = re.compile(r"\s+[-|–—»•·:]+\s+|\s*(?:::|\||│)\s*")  # "Headline | Site", "Site :: Headline"


def _named_subheading(soup: BeautifulSoup, named: set[str], site: str) -> str:
    """The first of the page's <h2> and <h3> that is one of ``named`` (folded) but the site's name
    (pages without an <h1> for the article); "" if none is."""
    named = named - {folded(site)}
    for tag in soup.find_all(["h2", "h3"], limit=20):
        heading = " ".join(tag.get_text(" ").split())
        if 3 <= len(heading) <= 300 and folded(heading) in named:
            return heading
    return ""


TRAILER = re.compile(r"\s*(?:[|•·]|\d{1,4}[./-]\d{1,2}[./-]\d{1,4})")  # " | Site", " • Verband", " 02.02.2022"


def _worded_alike(heading: str, reference: str) -> bool:
    """Whether half of ``heading``'s words are ``reference``'s, and it is not merely ``reference``
    after a kicker, or before the site's name or a date (then ``reference`` is the headline); words
    after it that go on the sentence ("…: einfach köstlich!") are the <h1>'s own."""
    held, theirs = folded(heading), folded(reference)
    if held.endswith(theirs) or (held.startswith(theirs) and TRAILER.match(held, len(theirs))):
        return False
    words, named = set(WORD.findall(held)), set(WORD.findall(theirs))
    return bool(words) and len(words & named) >= len(words) / 2


QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "´": "'", "`": "'", "“": '"', "”": '"', "„": '"',
                        "‟": '"', "«": '"', "»": '"', "–": "-", "—": "-"})  # fmt: skip


def folded(value: str) -> str:
    """A title as compared: entities read, compatibility forms, case, quotes, dashes and spacing alike."""
    value = unicodedata.normalize("NFKC", html_module.unescape(value)).casefold().translate(QUOTES)
    return " ".join(value.split()).strip(" \"'.:")


SITE_PART = re.compile(r"\s+[-|–—»│]\s+")  # what sets the site's name apart in a title: "Headline | Site"


def _site_named_last(title: str, site_name: str) -> str:
    """A title without its last part when that part is the site's name ("Headline | Umweltbundesamt")."""
    cuts = list(SITE_PART.finditer(title))
    if not cuts or not site_name or folded(title[cuts[-1].end() :]) != folded(site_name):
        return title
    return title[: cuts[-1].start()]


DOMAIN = re.compile(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}\W*")  # a site's address as its name ("Gipfelbuch.ch")


DANGLING = re.compile(r"^\s*[-|–—»•·:/]+\s+|\s+[-|–—»•·:/]+\s*$")  # "Headline |": a site's name left empty


def _without_site(title: str, site_name: str, page_title: str = "") -> str:
    """A title without the site's name ("Headline - Báo Nhân Dân" → "Headline"), or the separator a
    template left before an empty one ("Headline |"); whole when the page's <title> is it with the
    site's name added ("Headline – Teaser | Site")."""
    title = DANGLING.sub("", title)
    if page_title and page_title != title and SITE_PART.match(page_title, len(title)) and page_title.startswith(title):
        return title
    parts = SITE_PART.split(title)
    if len(parts) > 1 and DOMAIN.fullmatch(parts[0]):  # "example.com » Headline"
        parts = parts[1:]
    if len(parts) > 2 and site_name:  # "Headline | Site | Tagline": the site's name in the middle
        parts = [part for part in parts if folded(part) != folded(site_name)] or parts
    named = bool(site_name) and site_name.casefold() in parts[-1].casefold()
    if len(parts) > 1 and (named or len(parts[-1]) < len(parts[0])):
        last, parts = parts[-1], parts[:-1]
        head = parts[0][: -len(last)] if len(parts) == 1 and parts[0].endswith(last) else ""
        if head[-1:].isalnum() and last[:1].isalnum():  # the site's name run into the headline too,
            parts = [head]  # with no space between ("Truckwash A31Das etwas andere Branchenbuch")
    return " - ".join(parts)


def _base_url(soup: BeautifulSoup, html: str) -> str:
    """Where the page lived: ``<base href>``, the canonical URL, or the browser's "saved from" note."""
    base = soup.find("base", href=True)
    if base and base["href"].startswith(("http://", "https://")):
        return base["href"]
    canonical = _canonical(soup)
    if canonical:
        return canonical
    saved = SAVED_FROM.search(html[:2000])
    return saved.group(1) if saved else ""


def _canonical(soup: BeautifulSoup) -> str:
    for link in soup.find_all("link", href=True):
        if "canonical" in [value.lower() for value in link.get("rel", [])]:
            return link["href"].strip()
    return ""


def _absolute_http(url: str) -> str:
    parts = _split(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def _split(url: str) -> SplitResult:
    """``urlsplit``, for any address a page holds: one Python cannot split (``http://[oops``, a
    bracket that is no IPv6 address) is no address, not a traceback."""
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit("")


def _joined(base: str, url: str) -> str:
    """``urljoin`` likewise: "" for an address that cannot be read."""
    try:
        return urljoin(base, url)
    except ValueError:
        return ""


def _page_day(given: str, address: str, soup: BeautifulSoup, found: Callable[[], str]) -> dt.date | dt.datetime | None:
    """The article's date: what the page's data says (``given``), else the day its address holds,
    else the first date it shows, else what htmldate finds (``found()``, asked last: it is slow).
    A date in the data that cannot be read ("Tue Jan 28 15:28:56 CET 2020") still says the page
    has one: htmldate reads it better than the page's first <time>, maybe another story's."""
    return (
        _plausible(_date(given))
        or _address_date(address)
        or (None if given else _plausible(_date(_shown_date(soup))))
        or _plausible(_date(found()))
    )


def _marked_date(soup: BeautifulSoup) -> str:
    """The date the page marks as its publication date (microdata)."""
    for tag in soup.find_all(["time", "meta", "span"], attrs={"itemprop": "datePublished"}):
        value = tag.get("datetime") or tag.get("content") or tag.get_text()
        if value:
            return value
    return ""


# A day in a page's address as blogs and news CMSs write it: /2019/10/22/ (or /2017/7/12/).
ADDRESS_DAY = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?:/|$)")


def _address_date(url: str) -> dt.date | None:
    """The day a page's address holds (``/2019/10/22/slug/``): the page's own, where a <time> in
    its margins may be another story's."""
    found = ADDRESS_DAY.search(_split(url).path) if url else None
    if found is None:
        return None
    try:
        return _plausible(dt.date(*(int(part) for part in found.groups())))
    except ValueError:  # (the 31st of a 30-day month)
        return None


def _shown_date(soup: BeautifulSoup) -> str:
    """The first date the page shows: a <time>, else a "date" element's day/month/year."""
    moment = soup.find("time", datetime=True)
    if moment:
        return moment["datetime"]
    for tag in soup.find_all(class_=re.compile(r"date|time", re.I)):  # "Thứ sáu, 25/6/2021, 08:30 (GMT+7)"
        found = re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\D{1,5}(\d{1,2}):(\d{2}))?", tag.get_text(" "))
        if found:
            day, month, year, hour, minute = found.groups()
            when = f"{year}-{int(month):02d}-{int(day):02d}"
            return when + (f"T{int(hour):02d}:{minute}:00" if hour else "")
    return ""


LINK_ONLY = re.compile(r"(?:[-*+]\s+|\d+[.)]\s+)?\[[^\]]*\]\([^)]*\)")


def _prose(block: str) -> bool:
    """A block of the article's own words: not a heading, and not a link alone (a menu's item)."""
    return not block.startswith("#") and not all(LINK_ONLY.fullmatch(line.strip()) for line in block.split("\n"))


REPEAT = 50  # characters: a paragraph this long seen twice is a repeat (a short one, "* * *", may recur)


def _drop_repeats(imported: Imported, title: str) -> None:
    """The body without what it repeats (:func:`_without_repeats`) and without a heading it ends
    with (nothing under it: a box's title whose box was left out), and no lead that is only the
    body's opening cut short (a description made from it): the body holds it whole."""
    imported.blocks = _without_repeats(imported.blocks, imported.summary, title)
    while imported.blocks and isinstance(imported.blocks[-1], str) and imported.blocks[-1].startswith("#"):
        heading = plain(imported.blocks.pop()).strip("# ")  # ("Related Posts", "Lesen Sie auch:")
        imported.left_out.append(f"a heading with nothing under it, at the end: “{heading[:60]}”")
    opening = _words_of(next((block for block in imported.blocks if isinstance(block, str)), ""))
    lead = _words_of(imported.summary)
    if len(lead) >= REPEAT and opening.startswith(lead):
        imported.left_out.append(f"the lead, the body's opening cut short: “{imported.summary[:60]}”")
        imported.summary = ""


def _words_of(text: str) -> str:
    """A block's words as a reader reads them (links, emphasis, punctuation and spacing off)."""
    return " ".join(WORD.findall(folded(plain(text))))


def _without_repeats(blocks: list[str | Photo], summary: str, title: str = "") -> list[str | Photo]:
    """``blocks`` without a paragraph that repeats the lead or an earlier one (teasers, sticky boxes),
    and without the headline where the body opens with it (the page's title is shown above it)."""
    seen = {_words_of(summary)} if summary else set()
    kept: list[str | Photo] = []
    first = next((number for number, block in enumerate(blocks) if isinstance(block, str)), None)
    headline = _words_of(title)
    if first is not None and headline and _words_of(blocks[first]) == headline:
        blocks = blocks[:first] + blocks[first + 1 :]
    for block in blocks:
        if isinstance(block, str) and len(block) >= REPEAT:
            key = _words_of(block)
            if key in seen:
                continue
            seen.add(key)
        kept.append(block)
    return kept


def _plausible(when: dt.date | dt.datetime | None) -> dt.date | dt.datetime | None:
    """A date a news page can carry: not a placeholder (``0001-01-01``), not past next year."""
    if when is None or not FIRST_YEAR <= when.year <= dt.date.today().year + 1:
        return None
    return when


def _date(value: str) -> dt.date | dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    if len(value) <= 10 or moment.time() == dt.time(0, 0):
        return moment.date()  # a date given as midnight is a date (CMSs and our own pages write it so)
    return moment.replace(microsecond=0)


# --- the body -----------------------------------------------------------------------------------


def _container(soup: BeautifulSoup) -> tuple[Tag | None, bool]:
    """The element holding the article's text: marked, named as news CMSs name it, <article>, or the
    densest; and whether the page marked it (any but the densest)."""
    marked = soup.find(attrs={"itemprop": "articleBody"})
    if marked is not None and _block_text(marked):
        return marked, True
    every = soup.find_all(True)
    text = {id(tag): _block_text(tag) for tag in every if BODY_HINT.search(_names_of(tag))}
    hinted = [tag for tag in every if text.get(id(tag))]
    if hinted:
        best = max(hinted, key=lambda tag: text[id(tag)])
        for inner in sorted(hinted, key=lambda tag: text[id(tag)], reverse=True):  # the innermost holding nearly all
            if inner is not best and best in inner.parents and text[id(inner)] >= 0.8 * text[id(best)]:
                best = inner
        return best, True
    articles = [tag for tag in every if tag.name == "article" and _block_text(tag) >= 40]
    if articles:
        return max(articles, key=_block_text), True
    return _densest(every), False


def _densest(tags: list[Tag]) -> Tag | None:
    """Of ``tags``, the one that may hold an article with the most text in its own paragraphs (those
    of its <div>s counted half)."""
    best, score = None, 0
    for tag in tags:
        if tag.name not in DENSE:
            continue
        value = _paragraphs(tag)
        for child in tag.contents:
            if isinstance(child, Tag) and child.name == "div":
                value += _paragraphs(child) // 2
        if value > score:
            best, score = tag, value
    return best


LEAD_NAMES = frozenset(["p", "h2", "div", "span", "strong"])  # what a lead (sapo) is written in
DENSE = frozenset(["div", "section", "main", "td", "body"])  # what may hold an unmarked article


def _paragraphs(tag: Tag) -> int:
    """Characters of text in ``tag``'s own paragraphs (its children, not deeper)."""
    return sum(len(p.get_text(" ").strip()) for p in tag.contents if isinstance(p, Tag) and p.name == "p")


def _names_of(tag: Tag) -> str:
    return " ".join(tag.get("class", [])) + " " + (tag.get("id") or "")


BLOCKS = frozenset(BLOCK_NAMES)


def _block_text(tag: Tag) -> int:
    """Characters of text in the blocks an article is made of (paragraphs, items, cells, captions…),
    counting only outermost blocks (none inside another, even above ``tag``). Walked by hand: it is
    asked of many elements, and bs4's own search costs ~100 times more."""
    if tag.name in BLOCKS or any(parent.name in BLOCKS for parent in tag.parents):
        return 0
    total, stack = 0, [tag]
    while stack:
        for child in stack.pop().contents:
            if isinstance(child, Tag):
                if child.name in BLOCKS:
                    total += len(child.get_text(" ").strip())
                else:
                    stack.append(child)
    return total


def _clean(container: Tag, boxes: list[str]) -> list[str]:
    """Remove what is not the article from ``container``; what was removed, said for the editor (the
    text of the boxes removed is added to ``boxes``)."""
    for comment in container.find_all(string=lambda value: isinstance(value, Comment)):
        comment.extract()
    dropped = _drop_embedded(container, boxes) + _drop_boxes(container, boxes)
    for image in container.find_all("img"):
        if _tracking_pixel(image):
            image.decompose()
    return dropped


FURNITURE = ["nav", "header", "footer", "aside", "form", "button", "select", "label"]


def _furniture(soup: BeautifulSoup, container: Tag) -> list[str]:
    """The text of the page's furniture outside ``container``: menus, headers, footers, asides,
    forms, links within the page, and boxes whose class says so (what the article is never made of)."""
    found = []
    around = {id(tag) for tag in [container, *container.parents]}
    inside = {id(tag) for tag in container.find_all(True)}
    for tag in soup.find_all(True):
        if id(tag) in around or id(tag) in inside:
            continue  # the container, what holds it, and what it holds
        skip_link = tag.name == "a" and (tag.get("href") or "").startswith("#")  # "Skip to content", "Top"
        if tag.name in FURNITURE or skip_link:
            found.append(" ".join(tag.get_text(" ").split()))
        elif _noise_named(tag) and _is_box(tag):
            words = " ".join(tag.get_text(" ").split())
            if len(words) < BOX:  # (a longer one may be the article's text, misnamed)
                found.append(words)
    return [text for text in found if text]


def _decomposed(tag: Tag) -> bool:
    """Whether ``tag`` was decomposed (bs4's own ``tag.decomposed`` searches the tag's whole subtree
    for a child named "_decomposed" until it is: read from the tag itself instead)."""
    return bool(vars(tag).get("_decomposed"))


def _drop_embedded(container: Tag, boxes: list[str]) -> list[str]:
    """Scripts, forms, embeds and the like go; an embedded player is named with its address (the text
    of a menu, header, footer, aside or form is added to ``boxes``)."""
    dropped: list[str] = []
    for tag in container.find_all(DROPPED):
        if _decomposed(tag):
            continue
        if tag.name in FURNITURE:
            boxes.append(" ".join(tag.get_text(" ").split()))
        if tag.name == "noscript" and tag.find("img") and not _has_image_before(tag):
            tag.unwrap()  # a lazy page's real <img> lives in <noscript>
            continue
        if tag.name in ("iframe", "video", "audio", "embed", "object"):
            address = tag.get("src") or tag.get("data-src") or tag.get("data") or ""
            if not address and tag.find("source"):
                address = tag.find("source").get("src", "")
            dropped.append(f"an embedded {'video' if tag.name == 'video' else tag.name}: {address or 'no address'}")
        tag.decompose()
    return dropped


def _drop_boxes(container: Tag, boxes: list[str]) -> list[str]:
    """Boxes whose class or id says page furniture (share bars, related links, ads) go, with their text said."""
    dropped: list[str] = []
    for tag in list(container.find_all(True)):
        if _decomposed(tag):
            continue
        if _noise_named(tag) and _is_box(tag):
            words = " ".join(tag.get_text(" ").split())
            if words:
                if len(words) < BOX:  # (a longer one may be the article's text, misnamed)
                    boxes.append(words)
                shown = words[:60] + ("…" if len(words) > 60 else "")
                dropped.append(f"a box that is not the article's text: “{shown}”")
            tag.decompose()
    return dropped


def _noise_named(tag: Tag) -> bool:
    """Whether the tag's class, id or type names page furniture (and not a caption)."""
    names = _names_of(tag) + " " + (tag.get("type") or "")
    return bool(NOISE_WORDS.search(names) or NOISE_PARTS.search(names)) and not CAPTION_HINT.search(names)


def _is_box(tag: Tag) -> bool:
    """A box of links, widgets or page furniture, not the article's text that happens to carry such a class."""
    text_length = len(" ".join(tag.get_text(" ").split()))
    if tag.name in ("p", "h2", "h3", "h4", "blockquote", "li", "span", "em", "strong"):
        return text_length < 150  # a byline, a date line, a "Tags:" line; never a paragraph of the article
    if tag.name in ("figure", "table", "img", "picture"):
        return False
    links = sum(len(" ".join(a.get_text(" ").split())) for a in tag.find_all("a"))
    return text_length < 400 or links > text_length / 3


def _has_image_before(noscript: Tag) -> bool:
    previous = noscript.find_previous_sibling()
    return previous is not None and (previous.name == "img" or previous.find("img") is not None)


def _tracking_pixel(image: Tag) -> bool:
    width, height = image.get("width", ""), image.get("height", "")
    if str(width).strip() in ("0", "1", "2") or str(height).strip() in ("0", "1", "2"):
        return True
    source = (image.get("src") or "").lower()
    return bool(re.search(r"(pixel|tracking|beacon|analytics|/ping\b|\bstat\b|counter)", source))


AUTHOR = re.compile("author", re.I)
TAG_BOX = re.compile(r"(^|[-_])(tags?|keywords?|tag-list|detail-tab|box-tag)($|[-_])", re.I)


def _byline(soup: BeautifulSoup) -> str:
    """The author's name from the page's byline (``rel=author``, ``itemprop=author``, class ``fn``,
    else an author class). The page is walked once in plain Python: bs4's CSS selection and
    attribute filters took a tenth of an import."""
    marked, classed = [], []
    for tag in soup.descendants:
        if not isinstance(tag, Tag):
            continue
        classes = tag.get("class") or []
        if "author" in (tag.get("rel") or []) or tag.get("itemprop") == "author" or "fn" in classes:
            marked.append(tag)
        if _classed(classes, AUTHOR):
            classed.append(tag)
    for tag in marked + classed:
        name = " ".join(tag.get_text(" ").split()).removeprefix("bởi ").removeprefix("Bởi ").strip()
        if 2 <= len(name) <= 60 and not re.search(r"\d|@|http", name):
            return name
    return ""


def _classed(classes: list[str], pattern: re.Pattern) -> bool:
    """Whether one of an element's classes, or all of them as written, match ``pattern`` (as bs4's
    ``class_=pattern`` does)."""
    if any(pattern.search(name) for name in classes):
        return True
    return len(classes) > 1 and bool(pattern.search(" ".join(classes)))


def _shown_tags(soup: BeautifulSoup) -> list[str]:
    """The tags a page shows: links marked rel=tag (WordPress), or the links of a tags box."""
    links, boxes = [], []
    for tag in soup.descendants:
        if not isinstance(tag, Tag):
            continue
        if tag.name == "a" and "tag" in (tag.get("rel") or []):
            links.append(tag)
        if _tag_box(tag):
            boxes.append(tag)
    if not links:
        links = [link for box in boxes for link in box.find_all("a")]
    names = (" ".join(link.get_text(" ").split()) for link in links)
    return _unique(
        name for name in names if 1 < len(name) < 60 and len(name.split()) <= TAG_WORDS and not COUNT.fullmatch(name)
    )


SHARING = re.compile(r"share|sharing|social", re.I)
POST_CLASS = re.compile(r"hentry|type-[\w-]+|post-\d+")  # WordPress's classes of a post's element
TAG_WORDS = 5  # a tag is a name or a topic; a longer link in a tags box is a story's headline
COUNT = re.compile(r"\d{1,3}")  # a link of a few digits in a tags box is a count of comments or posts ("2017" is a tag)


def _tag_box(tag: Tag) -> bool:
    """Whether an element is a box of the article's tags: named so by its class, not a share bar
    ("share-tools--event-tag"), and made mostly of links (not a post that WordPress marks with its
    tags, "tag-alkohol", holding the whole article)."""
    classes = tag.get("class") or []
    if any(POST_CLASS.fullmatch(name) for name in classes):  # (its "tag-…" classes name the post's tags)
        classes = [name for name in classes if not name.startswith("tag-")]
    if not _classed(classes, TAG_BOX) or any(SHARING.search(name) for name in classes):
        return False
    return len(tag.get_text(strip=True)) <= 3 * sum(len(link.get_text(strip=True)) for link in tag.find_all("a"))


def _take_byline(imported: Imported, meta: dict, signature: str | None) -> None:
    """A signature closing the article (a short right-aligned line, as Vietnamese papers sign) becomes ``source``."""
    if signature is not None and imported.blocks and imported.blocks[-1] == signature:
        imported.blocks.pop()
        meta.setdefault("byline", re.sub(r"[*\\]", "", signature).strip())


def _bold_lead(imported: Imported, description: str) -> str:
    """A first paragraph wholly in bold is the lead (the sapo, as many Vietnamese sites set it) when
    the page's description begins with it, as sites make their description from their lead."""
    first = imported.blocks[0] if imported.blocks else None
    match = re.fullmatch(r"\*\*([^*]{20,1500})\*\*", first) if isinstance(first, str) else None
    if match is None:
        return ""
    lead = re.sub(r"\\([\\`*_\[\]#|])", r"\1", match.group(1).strip())
    start = description.rstrip("….").strip()
    if len(start) < 20 or not lead.startswith(start):
        return ""
    imported.blocks.pop(0)
    return lead


CUT_SHORT = re.compile(r"(?:…|\.\.\.)\s*[\])]?$")  # "… it’s a […]", "(...)": an excerpt, not the lead


def _whole(description: str, imported: Imported) -> str:
    """The page's description as the lead, unless it was cut short ("…", WordPress's "[…]"): then
    none, and say so."""
    if CUT_SHORT.search(description):
        imported.left_out.append(f"the page's description, cut short, not used as the lead: “{description}”")
        return ""
    return description


class _Page:
    """The conversion of one page's article container into Markdown blocks and photos."""

    def __init__(self, path: Path, base: str, imported: Imported) -> None:
        self.path = path
        self.folder = path.parent.resolve()
        self.base = base
        self.imported = imported
        self.loose: list[str] = []  # inline text directly in a container (CMSs that use <br> and text)
        self.figure_image: Tag | None = None  # the photo whose caption is being read
        self.photos: dict[str, bytes | None] = {}  # photos read, by the source that names them
        self.signature: str | None = None  # the last short right-aligned line: the author's signature

    # - the lead -

    def take_lead(self, soup: BeautifulSoup, container: Tag, title: str) -> tuple[str, bool]:
        """The lead (sapo) block's text, removed from the page so the body does not repeat it, and
        whether it comes before the article's first paragraph (as a lead does; an author's box
        with the same class comes after).

        Looked for in the article's container first, then around it, then in the whole page.
        """
        first = container.find("p") or container
        start = (first.sourceline or 0, first.sourcepos or 0)
        scopes = [container, container.parent, container.parent.parent if container.parent else None, soup]
        for scope in scopes:
            if scope is None:
                continue
            for tag in [tag for tag in scope.descendants if isinstance(tag, Tag) and tag.name in LEAD_NAMES]:
                if not _lead_like(tag):
                    continue
                for stamp in tag.find_all(class_=re.compile(r"location", re.I)):
                    stamp.replace_with(" ".join(stamp.get_text(" ").split()) + " – ")
                value = " ".join(tag.get_text(" ").split())
                if 1 <= len(value) <= 1500 and value != title and tag.find_parent(["figure", "figcaption"]) is None:
                    leading = (tag.sourceline or 0, tag.sourcepos or 0) <= start
                    tag.decompose()
                    return value, leading
        return "", False

    # - blocks -

    def convert(self, container: Tag) -> None:
        self.blocks_of(container, depth=0)
        self.flush()

    def add(self, block: str | Photo) -> None:
        self.flush()
        if isinstance(block, Photo) or block.strip():
            self.imported.blocks.append(block)

    def flush(self) -> None:
        value = " ".join("".join(self.loose).split())
        self.loose = []
        if value and not skipped(value):
            self.imported.blocks.append(block_start(value))

    def blocks_of(self, node: Tag, depth: int) -> None:
        children = list(node.children)
        index = 0
        while index < len(children):
            child = children[index]
            index += 1
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.loose.append(self.inline(child))
            elif isinstance(child, Tag):
                index += self.block(child, islice(children, index, None), depth)

    def block(self, child: Tag, following: Iterable, depth: int) -> int:
        """Add the block ``child`` makes; how many of the ``following`` siblings it took (a caption)."""
        name = child.name
        if name == "br":
            self.flush()
        elif name in INLINE and not (name == "img" or child.find("img")):
            self.loose.append(self.inline(child))
        elif name == "p":
            return self.paragraph(child, following)
        elif re.fullmatch(r"h[1-6]", name):
            self.heading(child)
        elif name in ("ul", "ol"):
            self.flush()
            lines = self.list_lines(child, 0)
            if lines:
                self.add("\n".join(lines))
        elif name == "blockquote":
            self.quote(child)
        elif name == "table":
            photo = self.photo_unit(child, [])
            if photo is not None:
                self.add(photo[0])
            else:
                self.table(child, depth)
        elif name in ("figure", "img") or (name in ("div", "span", "a", "picture") and self.is_photo_unit(child)):
            return self.figure(child, following, depth)
        elif name == "pre":
            code = child.get_text()
            fence = "~~~" if "```" in code else "```"
            self.add(f"{fence}\n{code.strip(chr(10))}\n{fence}")
        elif name == "hr":
            self.add("---")
        else:  # div, section, article, main, center, picture, a with blocks inside…
            self.flush()
            self.blocks_of(child, depth + 1)
            self.flush()
        return 0

    def paragraph(self, child: Tag, following: Iterable) -> int:
        """A paragraph, or a photo alone in its paragraph with its caption line after it."""
        photo = self.photo_unit(child, following) if _holds_image(child) else None
        if photo is not None:
            self.add(photo[0])
            return photo[1]
        value = " ".join(self.inline(child).split())
        if value and not skipped(" ".join(child.get_text(" ").split())):
            self.add(block_start(value))
            if _right_aligned(child) and len(child.get_text().strip()) <= 60:
                self.signature = self.imported.blocks[-1]
        return 0

    def heading(self, child: Tag) -> None:
        value = " ".join(self.inline(child).split())
        if child.name == "h1" and value == text(self.imported.title):
            return  # the headline, shown again inside the article's container
        if value:
            self.add("#" * max(2, int(child.name[1])) + " " + block_start(value))

    def figure(self, child: Tag, following: Iterable, depth: int) -> int:
        """A photo with its caption; a box that is not one is read for its blocks (a lone <img> that is
        no photo adds nothing)."""
        photo = self.photo_unit(child, following)
        if photo is not None:
            self.add(photo[0])
            return photo[1]
        if child.name != "img":
            self.blocks_of(child, depth + 1)
        return 0

    def inline(self, node: Tag | NavigableString) -> str:
        if isinstance(node, Comment):
            return ""
        if isinstance(node, NavigableString):
            value = str(node)
            if not value.strip():
                return " " if value else ""
            lead = " " if value[0].isspace() else ""
            return lead + text(value) + (" " if value[-1].isspace() else "")
        name = node.name
        if name == "br":
            return " "
        if name == "img":
            if node is not self.figure_image:
                self.imported.left_out.append(
                    f"a photo inside a line of text: {self.source_of(node) or node.get('alt', '')}"
                )
            return ""
        inner = "".join(self.inline(child) for child in node.children)
        if not inner.strip():
            return inner if not inner else " "
        return self.marked(node, inner)

    def marked(self, node: Tag, inner: str) -> str:
        """``inner`` (the element's text as Markdown) with the element's own mark: emphasis, code, quotes, a link."""
        name = node.name
        lead, core, trail = _spaces(inner)
        if name in ("strong", "b"):
            return f"{lead}**{core}**{trail}"
        if name in ("em", "i", "cite", "dfn", "var"):
            return f"{lead}*{core}*{trail}"
        if name == "code":
            plain = " ".join(node.get_text().split())
            tick = "``" if "`" in plain else "`"
            return f"{lead}{tick}{plain}{tick}{trail}"
        if name == "q":
            return f"{lead}“{core}”{trail}"
        if name == "a":
            href = (node.get("href") or "").strip()
            url = _joined(self.base, href) if href else ""
            if _split(url).scheme in ("http", "https", "mailto") and not href.startswith("#"):
                return f"{lead}[{core}]({_link(url)}){trail}"
        return inner

    def list_lines(self, node: Tag, depth: int) -> list[str]:
        lines = []
        number = 1
        for item in node.find_all("li", recursive=False):
            nested = [child for child in item.find_all(["ul", "ol"], recursive=False)]
            for sub in nested:
                sub.extract()
            value = " ".join(self.inline(item).split())
            marker = f"{number}." if node.name == "ol" else "-"
            number += 1
            if value:
                lines.append("    " * depth + f"{marker} {block_start(value)}")
            for sub in nested:
                lines += self.list_lines(sub, depth + 1)
        return lines

    def quote(self, node: Tag) -> None:
        paragraphs = [child for child in node.find_all("p")] or [node]
        values = [" ".join(self.inline(p).split()) for p in paragraphs]
        values = [value for value in values if value]
        if values:
            self.add("\n>\n".join("> " + block_start(value) for value in values))

    def table(self, node: Tag, depth: int) -> None:
        rows = [row for row in node.find_all("tr") if row.find_parent("table") is node]
        cells = [[cell for cell in row.find_all(["td", "th"], recursive=False)] for row in rows]
        cells = [row for row in cells if row]
        if (len(cells) == 1 and len(cells[0]) == 1) or all(len(row) == 1 for row in cells):
            for row in cells:  # a layout table: its cells are blocks
                self.flush()
                self.blocks_of(row[0], depth + 1)
            return
        width = max(len(row) for row in cells)
        aligns = [_alignment(cell) for cell in cells[-1]] + ["---"] * width
        texts = _cell_texts([[" ".join(self.inline(cell).split()) for cell in row] for row in cells], width)
        lines = ["| " + " | ".join(texts[0]) + " |", "|" + "".join(align + "|" for align in aligns[:width])]
        lines += ["| " + " | ".join(row) + " |" for row in texts[1:]]
        self.add("\n".join(lines))

    # - photos -

    def photo_unit(self, tag: Tag, following: Iterable) -> tuple[Photo, int] | None:
        """A photo and its caption, if ``tag`` is one (a figure, a CMS photo box or table, an <img>
        alone in its paragraph), with how many of the ``following`` siblings its caption took."""
        if tag.name == "img":
            image, inside = tag, None
        else:
            images = tag.find_all("img")
            if len(images) != 1:
                return None
            image, inside = images[0], tag
        held: Tag | None = None  # what holds the caption
        if inside is not None:
            held = _caption_inside(inside)
            if held is False:
                return None  # a photo inside a paragraph of text is not a figure
        used = 0
        if held is None:
            held, used = _caption_after(following)
        self.figure_image = image
        caption = " ".join(self.inline(held).split()) if held is not None else ""
        if used or (inside is not None and inside.name in ("p", "a", "picture")):
            caption = _unwrapped(caption)  # a line set in italics to look like a caption: the italics go
        plain = " ".join(held.get_text(" ").split()) if held is not None else ""
        photo = self.photo(image, caption, plain)
        return None if photo is None else (photo, used)

    def is_photo_unit(self, tag: Tag) -> bool:
        names = " ".join(tag.get("class", [])) + " " + (tag.get("type") or "")
        return (
            bool(PHOTO_UNIT.search(names))
            and len(tag.find_all("img")) == 1
            and len(tag.find_all("p")) <= 2
            and len(tag.get_text(" ")) < 600
        )

    def photo(self, image: Tag, caption: str, plain: str) -> Photo | None:
        """The photo ``image`` shows; ``caption`` in Markdown, ``plain`` as text (the alt text falls back to it)."""
        source = self.source_of(image)
        if not source:
            return None
        alt = " ".join((image.get("alt") or "").split())
        if not alt or _file_name(alt):
            alt = plain  # empty alt, or a file name: the caption says what the photo shows
        return Photo(alt=alt, caption=caption, origin=self.origin(source), data=self.saved(source))

    def source_of(self, image: Tag) -> str:
        """The best address of an image that was saved: a lazy-load attribute (the real photo behind
        a stand-in), else the widest of srcset and src; the best one at all when none was saved."""
        lazy = [value for name in LAZY_ATTRIBUTES[:-1] if (value := (image.get(name) or "").strip())]
        sized: list[tuple[float, str]] = []
        holders = [image, *(image.parent.find_all("source") if image.parent and image.parent.name == "picture" else [])]
        for holder in holders:
            for name in ("data-srcset", "srcset"):
                sized += _candidates(holder.get(name) or "")
        source = (image.get("src") or "").strip()
        if source:
            sized.append((_number(image.get("width")), source))
        ranked = [value for value in lazy if not _stand_in(value)]
        ranked += [value for _size, value in sorted(sized, key=lambda pair: -pair[0]) if not _stand_in(value)]
        for value in ranked:  # a saved copy first
            if self.saved(value) is not None:
                return value
        return ranked[0] if ranked else ""

    def origin(self, source: str) -> str:
        """Where a photo came from, as the editor can look for it: its web address, or the path the page gives."""
        if source.startswith("data:"):
            return "an image embedded in the page"
        if source.startswith("//"):
            return "https:" + source
        if _split(source).scheme or "_files/" in source or not self.base:
            return source  # an address, or a path into the folder the browser saved ("./post_files/a.jpg")
        return _joined(self.base, source) or source  # a path on the newsroom's site

    def local_file(self, source: str) -> Path | None:
        """The saved file ``source`` names, inside the page's folder; None if it is not there."""
        if source.startswith("data:"):
            return None
        parts = _split(source)
        if parts.scheme in ("http", "https", "") and parts.netloc:
            name = unquote(parts.path.rpartition("/")[2])
            files = self.path.with_name(self.path.stem + "_files")
            candidate = files / name if name else None
        elif parts.scheme in ("", "file") and not parts.netloc:
            candidate = self.path.parent / unquote(parts.path)
        else:
            return None
        if candidate is None:
            return None
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError, ValueError):
            return None
        if not resolved.is_file() or not any(resolved.is_relative_to(folder) for folder in self.resources(resolved)):
            return None  # only the folder the browser saved the page's files in: never Downloads at large
        return resolved

    def resources(self, file: Path) -> list[Path]:
        """The folders a saved page's photos may come from: ``<page>_files`` beside it, or the
        ``…_files`` folder beside it that the page itself names (a page renamed after saving)."""
        own = (self.folder / (self.path.stem + "_files")).resolve()
        try:
            top = file.relative_to(self.folder).parts[0]
        except (ValueError, IndexError):
            return [own]
        named = self.folder / top
        return [own, named] if top.endswith("_files") and named.is_dir() else [own]

    def saved(self, source: str) -> bytes | None:
        """The photo ``source`` names, if the page holds it (saved beside it, or as a data: URI)."""
        if source not in self.photos:  # asked for while choosing the best source, then for its bytes
            self.photos[source] = self._read_photo(source)
        return self.photos[source]

    def _read_photo(self, source: str) -> bytes | None:
        if source.startswith("data:"):
            header, _, payload = source.partition(",")
            try:
                data = base64.b64decode(payload, validate=False) if ";base64" in header else unquote(payload).encode()
            except (binascii.Error, ValueError):
                return None
            return data if len(data) > 200 and usable_photo(data) else None
        local = self.local_file(source)
        if local is None:
            return None
        try:
            data = local.read_bytes()
        except OSError as exc:
            raise ContentError(local, problem_of(exc)) from None
        return data if usable_photo(data) else None

    def cover(self, address: str) -> Photo | None:
        """The page's social image: the body photo it names, or a saved copy of its own."""
        name = _split(address).path.rpartition("/")[2]
        for photo in self.imported.photos:
            if name and photo.origin.rpartition("/")[2] == name:
                return photo
        data = self.saved(address)
        if data is None:
            first = self.imported.photos[0] if self.imported.photos else None
            return first if first is not None and first.data is not None else None
        return Photo(alt="", caption="", origin=_joined(self.base, address) or address, data=data)


def _holds_image(tag: Tag) -> bool:
    """Whether an <img> is inside ``tag`` (asked of every paragraph: walked by hand, not with bs4's search)."""
    return any(isinstance(node, Tag) and node.name == "img" for node in tag.descendants)


def _lead_like(tag: Tag) -> bool:
    names = " ".join(tag.get("class", [])) + " " + (tag.get("id") or "")
    if not LEAD_HINT.search(names) or tag.find_parent(["nav", "footer", "aside", "header"]) is not None:
        return False
    if NOISE_PARTS.search(names):  # the lead's share buttons ("article-lead-share"), its related box
        return False
    return not (tag.name == "div" and len(tag.find_all("p")) > 1)  # a lead is one block, not the article


def _right_aligned(tag: Tag) -> bool:
    return "text-align:right" in (tag.get("style") or "").replace(" ", "").lower() or tag.get("align") == "right"


def _alignment(cell: Tag) -> str:
    """A table column's Markdown alignment, from a cell's align attribute or text-align style."""
    style = (cell.get("style") or "").replace(" ", "").lower()
    side = cell.get("align") or (style.split("text-align:")[1].split(";")[0] if "text-align:" in style else "")
    return {"right": "--:", "center": ":-:"}.get(side.lower(), "---")


def _cell_texts(rows: list[list[str]], width: int) -> list[list[str]]:
    """A table's cells as Markdown: every row ``width`` cells wide, the header's bold taken off (a
    header cell is bold as shown: "**Năm**" is "Năm"), then each made safe at a line's start
    (after: "**#2**" unbolded is "#2", which would be read as a heading)."""
    texts = [[cell.replace("|", "\\|") for cell in row] + [""] * (width - len(row)) for row in rows]
    texts[0] = [_unbolded(text) for text in texts[0]]
    return [[block_start(text) for text in row] for row in texts]


def _unbolded(text: str) -> str:
    """A table header cell's text without the bold that wraps all of it (the header shows it bold)."""
    match = re.fullmatch(r"(\*\*|__)(?P<inner>(?:(?!\1).)+)\1", text)
    return match["inner"] if match else text


def _unwrapped(caption: str) -> str:
    """A caption set wholly in italics is a caption, not emphasis: the italics go."""
    match = re.fullmatch(r"\*([^*]+)\*", caption)
    return match.group(1) if match else caption


def _file_name(alt: str) -> bool:
    """Whether an alt text is a file's name rather than words: ``anh.jpg``, ``IMG_1234``, ``anh-1``,
    ``20240301_093000``, ``1234567``; a year or a range of years (``2021-2025``) is words."""
    if re.search(r"\.(jpe?g|png|webp|gif|avif)$", alt, re.I):
        return True
    if not re.fullmatch(r"[\w-]*\d[\w-]*", alt):
        return False
    return bool(re.search(r"[^\W\d_]", alt)) or "_" in alt or bool(re.fullmatch(r"\d{6,}", alt))


def _caption_inside(inside: Tag) -> Tag | bool | None:
    """What holds the caption in a photo's box: a figcaption, a caption class, or the box's own text;
    False for a paragraph with a photo inside its text (no figure)."""
    words = " ".join(inside.get_text(" ").split())
    if inside.name in ("p", "a", "picture"):
        styled = " ".join(" ".join(t.get_text(" ").split()) for t in inside.find_all(["em", "i", "small"]))
        if words and words != styled:
            return False
        return inside if words else None
    return inside.find("figcaption") or inside.find(class_=CAPTION_HINT) or (inside if words else None)


def _caption_after(following: Iterable) -> tuple[Tag | None, int]:
    """A caption line right after a photo (blank text skipped), and how many siblings that took."""
    for position, sibling in enumerate(following):
        if isinstance(sibling, NavigableString) and not str(sibling).strip():
            continue
        if isinstance(sibling, Tag) and _caption_like(sibling):
            return sibling, position + 1
        break
    return None, 0


def _caption_like(tag: Tag) -> bool:
    """A block under a photo that is its caption: a caption class, or a line wholly in italics, centred."""
    if tag.find("img") is not None:
        return False
    names = " ".join(tag.get("class", []))
    if CAPTION_HINT.search(names):
        return True
    children = [child for child in tag.children if not (isinstance(child, NavigableString) and not child.strip())]
    centred = "center" in (tag.get("style") or "").replace(" ", "") or tag.get("align") == "center"
    return tag.name == "p" and centred and len(children) == 1 and getattr(children[0], "name", "") in ("em", "i")


def _stand_in(value: str) -> bool:
    """A lazy page's stand-in image: a 1×1 GIF, a spacer, a blank or loading picture."""
    lowered = value.lower()
    if lowered.startswith("data:") and len(value) < 300:
        return True
    return bool(re.search(r"(blank|spacer|loading|lazy|placeholder|pixel|grey|gray)\.(gif|png|svg|jpg)", lowered))


def _candidates(srcset: str) -> list[tuple[float, str]]:
    """A srcset's addresses with their widths (a density counts as 1000 px per x)."""
    found = []
    for part in srcset.split(","):
        pieces = part.split()
        if pieces:
            descriptor = pieces[1] if len(pieces) > 1 else "1x"
            scale = 1 if descriptor.endswith("w") else 1000
            found.append((_number(descriptor[:-1]) * scale, pieces[0]))
    return found


def _number(value: object) -> float:
    try:
        return float(str(value).strip().removesuffix("px"))
    except ValueError:
        return 0.0


def _spaces(value: str) -> tuple[str, str, str]:
    core = value.strip()
    start = value.index(core[0]) if core else 0
    return (" " if start else ""), core, (" " if value[len(value.rstrip()) :] else "")


def _link(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
