"""What each page of the site shows and where it goes: articles, home pages, feeds, sitemap, 404."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from markupsafe import Markup

from ..content.article import Article
from .images import ImageInfo
from .localize import Localized
from .render import Alternate, Photo, Renderer, iso_datetime, json_ld, mark_of
from .typography import smarten
from .urls import absolute, article_path, language_root, relative, tag_path, tag_slug

CARD_TEMPLATE = "_card.html"  # an article on a list page

FEED_ENTRIES = 30  # newest articles in each language's Atom feed
EPOCH = dt.date(1970, 1, 1)  # "updated" of a feed with no entries yet: builds stay reproducible


class Output(NamedTuple):
    """A file of the built site: its path under ``site/`` and its text."""

    path: str
    text: str


class Card(NamedTuple):
    """An article in one language as list pages and feeds show it (kept between builds)."""

    title: str
    date: dt.date | dt.datetime
    summary: str
    href: str  # from the language's home page
    url: str  # absolute
    photo: Photo | None  # as the home page shows it
    is_source: bool
    fully_reviewed: bool
    source: str | None  # byline or outlet
    tags: tuple[str, ...]
    machine: bool = True  # some of its unreviewed text is the machine's (else only a person's drafts)


class Listing(NamedTuple):
    """An article as a home page or feed shows it."""

    page: Localized
    url: str
    href: str
    photo: Photo | None
    body: Markup


def image_site_path(article: Article, file: Path) -> str:
    """Where a photo of an article is published: ``<slug>/`` plus its path in the article folder."""
    return f"{article.slug}/{file.relative_to(article.folder).as_posix()}"


def alternates(renderer: Renderer, path_of: dict[str, str], current: str) -> list[Alternate]:
    """The language versions of one page, linked from the version in ``current``."""
    config = renderer.config
    here = path_of[current]
    return [
        Alternate(
            code=code,
            name=renderer.strings[code][f"name_{code}"],
            locale=config.language(code).locale,
            url=absolute(config.base_url, path),
            href=relative(here, path),
            current=code == current,
        )
        for code, path in path_of.items()
    ]


def switcher(
    renderer: Renderer, path_of: dict[str, str], current: str, note: str = "#not-translated"
) -> list[Alternate]:
    """Every edition of the site, as the language switcher of a page in ``current`` offers them.

    An edition without this page is offered too: its link leads to that edition's home page (with
    ``note``: an article's links show the home page's note that it is not available there yet).
    """
    config = renderer.config
    offered = alternates(renderer, path_of, current)
    for language in config.languages:
        if language.code not in path_of:
            home = language_root(language.code, config.source_language)
            missing = alternates(renderer, {current: path_of[current], language.code: home}, current)[1]
            offered.append(missing._replace(href=missing.href + note))
    order = [language.code for language in config.languages]
    return sorted(offered, key=lambda alternate: order.index(alternate.code))


def article_page(
    renderer: Renderer,
    page: Localized,
    languages: tuple[str, ...],
    images: dict[Path, ImageInfo],
    body: Markup | None = None,
) -> tuple[Output, Listing]:
    """An article's page in one language; ``languages`` are those it is published in; ``body``:
    its body as an earlier build made it (:mod:`.fragments`), else made here."""
    # Kept whole: mostly the one template call, naming everything the page shows.
    config = renderer.config
    article = page.article
    source = config.source_language
    path_of = {code: article_path(article.slug, code, source) for code in languages}
    path = path_of[page.language]
    home = language_root(page.language, source)
    if body is None:
        body = article_body(renderer, page, path, images)
    photo = cover_photo(renderer, page, images, path)
    versions = alternates(renderer, path_of, page.language)
    language = config.language(page.language)
    url = absolute(config.base_url, path)
    tags = {
        tag_slug(page.text(tag)): smarten(page.text(tag), page.language) for tag in article.tags
    }  # one link per tag page
    html = renderer.render(
        "article.html",
        language=language,
        strings=renderer.strings[page.language],
        page=page,
        root=relative(path, ""),
        home=relative(path, home),
        canonical=url,
        alternates=versions,
        switcher=switcher(renderer, path_of, page.language),
        tag_links=[(text, relative(path, tag_path(slug, page.language, source))) for slug, text in tags.items()],
        photo=photo,
        body=body,
        original=next((a for a in versions if a.code == source), None),
        machine_mark=renderer.marker(page.language),  # (templates made before ``mark``)
        mark=lambda segment: Markup(renderer.mark(mark_of(page, segment), page.language)),
        related=Markup(RELATED),
        structured=json_ld(structured_data(renderer, page, url, photo, versions)),
    )
    listing = Listing(page, url, relative(home, path), cover_photo(renderer, page, images, home), body)
    return Output(path + "index.html", html), listing


def article_body(renderer: Renderer, page: Localized, path: str, images: dict[Path, ImageInfo]) -> Markup:
    """The body of an article's page at ``path``: its text and figures (``_figure.html``)."""
    article = page.article
    rewrite = {}
    for ref in article.images:
        rewrite[ref.src] = relative(path, image_site_path(article, ref.file))
    figures = []
    for figure in article.figures:
        file = article.image_file(figure.src)
        photo = renderer.photo(images[file], path, image_site_path(article, file))
        alt = smarten(page.text(figure.alt), page.language) if figure.alt else ""
        caption = None
        if figure.caption:
            caption = renderer.caption_html(page.text(figure.caption), page.language, mark_of(page, figure.caption))
        figures.append(renderer.render("_figure.html", photo=photo, alt=alt, caption=caption, lazy=bool(figures)))
    return renderer.body_html(page, figures, rewrite)


