"""Build the site in two phases: gather and validate everything, then write and swap it in.

A broken article stops the build before a byte is written; the output goes to a temporary folder
that replaces ``site/`` only once it is complete, so a failed build leaves the old site as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..content.article import Article, parse_article
from ..content.config import REVIEWED_ONLY, Language, SiteConfig
from ..content.discovery import check_slugs, find_articles
from ..content.inline import article_markup
from ..content.scaffold import placeholder_warnings
from ..errors import BuildError, ContentError, Problem
from ..files import check_inside, clean_leftovers, problem_of, remove_tree, swap_folders, write_cache
from ..translation.catalog import Catalog, load_catalog
from ..translation.qa import markup_errors, site_findings
from .images import ImageInfo, NotAnImage, inspect_image, make_variants
from .localize import Localized, localize, missing_segments
from .manifest import Manifest, build_options, manifest_path
from .pages import (
    Listing,
    alternates,
    article_page,
    feed,
    home_page,
    image_site_path,
    not_found_page,
    robots,
    sitemap,
)
from .parallel import fork_map
from .render import Renderer, iso_datetime
from .sealed import seal, unseal
from .urls import article_path, language_root

CACHE_FORMAT = 1  # of .cache/articles/; the code's version is part of each entry's key too
BUILD_MARKER = ".nojekyll"  # every built site has it; a folder without it is not ours to replace
REVIEW_DESK = "http://127.0.0.1:8000/_review/"  # where `python build.py serve` puts the review desk


@dataclass
class SiteContent:
    """Everything a build needs, read and validated: nothing here has touched the output."""

    config: SiteConfig
    articles: list[Article]
    catalogs: dict[tuple[str, str], Catalog]
    editions: dict[str, list[Localized]]
    images: dict[Path, ImageInfo]
    warnings: list[Problem] = field(default_factory=list)
    # What each article's pages depend on, by slug, and what every page depends on (templates,
    # strings, static files, site.toml, the code): with both, a page rendered before is reused.
    keys: dict[str, str | None] = field(default_factory=dict)
    site_key: str | None = None

    def states(self, article: Article, language: str) -> Counter:
        catalog = self.catalogs[article.slug, language]
        return catalog.statistics(segment.source for segment in article.distinct_segments())


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, for the command line to report."""

    output: Path
    pages: dict[str, int]
    files: int
    variants_made: int
    warnings: list[Problem]


@dataclass
class ArticleInput:
    """One article folder read and checked: the article, its catalogs and photos, or its errors."""

    article: Article | None
    catalogs: dict[str, Catalog] = field(default_factory=dict)
    images: dict[Path, ImageInfo] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    markup: dict[str, list[Problem]] = field(default_factory=dict)  # broken markup in each translation


def read_article(path: Path, config: SiteConfig, manifest: Manifest | None = None) -> ArticleInput:
    """Parse an article, load its catalogs and inspect its photos, collecting every error.

    With the build's ``manifest`` (its snapshot of every input's stat), an article whose files
    are all as they were when it was last read comes from ``.cache/articles/`` instead.
    """
    key = _article_key(path, config, manifest)
    cached = _cached_article(path, config, key)
    if cached is not None:
        return cached
    result = _read_article(path, config)
    if key is not None and not result.errors:
        _cache_article(path, config, key, result)
    return result


def _read_article(path: Path, config: SiteConfig) -> ArticleInput:
    try:
        article = parse_article(path)
    except ContentError as exc:
        return ArticleInput(None, errors=[exc.problem])
    result = ArticleInput(article)
    result.errors, result.warnings = article_markup(article)
    clean_leftovers(article.folder)  # temporary files of saves that were killed
    for language in config.targets:
        try:
            result.catalogs[language.code] = load_catalog(article.folder / f"{language.code}.po", language.code)
        except ContentError as exc:
            result.errors.append(exc.problem)
    for ref in article.images:
        if ref.file not in result.images:
            try:
                result.images[ref.file] = inspect_image(ref.file, config.cache_dir / "images")
            except NotAnImage as exc:
                result.errors.append(Problem(path, f"{exc}; replace it with a JPEG, PNG or WebP photo", ref.line))
            except ContentError as exc:
                result.errors.append(exc.problem)
    for code, catalog in result.catalogs.items():  # used only if the page is published (gather decides)
        result.markup[code] = markup_errors(article, catalog)
    return result