def cover_photo(renderer: Renderer, page: Localized, images: dict[Path, ImageInfo], path: str) -> Photo | None:
    """The article's cover (front matter ``image``), else its first figure, else none."""
    article = page.article
    if article.image is not None:
        file = article.image.file
    elif article.figures:
        file = article.image_file(article.figures[0].src)
    else:
        return None
    return renderer.photo(images[file], path, image_site_path(article, file))


def structured_data(
    renderer: Renderer, page: Localized, url: str, photo: Photo | None, versions: list[Alternate]
) -> dict:
    """schema.org NewsArticle, linking an original and its translations both ways."""
    config = renderer.config
    article = page.article
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": url,
        "url": url,
        "headline": page.title,
        "inLanguage": page.language,
        "datePublished": iso_datetime(article.date, renderer.zone),
        "publisher": {"@type": "Organization", "name": config.language(page.language).title},
    }
    if page.summary:
        data["description"] = page.summary
    if page.byline:
        data["author"] = {"@type": "Organization", "name": page.byline}
    if photo:
        data["image"] = [photo.url]
    if page.language == config.source_language:
        others = [{"@type": "NewsArticle", "@id": v.url, "inLanguage": v.code} for v in versions if not v.current]
        if others:
            data["workTranslation"] = others
    else:
        original = next(v for v in versions if v.code == config.source_language)
        data["translationOfWork"] = {"@type": "NewsArticle", "@id": original.url, "inLanguage": original.code}
    return data


def card_of(page: Localized, listing: Listing) -> Card:
    article = page.article
    return Card(
        title=page.title,
        date=article.date,
        summary=page.summary,
        href=listing.href,
        url=listing.url,
        photo=listing.photo,
        is_source=page.is_source,
        fully_reviewed=page.fully_reviewed,
        source=page.byline,
        tags=page.tags,
        machine=page.any_machine_text,
    )


# Where an article page's related reading goes: filled in when the site is put together, since it
# shows other articles (see builder._place_page); nothing a page shows can come after it.
RELATED = "\ue002related-reading\ue002"
UP = "\ue001"  # stands in a kept card for the way up from its list page to the home page


def card_html(renderer: Renderer, card: Card, language: str, lazy: bool = True, up: str = UP) -> str:
    """An article on a list page (``_card.html``); ``lazy``: its photo loads when scrolled to.

    Links are from the language's home page, after ``up``: a card kept with its page has
    :data:`UP` there, which :func:`card_at` replaces with the way up from each list page.
    """
    strings = renderer.strings[language]

    def way_up(candidates: str) -> str:
        return ", ".join(up + candidate for candidate in candidates.split(", ")) if candidates else ""

    srcset, webp = (way_up(card.photo.srcset), way_up(card.photo.webp)) if card.photo else ("", "")
    language_of = renderer.config.language(language)
    return renderer.render(
        CARD_TEMPLATE, item=card, lazy=lazy, up=up, srcset=srcset, webp=webp, language=language_of, strings=strings
    )


def card_at(html: str, up: str) -> str:
    """A kept card for a list page ``up`` below the home page (``"../../"``; ``""`` on it)."""
    return html.replace(UP, up)


def feed_entry(renderer: Renderer, card: Card, body: Markup) -> str:
    """An article's entry in its language's Atom feed (``_entry.xml``), with its whole text."""
    return renderer.render("_entry.xml", item=card, body=body)


def feed(
    renderer: Renderer,
    language: str,
    entries: list[str],
    updated: dt.date | dt.datetime | None,
    page: str | None = None,
    title: str | None = None,
) -> Output:
    """An Atom feed of the newest articles (:func:`feed_entry`), of a language's edition or one of
    its list pages (``page``: a tag page, titled ``title``); links are absolute."""
    config = renderer.config
    home = language_root(language, config.source_language) if page is None else page
    return Output(
        home + "feed.xml",
        renderer.render(
            "feed.xml",
            language=config.language(language),
            strings=renderer.strings[language],
            title=config.language(language).title if title is None else f"{title} | {config.language(language).title}",
            home_url=absolute(config.base_url, home),
            feed_url=absolute(config.base_url, home + "feed.xml"),
            entries=[Markup(entry) for entry in entries],
            updated=updated or EPOCH,
        ),
    )


# The most pages one sitemap file lists. The protocol allows 50,000 and 50 MB; a site with more
# than 1,000 pages (some 400 articles in two editions) gets a sitemap index whose files an edit
# seldom touches (sitemaps.org/protocol.html): an article added, or an edition withdrawn, renders
# its month's file again (at 1,000 articles ~2 ms), not one listing every page (~15 ms).
SITEMAP_URLS = 1_000


def sitemap(
    renderer: Renderer, groups: list[list[Alternate]], modified: dict[str, str], path: str = "sitemap.xml"
) -> Output:
    """A sitemap (``path``): these pages, each with its language alternates."""
    return Output(path, renderer.render("sitemap.xml", groups=groups, modified=modified))


def sitemap_files(named: list[tuple[str, list[list[Alternate]]]]) -> list[tuple[str, list[list[Alternate]]]] | None:
    """The files of a sitemap index (path under the site, its groups of alternates), or None when
    the site's pages fit in one sitemap. Each named chunk of groups (the list pages, a month's
    articles) is one file, ``sitemaps/NAME.xml``, or several when it lists more than
    :data:`SITEMAP_URLS` pages (a group, a page and its translations, is never split)."""
    if sum(len(group) for _, groups in named for group in groups) <= SITEMAP_URLS:
        return None
    parts: list[tuple[str, list[list[Alternate]]]] = []
    for name, groups in named:
        chunk: list[list[Alternate]] = []
        count = 0
        for group in groups:
            if chunk and count + len(group) > SITEMAP_URLS:
                parts.append((name, chunk))
                chunk, count = [], 0
            chunk.append(group)
            count += len(group)
        if chunk:
            parts.append((name, chunk))
    numbered, seen = [], {}
    for name, chunk in parts:
        seen[name] = seen.get(name, 0) + 1
        numbered.append((f"sitemaps/{name}.xml" if seen[name] == 1 else f"sitemaps/{name}-{seen[name]}.xml", chunk))
    return numbered


def _xml_text(text: str) -> str:
    """Text escaped for an XML element (``&``, ``<``, ``>``), as xml.sax.saxutils.escape does; that
    module imports urllib.request, http.client and email (~15 ms of every build that renders)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sitemap_index(base_url: str, files: list[tuple[str, str | None]]) -> str:
    """sitemap.xml as an index of sitemap files (path under the site, the newest lastmod they list).
    Its form is fixed by the protocol: written here, not from a template."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, lastmod in files:
        lines.append("<sitemap>")
        lines.append(f"<loc>{_xml_text(absolute(base_url, path))}</loc>")
        if lastmod:
            lines.append(f"<lastmod>{_xml_text(lastmod)}</lastmod>")
        lines.append("</sitemap>")
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def not_found_page(renderer: Renderer) -> Output:
    """The bilingual 404 page; GitHub Pages serves it at any depth, so its links are absolute."""
    config = renderer.config
    base = config.base_path
    homes = [
        (lang, renderer.strings[lang.code], base + language_root(lang.code, config.source_language))
        for lang in config.languages
    ]
    return Output("404.html", renderer.render("404.html", language=config.source, homes=homes, base=base))


def robots(renderer: Renderer) -> Output:
    return Output(
        "robots.txt", renderer.render("robots.txt", sitemap_url=absolute(renderer.config.base_url, "sitemap.xml"))
    )