def _article_key(path: Path, config: SiteConfig, manifest: Manifest | None) -> str | None:
    """What an article's reading depends on: its folder's files' stats, the languages, the code.

    None (read it, do not cache it) without a manifest, or when one of its files changed too close
    to the snapshot for stats to tell versions apart.
    """
    if manifest is None:
        return None
    try:
        prefix = path.parent.relative_to(config.root).as_posix() + "/"
    except ValueError:
        return None
    files, racy = manifest.folder_inputs(prefix)
    if racy or prefix.count("/") != 2:
        return None
    targets = [language.code for language in config.targets]
    seen = (CACHE_FORMAT, manifest.code, str(path), str(config.cache_dir), targets, files)
    return hashlib.sha256(repr(seen).encode("utf-8", "surrogateescape")).hexdigest()


def _article_cache(path: Path, config: SiteConfig) -> Path:
    name = hashlib.sha256(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return config.cache_dir / "articles" / f"{name}.pickle"


def _cached_article(path: Path, config: SiteConfig, key: str | None) -> ArticleInput | None:
    if key is None:
        return None
    stored = _load_sealed(_article_cache(path, config))
    if stored is None:
        return None
    try:
        stored_key, result = stored
    except (TypeError, ValueError):
        return None
    return result if stored_key == key and isinstance(result, ArticleInput) else None


def _cache_article(path: Path, config: SiteConfig, key: str, result: ArticleInput) -> None:
    """Best effort: a cache that cannot be written only costs speed."""
    _store_sealed(_article_cache(path, config), (key, result))


def _load_sealed(path: Path) -> object | None:
    """A cache file's object if this user's builds sealed it (see :mod:`.sealed`), else None."""
    try:
        with open(path, "rb") as file:
            data = unseal(file.read())
        return None if data is None else pickle.loads(data)
    except Exception:  # a missing, old or damaged cache entry: read or render again
        return None


def _store_sealed(target: Path, value: object) -> None:
    """Best effort, atomic: a cache file that cannot be written only costs speed."""
    data = seal(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    if data is not None:  # else no key to seal it with: no cache
        write_cache(target, data)


def gather(config: SiteConfig, manifest: Manifest | None = None) -> SiteContent:
    """Read and validate every article, catalog and photo; raise :class:`BuildError` listing all errors."""
    paths, warnings = find_articles(config.content_dir)
    errors: list[Problem] = []
    articles: list[Article] = []
    catalogs: dict[tuple[str, str], Catalog] = {}
    images: dict[Path, ImageInfo] = {}
    markup: dict[tuple[str, str], list[Problem]] = {}
    # Articles read before and unchanged come from the cache here; the others are read on every core.
    keys = {path: _article_key(path, config, manifest) for path in paths}
    cached = {path: _cached_article(path, config, keys[path]) for path in paths}
    misses = [path for path in paths if cached[path] is None]
    cached.update(zip(misses, fork_map(lambda path: read_article(path, config, manifest), misses), strict=True))
    for read in (cached[path] for path in paths):
        errors += read.errors
        warnings += read.warnings
        if read.article is not None:
            articles.append(read.article)
            catalogs.update({(read.article.slug, code): catalog for code, catalog in read.catalogs.items()})
            images.update(read.images)
            markup.update({(read.article.slug, code): found for code, found in read.markup.items()})
    errors += check_slugs(articles, config)
    if errors:
        raise BuildError(errors)

    warnings += alt_text_warnings(articles) + placeholder_warnings(articles)
    published = sorted((a for a in articles if not a.draft), key=_newest_first)
    editions = {config.source_language: [localize(a, config.source_language) for a in published]}
    for language in config.targets:
        editions[language.code], left_out = edition_of(published, catalogs, language)
        warnings += left_out
        for page in editions[language.code]:  # nothing broken reaches readers, whatever the policy
            errors += markup[page.article.slug, language.code]
    if errors:
        raise BuildError(errors)
    slugs = {article.slug: keys[article.path] for article in articles if article.path in keys}
    return SiteContent(config, articles, catalogs, editions, images, warnings, slugs, _site_key(config, manifest))


def _site_key(config: SiteConfig, manifest: Manifest | None) -> str | None:
    """What every page depends on besides its article: the inputs outside the article folders."""
    if manifest is None:
        return None
    shared = sorted((name, stat) for name, stat in manifest.inputs.items() if not _in_article(name))
    if any(not _in_article(name) for name in manifest.racy):
        return None
    seen = (CACHE_FORMAT, manifest.code, manifest.options, str(config.root), shared)
    return hashlib.sha256(repr(seen).encode("utf-8", "surrogateescape")).hexdigest()


def _in_article(name: str) -> bool:
    """An input inside an article folder (``content/<slug>/…``, the folder included)."""
    return name.startswith("content/") and name.count("/") >= 2


def alt_text_warnings(articles: list[Article]) -> list[Problem]:
    """A warning for each figure without alt text (readers who cannot see it get nothing)."""
    message = "this photo has no alt text: describe it, ![What it shows](…)"
    return [Problem(a.path, message, f.line) for a in articles for f in a.figures if f.alt is None]


def edition_of(
    published: list[Article], catalogs: dict[tuple[str, str], Catalog], language: Language
) -> tuple[list[Localized], list[Problem]]:
    """The articles of one translated edition, and why each of the others is held back.

    An article needs text for every passage; with ``publish = "reviewed"`` (the default) every
    passage must also be reviewed, so readers never meet unreviewed machine text by accident.
    """
    code = language.code
    edition, held_back = [], []
    for article in published:
        catalog = catalogs[article.slug, code]
        missing = missing_segments(article, catalog)
        if missing:
            held_back.append(
                Problem(
                    article.path,
                    f"left out of the {code} edition: {len(missing)} segment(s) have no {code} text yet in "
                    f"{catalog.path.name} (first: {missing[0].kind} at line {missing[0].line}); run "
                    f"`python build.py translate {article.slug}`, then build again",
                )
            )
            continue
        page = localize(article, code, catalog)
        if language.publish == REVIEWED_ONLY and not page.fully_reviewed:
            held_back.append(
                Problem(
                    article.path,
                    f"held back from the {code} edition: {page.total - page.reviewed} of {page.total} passage(s) "
                    f'are not reviewed yet (site.toml: publish = "{REVIEWED_ONLY}"); review them in the desk, '
                    f"`python build.py serve` then {REVIEW_DESK}{code}/{article.slug}/",
                )
            )
            continue
        edition.append(page)
    return edition, held_back


def build_site(config: SiteConfig, output: Path | None = None, strict: bool = False) -> BuildResult:
    """Gather, then write the site into ``output`` (default ``site/``), swapping it in at the end.

    ``strict`` is the publish gate: warnings and translation QA findings become errors. A build
    that succeeds leaves a manifest, so the next one can tell when there is nothing to do
    (:func:`.manifest.up_to_date`).
    """
    output = Path(output) if output else config.output_dir
    manifest = Manifest.begin(config.root.resolve(), output.resolve(), build_options(config))
    content = gather(config, manifest)
    if strict:
        published = [article for article in content.articles if not article.draft]
        problems = content.warnings + site_findings(published, content.catalogs, config)
        if problems:
            raise BuildError(problems)
    result = write_site(content, output)
    manifest.warnings = [[str(w.path), w.message, w.line] for w in result.warnings]
    manifest.pages, manifest.files, manifest.strict_ok = result.pages, result.files, strict
    manifest.save(manifest_path(config.cache_dir, output.resolve()))
    return result


def write_site(content: SiteContent, output: Path) -> BuildResult:
    """Render every page into a temporary folder, then swap it in for ``output`` in one step.

    A symbolic link at ``output`` keeps pointing where it did: the folder it points to is replaced.
    Leftovers of killed builds beside the output are removed first. Any failure of the file system
    (full disk, permissions) is a ContentError naming the file, and the old site stays as it was.
    """
    config = content.config
    output = Path(output)
    target = _check_output(output, config)
    clean_leftovers(target.parent, target.name)
    for cache in ("articles", "pages", "templates"):  # temporaries of cache writes a killed build left
        clean_leftovers(config.cache_dir / cache)
    renderer = Renderer(config)
    variants_made = make_variants(list(content.images.values()))
    temporary = target.parent / f".{target.name}.building-{os.getpid()}"
    remove_tree(temporary)
    try:
        temporary.mkdir(parents=True)
    except OSError as exc:
        raise ContentError(
            target.parent, f"{problem_of(exc, 'write')} (the new site is written here, then swapped in)"
        ) from None
    writer = Writer(temporary)
    try:
        pages = _write_pages(content, renderer, writer)
        _copy_files(content, writer)
        writer.write(BUILD_MARKER, "")
        try:
            old = swap_folders(temporary, target)
        except OSError as exc:
            raise ContentError(target, problem_of(exc, "replace")) from None
    except BaseException:
        remove_tree(temporary)
        raise
    if old is not None:
        remove_tree(old)
    return BuildResult(output, pages, len(writer.written), variants_made, content.warnings)


def _write_pages(content: SiteContent, renderer: Renderer, writer: Writer) -> dict[str, int]:
    config = content.config
    published_in: dict[str, list[str]] = {}
    for code, edition in content.editions.items():
        for page in edition:
            published_in.setdefault(page.article.slug, []).append(code)
    work = [(page, tuple(published_in[page.article.slug])) for edition in content.editions.values() for page in edition]
    listings = _article_pages(content, renderer, writer, work)
    groups, modified = [], {}
    for (page, languages), listing in zip(work, listings, strict=True):
        modified[listing.url] = iso_datetime(page.article.date, renderer.zone)
        if page.language == config.source_language:
            path_of = {lang: article_path(page.article.slug, lang, config.source_language) for lang in languages}
            groups.append(alternates(renderer, path_of, page.language))
    for code in content.editions:
        edition = [listing for listing in listings if listing.page.language == code]
        for output in (home_page(renderer, code, edition), feed(renderer, code, edition)):
            writer.write(output.path, output.text)
    homes = {lang.code: language_root(lang.code, config.source_language) for lang in config.languages}
    groups.insert(0, alternates(renderer, homes, config.source_language))
    for output in (sitemap(renderer, groups, modified), not_found_page(renderer), robots(renderer)):
        writer.write(output.path, output.text)
    return {code: len(edition) for code, edition in content.editions.items()}


Work = list[tuple[Localized, tuple[str, ...]]]  # a page to render, and the languages it exists in


def _article_pages(content: SiteContent, renderer: Renderer, writer: Writer, work: Work) -> list[Listing]:
    """Render and write every article page (on every core for a large site); listings in order."""

    config = content.config
    keys = [_page_key(content, page, languages) for page, languages in work]
    found = [_cached_page(config, key) for key in keys]

    def render(number: int) -> tuple:
        page, languages = work[number]
        output, listing = article_page(renderer, page, languages, content.images)
        writer.write_unclaimed(output.path, output.text)
        fields = (listing.url, listing.href, listing.photo, listing.body)  # not the page: the parent has it
        if keys[number] is not None:
            _store_page(config, keys[number], output.text, fields)
        return output.path, fields

    misses = [number for number, hit in enumerate(found) if hit is None]
    rendered = dict(zip(misses, fork_map(render, misses), strict=True))
    listings = []
    for number, (page, _) in enumerate(work):
        if number in rendered:
            path, fields = rendered[number]
            writer.claim(path)
        else:  # rendered by an earlier build from the same inputs
            text, fields = found[number]
            writer.write(article_path(page.article.slug, page.language, config.source_language) + "index.html", text)
        listings.append(Listing(page, *fields))
    return listings


def _page_key(content: SiteContent, page: Localized, languages: tuple[str, ...]) -> str | None:
    article_key = content.keys.get(page.article.slug)
    if article_key is None or content.site_key is None:
        return None
    seen = (content.site_key, article_key, page.language, languages)
    return hashlib.sha256(repr(seen).encode("utf-8", "surrogateescape")).hexdigest()


def _page_cache(config: SiteConfig, key: str) -> Path:
    return config.cache_dir / "pages" / f"{key[:32]}.pickle"


def _cached_page(config: SiteConfig, key: str | None) -> tuple[str, tuple] | None:
    if key is None:
        return None
    stored = _load_sealed(_page_cache(config, key))
    try:
        stored_key, text, fields = stored
    except (TypeError, ValueError):
        return None
    return (text, fields) if stored_key == key and isinstance(text, str) else None


def _store_page(config: SiteConfig, key: str, text: str, fields: tuple) -> None:
    """Best effort, from a worker: a page cache that cannot be written only costs speed."""
    _store_sealed(_page_cache(config, key), (key, text, fields))


def _copy_files(content: SiteContent, writer: Writer) -> None:
    """Static files, then each published article's photos (once for all languages) and variants."""
    static = content.config.static_dir
    if static.is_dir():
        for file in sorted(static.rglob("*")):
            if file.is_file():
                check_inside(file, content.config.root, "static file")
                writer.copy(f"static/{file.relative_to(static).as_posix()}", file)
    for page in content.editions[content.config.source_language]:
        article = page.article
        for file in dict.fromkeys(ref.file for ref in article.images):
            target = image_site_path(article, file)
            writer.copy(target, file)
            info = content.images[file]
            folder, _, name = target.rpartition("/")
            for variant in info.variants:
                writer.copy(f"{folder}/{info.variant_name(name, variant)}", variant.cached, link=True)


class Writer:
    """Writes files under one folder and refuses to write the same path twice.

    A failure of the file system (full disk, permissions) becomes a ContentError naming the file.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: set[str] = set()
        self.folders: set[Path] = set()

    def claim(self, path: str) -> Path:
        """Reserve an output path; a second claim on it is an error."""
        if path in self.written:
            raise ContentError(self.root / path, "two outputs claim this path; rename one of the articles or photos")
        self.written.add(path)
        target = self.root / path
        if target.parent not in self.folders:
            _make_folder(target.parent)
            self.folders.add(target.parent)
        return target

    def write(self, path: str, text: str) -> None:
        _write_file(self.claim(path), text)

    def write_unclaimed(self, path: str, text: str) -> None:
        """Write from a worker process; the parent claims the path when the result comes back."""
        target = self.root / path
        _make_folder(target.parent)
        _write_file(target, text)

    def copy(self, path: str, source: Path, link: bool = False) -> None:
        """Copy a photo or static file; a file that cannot be read or written is named.

        ``link``: a hard link will do (the build's own cached photo variants, never a newsroom
        file: a tool editing site/ in place must not be able to change a source photo).
        """
        target = self.claim(path)
        if link:
            try:
                os.link(source, target)
                return
            except OSError:  # another file system, or links not allowed: copy
                pass
        try:
            shutil.copyfile(source, target)
        except OSError as exc:
            where = target if exc.filename in (str(target), None) else Path(exc.filename)
            raise ContentError(where, problem_of(exc, "write" if where == target else "read")) from None


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ContentError(folder, problem_of(exc, "write")) from None


def _write_file(target: Path, text: str) -> None:
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ContentError(target, problem_of(exc, "write")) from None


def _check_output(output: Path, config: SiteConfig) -> Path:
    """The folder to replace (a link's target); never one the build does not own or cannot replace."""
    resolved = output.resolve()
    sources = (config.content_dir, config.templates_dir, config.static_dir)
    for precious in (config.root, *sources):
        if precious.is_relative_to(resolved) or (precious in sources and resolved.is_relative_to(precious)):
            raise ContentError(output, f"the output folder would mix with {precious}; choose another output folder")
    if resolved.exists() and not resolved.is_dir():
        raise ContentError(output, "this is a file, not a folder; choose another output folder (--out)")
    try:
        if resolved.exists() and any(resolved.iterdir()) and not (resolved / BUILD_MARKER).exists():
            raise ContentError(
                output, "this folder exists and was not made by this tool; remove it or choose another output folder"
            )
    except OSError as exc:
        raise ContentError(output, problem_of(exc)) from None
    if resolved.exists() and not os.access(resolved, os.W_OK | os.X_OK):
        raise ContentError(
            output, "this folder is read-only, so the new site cannot replace it; make it writable (chmod u+w)"
        )
    return resolved


def _newest_first(article: Article) -> tuple:
    date = article.date
    moment = date if isinstance(date, dt.datetime) else dt.datetime(date.year, date.month, date.day)
    return (-moment.replace(tzinfo=None).timestamp(), article.slug)
