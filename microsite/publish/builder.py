"""Build the site in two phases: gather and validate everything, then write and swap it in.

A broken article stops the build before a byte is written; the output goes to a temporary folder
that replaces ``site/`` only once it is complete, so a failed build leaves the old site as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import gc
import hashlib
import marshal
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from stat import S_IFDIR
from typing import NamedTuple

from markupsafe import Markup

from ..cache import Ledger, StaleCache, code_version, load_pickle, open_cache, stamp_from, stamp_of, store_pickle
from ..content.article import Article, FrontMatter, parse_article
from ..content.config import REVIEWED_ONLY, Language, SiteConfig
from ..content.discovery import check_slugs, find_articles, no_index
from ..content.markup import article_markup
from ..content.scaffold import placeholder_problems
from ..errors import BuildError, ContentError, Problem
from ..files import (
    check_inside,
    clean_leftovers,
    others_running,
    problem_of,
    remove_file,
    remove_tree,
    swap_folders,
    swept,
    writer_marked,
)
from ..parallel import Pending, Progress, alone, fork_map, forked
from ..store import collector_relaxed, set_aside
from ..translation.catalog import STATES, Catalog, load_catalog
from ..translation.glossary import load_glossary
from ..translation.markup import markup_errors
from . import search
from .fragments import TEMPLATES as FRAGMENT_TEMPLATES
from .fragments import Fragments, TemplatesUsed, fragments_key, kept_at
from .images import ImageInfo, NotAnImage, inspect_image, make_variants
from .lists import ListCache, Related, card_digest, feeds_showing, list_pages, tag_problems
from .localize import Localized, counted, localize, missing_segments
from .manifest import Manifest, Snapshot, build_options, check_last_build, file_digest, manifest_path
from .pages import (
    RELATED,
    Card,
    alternates,
    article_page,
    card_at,
    card_html,
    card_of,
    feed_entry,
    image_site_path,
    not_found_page,
    robots,
    sitemap,
    sitemap_files,
    sitemap_index,
)
from .records import (
    ArticleRecord,
    OutputFile,
    PageRecord,
    Tag,
    cache_file,
    cached_files,
    cached_names,
    cached_text,
    card_facts,
    cards_of,
    changed_files,
    close_readers,
    fetch_all,
    intact,
    load_state,
    named_pages,
    save_state,
    shape_of,
    share_tags,
    shelve,
    state_path,
    superseded_pages,
)
from .render import STRINGS_FILE, Renderer, iso_datetime, keep_texts
from .tree import (
    INDEX,
    Donor,
    Entry,
    Plan,
    Planned,
    Standby,
    TreeRecord,
    bring,
    link_from,
    remove_entry,
    untouched_folders,
)
from .typography import smarten
from .urls import article_path, language_root, tag_slug

CACHE_FORMAT = 1  # of .cache/articles/; the code's version is part of each entry's key too
ONCE = "page"  # the name of a page kept in .cache/ for one build only (see _render)
BUILD_MARKER = ".nojekyll"  # every built site has it; a folder without it is not ours to replace
REVIEW_DESK = "http://127.0.0.1:8000/_review/"  # where `python build.py serve` puts the review desk


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, for the command line to report."""

    output: Path
    pages: dict[str, int]
    files: int
    variants_made: int
    warnings: list[Problem]
    records: list[ArticleRecord] = field(default_factory=list)  # every article's, for the preview
    changed: set[str] | None = None  # the site's files that differ from the last site's (None: unknown)
    related: dict[str, Related] = field(default_factory=dict)  # editions' related-reading indexes it made


@dataclass
class ArticleInput:
    """One article folder read and checked: the article, its catalogs and photos, or its errors."""

    article: Article | None
    catalogs: dict[str, Catalog] = field(default_factory=dict)
    images: dict[Path, ImageInfo] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    markup: dict[str, list[Problem]] = field(default_factory=dict)  # broken markup in each translation
    photos: tuple[str, dict[str, list[int]]] | None = None  # what its photos were read as: see _photos_seen
    code: str | None = None  # the code that read it (its front matter serves this code's next reading)


UNKEYED = object()  # read_article: the caller has not worked out the article's key


def read_article(
    path: Path, config: SiteConfig, manifest: Manifest | None = None, key: str | object | None = UNKEYED
) -> ArticleInput:
    """Parse an article, load its catalogs and inspect its photos, collecting every error.

    With the build's ``manifest`` (its snapshot of every input's stat), an article whose files
    are all as they were when it was last read comes from ``.cache/articles/`` instead; ``key``:
    its :func:`_article_key` if the caller has it already.
    """
    if key is UNKEYED:
        key = _article_key(path, config, manifest)
    stored = _stored_article(path, config)  # (read again or not, its photos and front matter may serve)
    if stored is not None and key is not None and stored[0] == key:
        return stored[1]
    last = stored[1] if stored is not None else None

    def known() -> dict[Path, ImageInfo]:  # (asked only of an article that shows photos)
        return _photos_known(last, config, manifest)

    same = last is not None and last.article is not None and last.code == code_version()
    result = _read_article(path, config, known, last.article.front if same else None)  # type: ignore[union-attr]
    result.code = code_version()
    result.photos = _photos_seen(result.images, config, manifest)
    if not result.errors and (key is not None or result.photos is not None):
        _cache_article(path, config, key, result)  # (unkeyed, kept for its photos only)
    return result


def _photos_seen(
    images: Iterable[Path], config: SiteConfig, manifest: Manifest | None
) -> tuple[str, dict[str, list[int]]] | None:
    """The stats of an article's photos in the build's snapshot, with what else reading them
    depends on; None when one has no stat old enough to stand for its content."""
    if manifest is None:
        return None
    root, stats = f"{config.root}{os.sep}", {}
    for file in images:
        name = str(file)
        relative = name[len(root) :].replace(os.sep, "/") if name.startswith(root) else None
        stat = manifest.inputs.get(relative) if relative is not None else None
        if not stat or relative in manifest.racy:
            return None
        stats[name] = stat
    return (repr((CACHE_FORMAT, manifest.code, str(config.cache_dir))), stats) if stats else None


def _photos_known(last: ArticleInput | None, config: SiteConfig, manifest: Manifest | None) -> dict[Path, ImageInfo]:
    """The photos of an article as it was ``last`` read, if their files are as they were then
    (:func:`_photos_seen`): an edit of its text reads none of them again, and never loads Pillow
    (a twentieth of a 1,000-article edit's build)."""
    seen = last.photos if last is not None else None
    if not seen:
        return {}
    then = {Path(name): last.images.get(Path(name)) for name in seen[1]}  # type: ignore[union-attr]
    if None in then.values() or _photos_seen(then, config, manifest) != seen:
        return {}
    return then  # type: ignore[return-value]


def _read_article(
    path: Path,
    config: SiteConfig,
    known: Callable[[], dict[Path, ImageInfo]] | None = None,
    front: FrontMatter | None = None,
) -> ArticleInput:
    """:func:`read_article`'s reading; ``known()``: the photos it need not read again (asked only
    of an article that shows photos); ``front``: its front matter as last read."""
    try:
        article = parse_article(path, front)
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
    photos = known() if known is not None and article.images else {}
    for ref in article.images:
        if ref.file not in result.images:
            try:
                found = photos.get(ref.file)
                result.images[ref.file] = found or inspect_image(ref.file, config.cache_dir / "images")
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
    return _article_keys([path], config, manifest)[path]


def _article_keys(paths: list[Path], config: SiteConfig, manifest: Manifest | None) -> dict[Path, str | None]:
    """:func:`_article_key` of each of ``paths``, what they share worked out once (by the hundred
    thousand, per article, it cost a tenth of an edit's build)."""
    if manifest is None:
        return dict.fromkeys(paths)
    root = str(config.root)  # (strings: pathlib's relative_to, by the hundred thousand, cost more than the hash)
    root = root if root.endswith(os.sep) else root + os.sep
    targets = [language.code for language in config.targets]
    shared = repr((CACHE_FORMAT, manifest.code, str(config.cache_dir), targets)).encode("utf-8", "surrogateescape")
    keys: dict[Path, str | None] = {}
    for path in paths:
        name = str(path)
        folder = name.rpartition(os.sep)[0]
        if not folder.startswith(root):
            keys[path] = None
            continue
        prefix = folder[len(root) :].replace(os.sep, "/") + "/"
        files, racy = manifest.folder_inputs(prefix)
        if racy or prefix.count("/") != 2:
            keys[path] = None
            continue
        seen = marshal.dumps((name, files), 2)  # (version 2: no references, the same bytes every run; ~5x repr)
        keys[path] = hashlib.sha256(shared + b"\0" + seen).hexdigest()
    return keys


# Articles from which their keys are worked out by a forked child (:class:`Found`). At 1,000 (with
# photos) an edit that works them out itself was no slower: the child cost its fork and a wait.
KEYS_AHEAD = 2000


class Found:
    """The articles (:func:`_find_articles`) and their keys (:func:`_article_keys`), these worked out
    by a forked child from the moment the articles are found, beside the build's next steps (the last
    build's records loaded): the child's answer is a key an article, its work a hash of each
    article's stats (a sixteenth of an edit's build at 100,000 articles). :meth:`close` it.

    Only where this process runs no other thread: the child hashes, and a lock another thread held
    at the fork (OpenSSL's, or a lazily made property's) would never be let go in the child; the
    preview's builds work the keys out in their own thread."""

    def __init__(self, config: SiteConfig, manifest: Manifest | None, ahead: bool = True) -> None:
        self.paths, self.warnings = _find_articles(config, manifest)
        self._of = (config, manifest)
        self._ahead: Pending[list] | None = None
        if ahead and alone() and manifest is not None and len(self.paths) >= KEYS_AHEAD:
            with contextlib.suppress(OSError):  # no process could be made: the keys are worked out here
                self._ahead = forked(self._keys_in_child)

    def _keys_in_child(self) -> list[str | None]:
        gc.disable()  # (walking the parent's objects would copy their pages into the child)
        keys = _article_keys(self.paths, *self._of)
        return [keys[path] for path in self.paths]

    def keys(self) -> dict[Path, str | None]:
        """Each article's key: the child's answer, else (no child, or it failed) worked out here."""
        ahead, self._ahead = self._ahead, None
        try:
            answer = None if ahead is None else ahead()
        except RuntimeError:  # (killed: worked out here)
            answer = None
        if not isinstance(answer, list) or len(answer) != len(self.paths):
            return _article_keys(self.paths, *self._of)
        return dict(zip(self.paths, answer, strict=True))

    def close(self) -> None:
        """The child stopped if its answer was not taken (the build failed before it needed it)."""
        if self._ahead is not None:
            self._ahead.cancel()
            self._ahead = None


def _article_cache(path: Path, config: SiteConfig) -> Path:
    name = hashlib.sha256(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return config.cache_dir / "articles" / f"{name}.pickle"


def _stored_article(path: Path, config: SiteConfig) -> tuple[str | None, ArticleInput] | None:
    """The article's last reading kept in ``.cache/articles/`` (sealed) and the key it was read
    under (None: kept for its photos only, :func:`_photos_seen`); None if there is none."""
    stored = load_pickle(_article_cache(path, config))
    try:
        stored_key, result = stored  # type: ignore[misc]
    except (TypeError, ValueError):
        return None
    if not isinstance(result, ArticleInput) or not (stored_key is None or isinstance(stored_key, str)):
        return None
    result.__dict__.setdefault("photos", None)  # (kept by code before photos were kept with it)
    result.__dict__.setdefault("code", None)
    return stored_key, result


def _cache_article(path: Path, config: SiteConfig, key: str | None, result: ArticleInput) -> None:
    """Best effort: a cache that cannot be written only costs speed."""
    store_pickle(_article_cache(path, config), (key, result))


def _site_key(config: SiteConfig, manifest: Manifest | None) -> str | None:
    """What every article page depends on besides its article: templates, strings, site.toml, code.

    Not static files (pages link to them by name) nor content/'s own files (the glossary only
    changes findings).
    """
    shared = _rendering_inputs(manifest)
    if manifest is None or shared is None:
        return None
    seen = (CACHE_FORMAT, manifest.code, manifest.options, str(config.root), shared)
    return hashlib.sha256(repr(seen).encode("utf-8", "surrogateescape")).hexdigest()


def _vouch(manifest: Manifest, config: SiteConfig, strings: str | None) -> None:
    """Key site.toml and strings.toml by the digests of the bytes read (``strings``: the latter's)."""
    manifest.vouch("site.toml", config.settings_digest)
    manifest.vouch(f"templates/{STRINGS_FILE}", strings)


def _rendering_inputs(manifest: Manifest | None) -> list[tuple[str, object]] | None:
    """The inputs every page is rendered with, by name: each template, site.toml and strings.toml
    by the digest of what the build read (:meth:`.Manifest.read_templates`, :meth:`.Manifest.vouch`:
    one saved just before the build keys what it renders all the same), every other file by its
    stat. None when one of those changed too recently for its stat to stand for its content, or a
    template could not be read."""
    if manifest is None:
        return None
    shared: list[tuple[str, object]] = []
    for name, stat in manifest.shared_inputs:
        if name in manifest.vouched:
            shared.append((name, ("digest", manifest.vouched[name])))
        elif name in manifest.templates:
            digest = manifest.templates[name][0]
            if digest is None:
                return None
            shared.append((name, digest))
        elif name in manifest.racy:
            return None
        else:
            shared.append((name, stat))
    return shared


def _fragments_key(
    config: SiteConfig, manifest: Manifest | None, renderer: Renderer | None, used: TemplatesUsed | None
) -> str | None:
    """What an article page's body and card depend on besides their article (:mod:`.fragments`)."""
    shared = _rendering_inputs(manifest)
    if manifest is None or renderer is None or shared is None:
        return None
    names = (used or TemplatesUsed(renderer.env, None))(FRAGMENT_TEMPLATES)
    return fragments_key(shared, names, (CACHE_FORMAT, manifest.code, manifest.options, str(config.root)))


def _list_versions(
    config: SiteConfig, manifest: Manifest, used: TemplatesUsed
) -> Callable[[tuple[str, ...]], str | None]:
    """The version of a list page's key (:class:`.lists.ListCache`), by the templates it is rendered
    with: the code, settings and strings, and those templates with all they include or extend, not
    the page templates it never uses (an edit of ``article.html`` renders no list page again).
    None (not kept) when an input could not be keyed."""
    shared = _rendering_inputs(manifest)
    seen = ("lists", CACHE_FORMAT, manifest.code, manifest.options, str(config.root))
    known: dict[tuple[str, ...], str | None] = {}

    def version(templates: tuple[str, ...]) -> str | None:
        if templates not in known:
            known[templates] = None if shared is None else fragments_key(shared, used(templates), seen)
        return known[templates]

    return version


def _state_version(config: SiteConfig, manifest: Manifest) -> str | None:
    """What the records kept for the next build depend on as a whole: the code and the site key."""
    site_key = _site_key(config, manifest)
    return None if site_key is None else f"{manifest.code}:{site_key}"


def alt_text_warnings(articles: list[Article]) -> list[Problem]:
    """A warning for each figure without alt text (readers who cannot see it get nothing)."""
    message = "this photo has no alt text: describe it, ![What it shows](…)"
    return [Problem(a.path, message, f.line) for a in articles for f in a.figures if f.alt is None]


def placeholder_photo_warnings(article: Article, images: dict[Path, ImageInfo]) -> list[Problem]:
    """A warning for each labelled placeholder photo a published article still shows (one per file)."""
    if article.draft:
        return []
    found: dict[Path, Problem] = {}
    for ref in article.images:
        info = images.get(ref.file)
        if info is not None and info.placeholder is not None and ref.file not in found:
            found[ref.file] = Problem(
                article.path,
                f"photo {ref.src!r} is a labelled placeholder"
                + (f" for {info.placeholder}" if info.placeholder else "")
                + f"; save the real photo as {ref.src} in the article's folder",
                ref.line,
            )
    return list(found.values())


def edition_page(article: Article, catalog: Catalog, language: Language) -> Localized | Problem:
    """An article's page in a translated edition, or why it is held back from that edition.

    An article needs text for every passage; with ``publish = "reviewed"`` (the default) every
    passage must also be reviewed, so readers never meet unreviewed machine text by accident.
    """
    code = language.code
    missing = missing_segments(article, catalog)
    if missing:
        return Problem(
            article.path,
            f"left out of the {code} edition: {len(missing)} segment(s) have no {code} text yet in "
            f"{catalog.path.name} (first: {missing[0].kind} at line {missing[0].line}); run "
            f"`python build.py translate {article.slug}` for machine drafts, or write the English in the desk "
            f"(`python build.py serve` then {REVIEW_DESK}{code}/{article.slug}/), then build again",
        )
    page = localize(article, code, catalog)
    if language.publish == REVIEWED_ONLY and not page.fully_reviewed:
        return Problem(
            article.path,
            f"held back from the {code} edition: {page.total - page.reviewed} of {page.total} passage(s) "
            f'are not reviewed yet (site.toml: publish = "{REVIEWED_ONLY}"); review them in the desk, '
            f"`python build.py serve` then {REVIEW_DESK}{code}/{article.slug}/",
        )
    return page


class IndexCache(NamedTuple):
    """Where the search index of an output is kept, and whether each kept file is checked before
    use (``thorough``) or as it is copied (:func:`.search.place`)."""

    folder: Path
    thorough: bool


PLANNED_APART = 10  # an edit is planned from the last site when at most one article in this many changed


@dataclass
class Layout:
    """What lets an edit's build plan only what it changes (:func:`_plan_edit`): the last build's
    published articles in order, the token naming it, and the records this build read again."""

    token: str  # names this build, in its state and in its site's record (:meth:`.tree.Standby.swap_in`)
    last: str  # the last build's, from its state
    order: list[str] | None  # the published articles' paths, newest first: the last build's, then this one's
    replaced: dict[str, ArticleRecord | None] | None = None  # the records read again, as they were (None: new)
    thorough: bool = False  # every kept file checked before use (a build made again: :class:`..cache.StaleCache`)
    related: dict[str, Related] = field(default_factory=dict)  # each edition's index, as the build made it
    gone: dict[str, ArticleRecord | None] = field(default_factory=dict)  # the records of articles gone

    def note(self, last: dict[str, ArticleRecord], todo: list[Path], gone: list[Path], total: int) -> None:
        """The records :func:`collect` is about to read again, and those of the articles gone, as
        the last build had them; none kept when many changed (the site is then planned whole:
        their old records are not kept)."""
        if self.order is None or (len(todo) + len(gone)) * PLANNED_APART > max(total, PLANNED_APART):
            return
        self.replaced = {str(path): last.get(str(path)) for path in todo}
        self.gone = {str(path): last.get(str(path)) for path in gone}


def build_site(
    config: SiteConfig,
    output: Path | None = None,
    strict: bool = False,
    taken: Snapshot | None = None,
    progress: Progress | None = None,
    survey: Pending | None = None,
) -> BuildResult:
    """Gather, then write the site into ``output`` (default ``site/``), swapping it in at the end.

    Only articles whose files changed since the last build are read and rendered; the others come
    from its records (:mod:`.records`). ``strict`` is the publish gate: warnings and translation QA
    findings become errors. A build that succeeds leaves a manifest, so the next one can tell when
    there is nothing to do (:func:`.manifest.up_to_date`); ``taken`` is the inputs' snapshot when
    the caller took it for that check, ``survey`` the standby's survey begun with it (taken, or
    stopped: :func:`.manifest.settled`).
    ``progress(total, label, unit)``, when given, returns what to call as items of a long step
    are done (the articles read and rendered, the site's files written, the index's pages).
    """
    try:
        cache = open_cache(config.cache_dir)
    except BaseException:
        if survey is not None:  # (taken or stopped: a child left would survey for nothing)
            survey.cancel()
        raise
    try:
        config = config._replace(cache_folder=cache.path)
        with collector_relaxed(), writer_marked(cache.path) as sweep:
            try:
                result = _build(config, output, strict, taken, progress, sweep, survey=survey)
            except StaleCache:  # a kept file changed as the build ran: once more, checking every one
                try:
                    result = _build(config, output, strict, taken, progress, False, thorough=True)
                except StaleCache as exc:
                    raise ContentError(Path(str(exc)), "changed while the build ran; build again") from None
    except BuildError as exc:
        if cache.warning is not None:
            exc.problems.insert(0, cache.warning)
        raise
    finally:
        cache.close()
        if survey is not None:
            survey.cancel()
    if cache.warning is not None:
        result.warnings.insert(0, cache.warning)
    return result


def last_build(config: SiteConfig) -> BuildResult | None:
    """The last build of ``site/`` as it stands, its records included, when nothing it read has
    changed since (a build would write nothing); None when something has, or its records are not
    all at hand. For the preview's start: it needs the records for the pages it makes early, not a
    build's passes over them (at 100,000 articles ~5 s for this, ~20 s for a build)."""
    last, taken = check_last_build(config)
    if last is None or not isinstance(taken, tuple):
        return None
    cache = open_cache(config.cache_dir)
    try:
        config = config._replace(cache_folder=cache.path)
        output = config.output_dir.resolve()
        state = load_state(*_kept_state(config, output, taken)[1:])
    finally:
        cache.close()
    records = sorted(state.records.values(), key=lambda record: record.where)
    folder = f"{config.content_dir}/"
    held = {record.where.removeprefix(folder) for record in records}
    articles = {name[8:] for name in taken[1] if name.count("/") == 2 and name.startswith("content/")}
    articles = {name for name in articles if name.endswith("/index.md") and not name.startswith((".", "_"))}
    shown = {code: sum(code in record.page_languages for record in records) for code in last.pages}
    if not state.current or held != articles or shown != last.pages:
        return None  # (not the records the site was built from: a build works them out)
    warnings = ([cache.warning] if cache.warning else []) + last.problems()
    return BuildResult(output, last.pages, last.files, 0, warnings, records, changed=set())


def _build(
    config: SiteConfig,
    output: Path | None,
    strict: bool,
    taken: Snapshot | None,
    progress: Progress | None = None,
    sweep: bool = True,
    thorough: bool = False,
    survey: Pending | None = None,
) -> BuildResult:
    """:func:`build_site`'s work; ``sweep``: remove what killed builds left in the caches first;
    ``thorough``: plan every file of the site (never the last site's plan with an edit's changes);
    ``survey``: the standby's, under way (taken or stopped here)."""
    output = Path(output) if output else config.output_dir
    manifest = Manifest.begin(config.root.resolve(), output.resolve(), build_options(config), taken)
    manifest.read_templates(config.root)
    target = _check_output(output, config)
    search.check_reader(config.static_dir)  # (before anything is written: a search that finds nothing is refused)
    if sweep:  # temporaries a killed build left (before this build writes its own there)
        _sweep(config.cache_dir)
    standby = Standby.open(config.cache_dir, target)
    if survey is not None and (standby is None or not os.path.lexists(target)):
        survey.cancel()  # (of a standby this build does not use)
    found = None
    try:
        if standby is not None and os.path.lexists(target):
            standby.survey_ahead(survey)  # (beside the build from now: its answer is small, its child soon gone)
        found = Found(config, manifest)  # (the articles' keys, too, beside the records' loading)
        return _gather_and_write(config, manifest, output, target, strict, progress, thorough, standby, found, sweep)
    finally:
        if found is not None:
            found.close()
        if standby is not None:
            standby.close()
        close_readers()  # (the state's store, opened to read records' pages as they were asked for)


def _gather_and_write(
    config: SiteConfig,
    manifest: Manifest,
    output: Path,
    target: Path,
    strict: bool,
    progress: Progress | None,
    thorough: bool,
    standby: Standby | None,
    found: Found | None = None,
    sweep: bool = True,
) -> BuildResult:
    """:func:`_build`'s work once its output (``target``: resolved), its standby and its articles
    (``found``) are known; ``sweep``: what killed builds left is being removed (every kept list
    page not used this time with it)."""
    started = time.time()
    state = state_path(config.cache_dir, output.resolve())
    # List pages are kept per output: pruning one output's must never remove what another's
    # build, maybe running at the same moment, is about to link.
    listed = config.cache_dir / "lists" / state.stem.removeprefix("state-")
    renderer = Renderer(config, manifest.template_texts())
    _vouch(manifest, config, renderer.strings_digest)
    version = _state_version(config, manifest)
    last = load_state(state, version, whole=thorough)  # (thorough: every record's pages read, and checked)
    from_state = last.current or version is None  # (else pages no state names may be left: remove_strays)
    set_aside()
    used = TemplatesUsed(renderer.env, config.cache_dir / "templates" / "used.pickle")
    layout = Layout(secrets.token_hex(8), last.token, None if thorough else last.order, thorough=thorough)
    records, warnings = collect(config, manifest, renderer, last.records, progress, used, layout, found)
    _raise_errors(records, config)
    for record in records:
        warnings += record.warnings
    if strict:
        add_findings(records, config, manifest)
        problems = warnings + [f for r in records if not r.draft for found in r.findings.values() for f in found]
        problems += site_findings(records, config)
        if problems:
            save_state(state, version, records, last.lists, last)  # the findings, for the next check
            raise BuildError(problems)
    ledger = Ledger(config.cache_dir / "images")
    variants_made = _make_variants(records, ledger)
    ledger.save()
    lists = ListCache(listed, _list_versions(config, manifest, used), last.lists)
    pages, files, changed, written = write_site(records, renderer, target, lists, progress, layout, standby)
    superseded = superseded_pages(state, last, version)  # (the cached pages of the site's last version, if any)
    editions = {language.code: language for language in config.languages}
    rendered = [record for record in records if not record.stored and record.date is not None]
    keep_texts(config.cache_dir, ((r.date, editions[code]) for r in rendered for code in r.page_languages))
    known = {path: entry.stamp for path, entry in written.files.items()}  # (``target`` is the output resolved)
    manifest.stamp_ahead(known, written.folders)  # (its other folders stat'ed beside what follows)
    try:
        used.save()
        save_state(state, version, records, lists.made, last, layout.token, layout.order)
        remove_pages(superseded, records, config.cache_dir)  # those of the site's last version
        remove_strays(config.cache_dir, records, state, started, known=from_state)
        lists.prune(whole=sweep or thorough)
    except BaseException:
        manifest.stop_stamping()
        raise
    manifest.warnings = [[str(w.path), w.message, w.line] for w in warnings]
    manifest.pages, manifest.files, manifest.strict_ok = pages, files, strict
    manifest.save(manifest_path(config.cache_dir, target), known)
    return BuildResult(output, pages, files, variants_made, warnings, records, changed, layout.related)


def _sweep(cache_dir: Path) -> None:
    """Remove what killed builds left in the caches (files of builds still running are kept)."""
    folders = [cache_dir / name for name in ("articles", "pages", "fragments", "templates", "images")]
    folders += _subfolders(cache_dir / "lists")  # one per output
    for output in _subfolders(cache_dir / "search"):  # the search index's, per output and language
        for language in _subfolders(output):  # (its spilled postings; its files, in p/ and b/)
            folders += [language, *(folder for folder in _subfolders(language) if folder.name in ("p", "b"))]
    for folder in folders:
        clean_leftovers(folder)
    swept(cache_dir)


def _subfolders(folder: Path) -> list[Path]:
    """The folders in ``folder`` (never through a link; none if it cannot be listed)."""
    with contextlib.suppress(OSError):
        if not os.path.islink(folder):
            return [Path(entry.path) for entry in os.scandir(folder) if entry.is_dir(follow_symlinks=False)]
    return []


def check_site(config: SiteConfig) -> tuple[list[ArticleRecord], list[Problem], list[Problem]]:
    """For ``check``, nothing rendered: every article's record with its findings, all warnings, and
    the findings about the site as a whole (a tag translated two ways in one edition).

    Articles unchanged since the last build of ``site/`` come from its records, with the findings
    an earlier check or strict build kept there; those found now are kept for the next check.
    """
    cache = open_cache(config.cache_dir)
    try:
        records, warnings, found = _check(config._replace(cache_folder=cache.path))
    finally:
        cache.close()
    return records, ([cache.warning] if cache.warning else []) + warnings, found


def _kept_state(config: SiteConfig, output: Path, taken: Snapshot | None = None) -> tuple[Manifest, Path, str | None]:
    """What reads the last build's state of ``output`` without building: a manifest begun as the
    build's (``taken``: the inputs' snapshot, if already taken), the state's path, its version."""
    manifest = Manifest.begin(config.root.resolve(), output, build_options(config), taken)
    manifest.read_templates(config.root)
    _vouch(manifest, config, file_digest(config.templates_dir / STRINGS_FILE))  # (as the build's)
    return manifest, state_path(config.cache_dir, output), _state_version(config, manifest)


def _check(config: SiteConfig) -> tuple[list[ArticleRecord], list[Problem], list[Problem]]:
    manifest, state, version = _kept_state(config, config.output_dir.resolve())
    last = load_state(state, version)  # (the build's state: found now, findings are kept in it)
    records, warnings = collect(config, manifest, None, last.records)
    _raise_errors(records, config)
    if add_findings(records, config, manifest):
        save_state(state, version, records, last.lists, last)  # the findings, for the next check
    warnings += [warning for record in records for warning in record.warnings]
    return records, warnings, site_findings(records, config)


def site_findings(records: list[ArticleRecord], config: SiteConfig) -> list[Problem]:
    """What no single article shows: a Vietnamese tag its articles translate differently."""
    from ..translation.qa import QAFinding  # (QA's patterns are compiled only by a build that asks for it)

    found = tag_problems([r for r in records if not r.draft], [language.code for language in config.targets])
    return [QAFinding(problem.path, problem.message, problem.line) for problem in found]


def collect(
    config: SiteConfig,
    manifest: Manifest,
    renderer: Renderer | None,
    last: dict[str, ArticleRecord],
    progress: Progress | None = None,
    used: TemplatesUsed | None = None,
    layout: Layout | None = None,
    found: Found | None = None,
) -> tuple[list[ArticleRecord], list[Problem]]:
    """Every article's record, in path order, and the warnings of the content folder itself.

    An article whose files, and the site's templates, strings, settings and code, are as the last
    build found them keeps its record; the others are read and (with a ``renderer``) rendered on
    every core. ``layout`` is told which records were read again, as the last build had them.
    ``found``: the articles, found already (their keys maybe under way).
    """
    found = found or Found(config, manifest, ahead=False)
    paths, warnings = found.paths, list(found.warnings)
    site_key = _site_key(config, manifest)
    keys = found.keys()
    candidates = _candidates(last, keys, site_key, rendered=renderer is not None)
    # A build checks kept files as it reads them, and is made again (thorough) if one is not as kept.
    if layout is None:
        fetch_all(candidates)  # (their pages and files all read: in one pass, not one a record)
    changed = changed_files(candidates) if layout is None or layout.thorough else set()
    # (a candidate was stored reusable: every file of it kept; only a thorough build finds some changed)
    kept = {record.path: record for record in candidates if not changed or intact(record, changed)}
    todo = [path for path in paths if path not in kept]
    replaced = _replaced_pages(last, paths, todo, config.cache_dir) if renderer is not None else []
    gone = _gone(last, paths)
    if layout is not None:
        layout.note(last, todo, gone, len(paths))
    last.clear()  # the records not kept: freed before the workers fork, which would copy them
    del candidates

    fragments = _fragments_key(config, manifest, renderer, used) if todo else None

    def make(path: Path) -> ArticleRecord:
        return article_record(path, config, manifest, renderer, keys[path], site_key, fragments)

    advance = progress(len(todo)) if progress is not None and todo else None
    kept.update(zip(todo, fork_map(make, todo, progress=advance), strict=True))
    share_tags(kept[path] for path in todo)
    remove_pages(replaced, [kept[path] for path in todo], config.cache_dir, attach=True)
    _forget(gone, config)
    return [kept[path] for path in paths], warnings


def _find_articles(config: SiteConfig, manifest: Manifest | None) -> tuple[list[Path], list[Problem]]:
    """:func:`..content.discovery.find_articles`, answered from the build's snapshot of ``content/``
    (its folders listed and every file stat'ed already: at 100,000 articles, 100,000 ``lstat`` calls
    fewer); asked of the folder itself when the snapshot cannot tell (no snapshot, ``content/``
    unreadable, a folder reached through a link)."""
    content = config.content_dir
    inputs = manifest.inputs if manifest is not None else None
    if inputs is None or content != config.root / "content" or inputs.get("content/") == []:
        return find_articles(content)
    names: list[str] = []
    for name, key in inputs.items():
        if name.startswith("content/") and name.endswith("/") and name.count("/") == 2:
            folder = name[8:-1]
            if len(key) == 2 and key[1] != S_IFDIR:  # a link to a folder: the folder tells
                return find_articles(content)
            if not folder.startswith((".", "_")):
                names.append(folder)
    paths, warnings = [], []
    for folder in sorted(names):
        index = f"content/{folder}/index.md"
        if index in inputs or f"{index}/" in inputs or inputs.get(f"content/{folder}/") == []:
            paths.append(content.joinpath(folder, "index.md"))  # (an unreadable folder: reading it says why)
        else:
            warnings.append(no_index(content / folder))
    return paths, warnings


def _candidates(
    last: dict[str, ArticleRecord], keys: dict[Path, str | None], site_key: str | None, rendered: bool
) -> list[ArticleRecord]:
    """The last build's records of articles whose files and site are as they were then (``rendered``:
    with their pages rendered), to keep if their cached files are intact."""
    if site_key is None:
        return []
    found = []
    for path, key in keys.items():
        record = last.get(str(path)) if key is not None else None
        if record is None or record.key != key or record.site_key != site_key:
            continue
        if record.rendered or not rendered:
            record.__dict__["path"] = path  # (the path found, equal: not made again from the record's text)
            found.append(record)
    return found


def _gone(last: dict[str, ArticleRecord], paths: list[Path]) -> list[Path]:
    """The articles of the last build's records that are no longer there."""
    current = {str(path) for path in paths}
    return [record.path for name, record in last.items() if name not in current]


def _forget(gone: list[Path], config: SiteConfig) -> None:
    """Remove what the cache kept for article folders no longer there (their reading, their fragments)."""
    for path in gone:
        remove_file(_article_cache(path, config))
        remove_file(kept_at(config.cache_dir, path))


def _replaced_pages(last: dict[str, ArticleRecord], paths: list[Path], todo: list[Path], cache_dir: Path) -> list[str]:
    """The files kept in the cache for the articles now read again (``todo``) or gone."""
    current = {str(path) for path in paths}
    replaced = [last[str(path)] for path in todo if str(path) in last]
    replaced += [record for name, record in last.items() if name not in current]
    return [file.cache for record in replaced for file in cached_files(record) if file.cache is not None]


def remove_pages(names: Iterable[str], records: Iterable[ArticleRecord], cache_dir: Path, attach: bool = False) -> None:
    """Remove the pages and feed entries named in ``names`` from ``.cache/pages/`` unless one of
    ``records`` (this build's, newly made) keeps the same file: a page of an article read again, or
    gone, or of another version of the site (a template edit) is never used again, and without this
    every such build would leave a copy of the whole site's pages behind. Photos are not removed
    here: articles share those, and the ledger of photos keeps them. ``attach``: the records'
    pages, read to tell, are kept in them (records just made: the plan reads them next).
    """
    pages = str(cache_dir / "pages") + os.sep
    names = {name for name in names if name.startswith(pages) and os.sep not in name[len(pages) :]}
    if names:
        names -= cached_names(records, attach)
        for name in names:
            remove_file(name)


def remove_strays(
    cache_dir: Path, records: list[ArticleRecord], state: Path, started: float, known: bool = False
) -> list[str]:
    """Remove from ``.cache/pages/`` every page and feed entry that neither ``records`` (this
    build's, saved in ``state``) nor the state of another output keeps; returns their names.
    ``known``: the build started from its output's last state (or keeps none): nothing to do.

    For a build that could not start from its output's last state: lost, damaged, of another
    format (which named the pages it kept, and nothing else does), or made by other code or
    templates (its pages are removed by name, :func:`remove_pages`, but an older version's left by
    a state lost before stay). Without this, each state lost left a whole version of the site's
    pages behind, for good (found at 100,000 articles: 800,000 files, 8 GB). Such a build renders
    every page; one listing of the folder costs little beside it. Nothing is removed while another
    build of the same cache runs (its pages are in no state yet) or when another output's state
    cannot be read, nor any file written since this build began.
    """
    folder = cache_dir / "pages"
    if known or others_running(cache_dir) or os.path.islink(folder):
        return []
    named = cached_names(records)
    for other in cache_dir.glob("state-*.sqlite"):
        if other != state:
            theirs = named_pages(other)
            if theirs is None:
                return []
            named |= theirs
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") or entry.path in named:
                continue  # (temporaries are the sweep's: clean_leftovers)
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < started:
                    removed.append(entry.path)
    for name in removed:
        remove_file(name)
    return removed


def _raise_errors(records: list[ArticleRecord], config: SiteConfig) -> None:
    """Reading errors and clashing folder names first, then broken markup of pages about to be published."""
    errors = [error for record in records for error in record.errors]
    read = [record for record in records if not record.errors]
    errors += check_slugs([(record.slug, record.where) for record in read], config)
    if errors:
        raise BuildError(errors)
    errors = [error for record in records for error in record.publish_errors]
    if errors:
        raise BuildError(errors)


def article_record(
    path: Path, config: SiteConfig, manifest: Manifest | None, renderer: Renderer | None, key: str | None,
    site_key: str | None, fragments: str | None = None,
) -> ArticleRecord:  # fmt: skip
    """Read one article; with a ``renderer``, render its pages into the cache (run in a worker);
    ``fragments``: the key of the bodies and cards kept from earlier builds (:mod:`.fragments`)."""
    record = ArticleRecord(path, key, site_key)
    read = read_article(path, config, manifest, key)
    if read.article is None or read.errors:
        record.errors = read.errors
        return record
    article = read.article
    record.slug, record.draft, record.date = article.slug, article.draft, article.date
    record.warnings = read.warnings + alt_text_warnings([article])
    record.publish_errors = placeholder_problems([article])  # (none in a draft)
    record.warnings += placeholder_photo_warnings(article, read.images)
    record.states = {code: _counts(catalog, article) for code, catalog in read.catalogs.items()}
    if article.draft:
        record.rendered = True  # nothing to render
        record.shape = shape_of(record)
        return record
    pages = [localize(article, config.source_language)]
    for language in config.targets:
        page = edition_page(article, read.catalogs[language.code], language)
        if isinstance(page, Problem):
            record.warnings.append(page)
        else:
            pages.append(page)
            record.publish_errors += read.markup[language.code]
    record.languages = tuple(page.language for page in pages)
    for page in pages:
        texts = [(t.source, page.text(t)) for t in article.tags]
        record.tags[page.language] = tuple(Tag(s, smarten(text, page.language), tag_slug(text)) for s, text in texts)
    if renderer is not None and not record.publish_errors:
        _render(record, pages, read, renderer, fragments)
        record.shape, record.cards = shape_of(record), cards_of(record)
    return record


def _counts(catalog: Catalog, article: Article) -> dict[str, int]:
    """How many of the article's segments are in each state of :data:`STATES` (0 included): a plain
    dict, not a ``Counter`` (unpickled through a Python call, 100,000 of them an edit)."""
    counts = catalog.statistics(segment.source for segment in counted(article, catalog))
    return {state: counts[state] for state in STATES}


class LastBuild:
    """The last good build's records, for the pages made early until the next build
    (:func:`preview_pages`): each record by its ``index.md``, and each edition's related-reading
    index, worked out once for every edit shown before that build is in (at 100,000 articles that
    is ~1.5 s an edit otherwise). ``related``: the indexes the build made (:attr:`BuildResult.related`:
    those of the editions it placed articles in), from the same records; the rest are worked out."""

    def __init__(self, records: list[ArticleRecord], related: dict[str, Related] | None = None) -> None:
        self.records = records
        self.by_path = {record.path: record for record in records}
        self.made = dict(related or {})
        self.related: dict[str, Related] | None = None
        self.preparing = threading.Lock()

    def prepare(self) -> dict[str, Related]:
        """Every edition's index, worked out once (the preview asks on its build thread, once a
        build is in, so that an edit does not wait for it; an edit that comes first waits, or
        works it out)."""
        with self.preparing:
            if self.related is None:
                codes = {code for record in self.records for code in record.page_languages}
                if codes - self.made.keys():
                    published = sorted((record for record in self.records if record.page_languages), key=_newest_first)
                    self.made.update({code: Related(published, code) for code in codes - self.made.keys()})
                self.related = {code: self.made[code] for code in sorted(codes)}
            return self.related


def preview_pages(path: Path, renderer: Renderer, last: LastBuild) -> dict[str, str] | None:
    """An edited article's pages (site path → HTML) as the next build will write them, made alone
    so that the preview can show them before that build has run; ``last``: the last build's
    records (their related-reading indexes worked out here if the preview has not yet).

    None when the edit reaches beyond the article's own pages: it was not published before, it
    has errors now, it became a draft, it moved (a new slug) or it gained or lost an edition. The
    related reading comes from the last build's: the build that follows puts together the rest.
    """
    before = last.by_path.get(path)
    if before is None or not before.pages:
        return None
    record = article_record(path, renderer.config, None, renderer, None, None)
    try:
        if not _same_pages(record, before):
            return None
        shown = {}
        for code, page in record.pages.items():
            index = last.prepare()[code]
            tags = frozenset(tag.slug for tag in record.tags.get(code, ()))
            related = index.of(index.numbers[record.slug], tags)  # (its place before: itself is never its reading)
            file = next(file for file in record.files if file.path == page.folder + "index.html")
            shown[file.path] = _with_related(renderer, file, related, code)
        return shown
    finally:
        for file in cached_files(record):  # kept for this preview only
            if file.cache is not None and f"/.{ONCE}." in file.cache:
                remove_file(file.cache)


def _same_pages(record: ArticleRecord, last: ArticleRecord) -> bool:
    """Whether an article read again has pages, and the same ones (slug, editions) it had."""
    if record.errors or record.publish_errors or record.draft or not record.rendered:
        return False
    return record.slug == last.slug and record.pages.keys() == last.pages.keys()


def _render(
    record: ArticleRecord, pages: list[Localized], read: ArticleInput, renderer: Renderer, fragments: str | None = None
) -> None:
    """An article's pages, cards and feed entries, and its photos, kept in the cache for every build."""
    config = renderer.config
    cache = config.cache_dir
    languages = tuple(page.language for page in pages)
    kept = Fragments.of(cache, record.path, record.key, fragments, languages)
    for page in pages:
        found = kept.get(page.language)
        output, listing = article_page(renderer, page, languages, read.images, body=found[0] if found else None)
        card = card_of(page, listing)
        if record.key is not None and record.site_key is not None:
            seen = (record.site_key, record.key, page.language, languages)
            name = hashlib.sha256(repr(seen).encode("utf-8", "surrogateescape")).hexdigest()[:32]
            html_name, entry_name = f"{name}.html", f"{name}.entry.xml"
        else:  # inputs too new to key a page by: kept for this build only (named as a temporary)
            html_name, entry_name = (f".{ONCE}.{os.getpid()}.{secrets.token_hex(4)}.tmp" for _ in range(2))
        made = cache_file(cache / "pages" / html_name, output.text.encode())
        record.files.append(made._replace(path=output.path) if made else OutputFile(output.path, text=output.text))
        folder = output.path.removesuffix("index.html")
        html = found[1] if found else card_html(renderer, card, page.language)
        if not found:
            kept.put(page.language, listing.body, html)
        entry = _feed_entry(renderer, kept, page.language, card, listing.body, cache / "pages" / entry_name)
        record.pages[page.language] = PageRecord(page.language, folder, card, html, entry)
    kept.save()
    article = read.article
    for file in dict.fromkeys(ref.file for ref in article.images):
        target = image_site_path(article, file)
        info = read.images[file]
        record.variants.append((target, str(info.cached), str(file)))  # a copy of the photo itself
        folder, _, name = target.rpartition("/")
        record.variants += [(f"{folder}/{info.variant_name(name, v)}", str(v.cached), None) for v in info.variants]
        record.images.append(info)
    record.rendered = True


def _feed_entry(renderer: Renderer, kept: Fragments, language: str, card: Card, body: Markup, path: Path) -> OutputFile:
    """An edition's feed entry kept in the cache: the one kept with the article's fragments while
    they hold (a page template edit changes no entry), else rendered and written at ``path`` (or
    under the fragments' name for it)."""
    name = kept.entry_name(language)
    if name is not None:
        path = path.with_name(name)
        stamp = kept.entry(language)
        if stamp is not None and stamp_of(str(path)) == stamp:
            return OutputFile("", str(path), stamp)
    entry = feed_entry(renderer, card, body)
    made = cache_file(path, entry.encode())
    if name is not None:
        kept.put_entry(language, made.stamp if made else None)
    return made or OutputFile("", text=entry)


def _make_variants(records: list[ArticleRecord], ledger: Ledger) -> int:
    """Copy and resize the photos of newly rendered articles where the cache lacks them (in this
    process: each file once); their files then join the record."""
    fresh = [record for record in records if record.variants]
    made, stamps = make_variants([info for record in fresh for info in record.images], ledger)
    for record in fresh:
        for path, cached, photo in record.variants:
            stamp = stamps.get(cached) or stamp_of(cached)
            if stamp is not None:
                record.files.append(OutputFile(path, cached, stamp))
            else:  # (only if something removed it this very moment: the newsroom's photo, or fail)
                record.files.append(OutputFile(path, copy=photo or cached))
        record.variants, record.images = [], []
    return made


def add_findings(records: list[ArticleRecord], config: SiteConfig, manifest: Manifest | None) -> int:
    """Each article's translation findings (review state and QA), kept in its record for the next time.

    Returns how many articles' findings were not known yet.
    """
    from ..translation.qa import findings

    glossary = load_glossary(config.content_dir)
    key = _findings_key(manifest)
    todo = [r for r in records if not r.errors and (r.findings is None or key is None or r.findings_key != key)]

    def find(record: ArticleRecord) -> dict[str, list[Problem]]:
        read = read_article(record.path, config, manifest)
        return {code: findings(read.article, catalog, glossary) for code, catalog in read.catalogs.items()}

    for record, found in zip(todo, fork_map(find, todo), strict=True):
        record.findings, record.findings_key = found, key
        record.stored = False  # changed: the state's store is to hold it as it is now
    return len(todo)


def _findings_key(manifest: Manifest | None) -> str | None:
    """What findings depend on besides the article: the glossary and the rest of content/'s own files."""
    if manifest is None:
        return None
    shared = sorted((n, s) for n, s in manifest.inputs.items() if n.startswith("content/") and n.count("/") == 1)
    if any(n.startswith("content/") and n.count("/") == 1 for n in manifest.racy):
        return None
    return hashlib.sha256(repr((manifest.code, shared)).encode("utf-8", "surrogateescape")).hexdigest()


def write_site(
    records: list[ArticleRecord],
    renderer: Renderer,
    target: Path,
    lists: ListCache | None = None,
    progress: Progress | None = None,
    layout: Layout | None = None,
    standby: Standby | None = None,
) -> tuple[dict[str, int], int, set[str] | None, TreeRecord]:
    """Plan every file of the site, bring a folder up to date with the plan, then swap it in for
    ``target`` in one step (:mod:`.tree`).

    The folder is the standby copy of the site kept in ``.cache/output/`` when it can serve (only
    the files that differ are written), else a new folder beside the output written in full.
    Article pages and photos are copies of their files in ``.cache/`` (never links: nothing done to
    a file of the site may reach the cache; only the standby may share a file with the site, checked
    by its stamp before every use: :class:`.tree.Donor`); home pages, feeds and the sitemap are rendered from the
    records. Any failure of the file system (full disk, permissions) is a ContentError naming the
    file, and the old site stays as it was. Returns the articles published in each language, the
    number of files the site has, the files that differ from the last site's (None when the
    last site's are not known: written whole), and what the site now holds (each file's stamp).
    ``standby``: the standby, opened by the caller (closed here).
    """
    config = renderer.config
    lists = lists or ListCache(None, None, {})
    layout = layout or Layout("", "", None)
    standby = standby or Standby.open(config.cache_dir, target)
    folder = config.cache_dir / "search" / state_path(config.cache_dir, target).stem.removeprefix("state-")
    index = IndexCache(folder, layout.thorough)
    changed = None
    try:
        plan = _plan_edit(records, renderer, target, lists, layout, standby)
        if plan is None:
            plan = Plan(target)
            fetch_all(records)  # (every record's pages and files: in one pass over the store)
            layout.order = _place_articles(records, renderer, plan, lists, related=layout.related)
            _write_lists(records, renderer, plan, lists)
            _place_shared(config, renderer, plan)
        shelve(records, config.cache_dir)  # (the plan holds what the site needs of them: the search index is made next)
        pages = {lang.code: sum(lang.code in record.page_languages for record in records) for lang in config.languages}
        clean_leftovers(target.parent, target.name)
        if standby is None:
            site = _write_whole(target, plan, config, index, progress)
        elif not os.path.lexists(target):  # the output was removed: written whole, the standby kept
            site = _write_whole(target, plan, config, index, progress)
            standby.record_site(site, layout.token)
        else:
            changed, site = _swap_standby(standby, target, plan, config, index, progress, layout.token)
    finally:
        if standby is not None:
            standby.close()
    # Pages kept for this build only: the site has its own copies. (Not those of a record as the
    # last build left it, or whose pages are named by their keys: none kept once.)
    once = [r for r in records if not (r.stored or (r.key is not None and r.site_key is not None))]
    for name in cached_names(once):
        if f"/.{ONCE}." in name:
            remove_file(name)
    return pages, len(plan.files), changed, site


def _plan_edit(
    records: list[ArticleRecord],
    renderer: Renderer,
    target: Path,
    lists: ListCache,
    layout: Layout,
    standby: Standby | None,
) -> Plan | None:
    """The plan of an edit, made from the last site's record at the cost of the edit; None when it
    cannot be (then every file is planned).

    It can when the last build saved both the records this build started from and the site's
    record (one token names both), and kept the records of the articles read again or gone
    (:meth:`Layout.note`: not when many changed). When each article read again keeps its
    place in the lists (:func:`_place`: its date, slug, editions and tags), only those articles'
    files and pages, the feeds listing them and the files every build makes (:func:`_place_shared`)
    are planned afresh; and where one shows the rest of the site something new
    (:func:`.records.shape_of`: its cards, after an edit of its title, lead, byline or photo), the
    list pages and the related reading showing its cards too (:func:`_place_showing`). When one
    moves (a new article; an edition left or joined; a new date or tags), or one went, every list
    page, feed and the sitemap are planned again too, and the related reading that showed it or
    now shows it (:func:`_place_moved`). Every other file is planned as the site holds it. Those
    of ``.cache/`` are not checked here (as :class:`.lists.ListCache` would): any the standby
    lacks is checked now, the rest as it is read (:class:`.tree.StaleCache`).
    """
    replaced, order = layout.replaced, layout.order
    site = _last_site(target, lists, layout, standby)
    if site is None or replaced is None or order is None or standby is None:
        return None
    by_path = {record.where: record for record in records}
    gone = layout.gone
    before = _as_before(by_path, replaced, order, gone)
    if before is None:
        return None
    published, carded, moved = before
    plan, made, order_was = Plan(target), dict(lists.made), layout.order
    mine = [by_path[path] for path in replaced]
    if moved:
        was = [replaced.get(path) or gone.get(path) or by_path[path] for path in order]  # (as they were)
        owned = _place_moved(records, by_path, replaced, was, renderer, plan, lists, layout)
    elif len(published) != sum(1 for record in records if record.page_languages):
        return None
    else:
        owned = None
        _place_in_place(mine, [by_path[path] for path in carded], published, renderer, plan, lists, layout)
    ours = {file.path for record in mine for file in record.files}  # (the edited articles' files)
    if _plan_rest(plan, site, standby.held, target, replaced, ours, lists, renderer.config.static_dir, owned):
        return plan
    lists.made, layout.order = made, order_was  # (what the whole plan keeps, it finds again)
    return None


def _place_in_place(
    mine: list[ArticleRecord],
    carded: list[ArticleRecord],
    published: list[ArticleRecord],
    renderer: Renderer,
    plan: Plan,
    lists: ListCache,
    layout: Layout,
) -> None:
    """:func:`_plan_edit`'s plan when every article read again (``mine``) keeps its place: their
    files, the feeds showing them, the pages showing the new cards of ``carded`` and the files
    every build makes."""
    _place_articles(mine, renderer, plan, lists, published, layout.related)
    for output in feeds_showing(renderer, published, {record.where for record in mine}):
        plan.place(output)
    if carded:
        _place_showing(carded, renderer, plan, lists, published, layout.related)
    _place_shared(renderer.config, renderer, plan)


def _place_moved(
    records: list[ArticleRecord],
    by_path: dict[str, ArticleRecord],
    replaced: dict[str, ArticleRecord | None],
    before: list[ArticleRecord],
    renderer: Renderer,
    plan: Plan,
    lists: ListCache,
    layout: Layout,
) -> set[str]:
    """:func:`_plan_edit`'s plan when an article read again (``replaced``: as it was, None if new)
    moved in the lists, or one went (``layout.gone``): the files of those read again, every list
    page, feed and the sitemap (:func:`_write_lists`, each kept page found by what it shows), the
    files every build makes, and the article pages whose related reading showed one of them
    (``before``: the last build's published articles, newest first, as they were, those gone
    among them) or shows one now. Another article's reading holds the others sharing most tags
    with it, newest first; an article leaving or joining that ranking changes only the readings it
    leaves or joins. Sets the new order in ``layout``; returns the
    folders of the articles not read again: the last site's files the plan may keep are those in
    them (an article's folder holds its files only: no slug is a name the site's own files take,
    :data:`..content.discovery.RESERVED`); the rest were lists, feeds or sitemaps, planned here."""
    config = renderer.config
    published = sorted((record for record in records if record.page_languages), key=_newest_first)
    codes = [language.code for language in config.languages]
    indexes = {code: Related(published, code) for code in codes}
    mine = [by_path[path] for path in replaced]
    layout.order = _place_articles(mine, renderer, plan, lists, published, layout.related, indexes)
    pages = []
    for code in codes:
        for path in _showing_moved(code, by_path, replaced, layout.gone, Related(before, code), indexes[code]):
            if path in replaced:
                continue  # (read again: planned with its own files)
            other = by_path[path]
            page = other.pages[code].folder + "index.html"
            pages.append((other, next(file for file in other.files if file.path == page), code))
    _place_pages(pages, indexes, renderer, plan, lists)
    _write_lists(records, renderer, plan, lists)  # (the lists' keys and the sitemap need no record's pages)
    _place_shared(config, renderer, plan)
    source = config.source_language
    return {
        article_path(record.slug, code, source)
        for record in published
        if record.where not in replaced
        for code in record.page_languages
    }


def _last_site(target: Path, lists: ListCache, layout: Layout, standby: Standby | None) -> TreeRecord | None:
    """The last site's record, if an edit can be planned from it: the records this build started
    from are the last build's (``layout``), and the list pages are kept (else the record does not
    say what they hold)."""
    if layout.replaced is None or layout.order is None or not layout.last or standby is None:
        return None
    if not os.path.lexists(target):
        return None
    site = standby.load()
    if site is None or layout.last != standby.token:
        return None
    if lists.folder is None or lists.version is None or lists.version(RELATED_TEMPLATES) is None:
        return None
    return site


def _showing_moved(
    code: str,
    by_path: dict[str, ArticleRecord],
    replaced: dict[str, ArticleRecord | None],
    gone: dict[str, ArticleRecord | None],
    was: Related,
    now: Related,
) -> list[str]:
    """The articles (by path) of an edition whose related reading showed one of the articles read
    again (``replaced``: as they were) or gone in the last build (``was``), or shows one of those
    read again now (``now``); never one gone."""
    shown: set[str] = set()
    for old in [*replaced.values(), *gone.values()]:
        if old is not None and code in old.page_languages:
            shown.update(was.edition[number].where for number in was.showing(was.numbers[old.slug]))
    for path in replaced:
        if code in by_path[path].page_languages:
            shown.update(now.edition[number].where for number in now.showing(now.numbers[by_path[path].slug]))
    return sorted(shown.difference(gone))


def _as_before(
    by_path: dict[str, ArticleRecord],
    replaced: dict[str, ArticleRecord | None],
    order: list[str],
    gone: dict[str, ArticleRecord | None],
) -> tuple[list[ArticleRecord], list[str], bool] | None:
    """The last build's published articles still there, in its order (as they are now); those read
    again (``replaced``: as they were, None if new) whose cards changed (:func:`.records.shape_of`);
    and whether one of them is new or moved (:func:`_place`), or an article went (``gone``). None
    if an article of that order is neither there nor known gone, or a record cannot tell."""
    listed = set(order)
    if any(old is None or bool(old.page_languages) != (path in listed) for path, old in gone.items()):
        return None  # (not the record the last order was made from)
    carded, moved = [], bool(gone)
    for path, old in replaced.items():
        new = by_path[path]
        if new.shape is None or (old is None and path in listed):
            return None
        if old is not None and (old.shape is None or bool(old.page_languages) != (path in listed)):
            return None  # (not the record the last order was made from)
        if old is None or _place(old) != _place(new):
            moved = True
        elif old.shape != new.shape:
            carded.append(path)
    published = [by_path[path] for path in order if path in by_path]
    went = sum(1 for path in order if path in gone)
    return (published, carded, moved) if len(published) + went == len(order) else None


def _place(record: ArticleRecord) -> tuple:
    """What sets an article's place in the site's lists, feeds, related reading and sitemap (its
    date and slug: its place in the order and its folders; its editions; its tags in each), all
    of it told without unpickling its pages."""
    return (record.slug, record.date, record.draft, record.languages, record.page_languages, record.tags)


def _plan_rest(
    plan: Plan,
    site: TreeRecord,
    held: TreeRecord | None,
    target: Path,
    replaced: dict[str, ArticleRecord | None],
    ours: set[str],
    lists: ListCache,
    static_dir: Path,
    owned: set[str] | None = None,
) -> bool:
    """Every file of ``site`` not planned yet added to ``plan`` as the site holds it, but the old
    files of the articles read again (``replaced``) and the static files (planned as they now are);
    ``owned``: the folders of the only files it may keep (when given: an article's, ``slug/`` or
    ``en/slug/``). False if one cannot be: an edited article claims another's file, or a file the
    standby (``held``) lacks is neither in the cache nor in the site as recorded."""
    old = {file.path for record in replaced.values() if record is not None for file in record.files}
    if any(path in site.files and path not in old for path in ours):
        return False  # an edited article now claims another's file: the whole plan tells
    static, kept = f"{static_dir}{os.sep}", f"{lists.folder}{os.sep}"
    standby = held.files if held is not None else {}
    files = plan.files
    for path, entry in site.files.items():
        if path in files or path in old or not _kept_as_is(path, owned):
            continue
        fingerprint = entry.fingerprint
        kind, source = fingerprint[0], fingerprint[1]
        if kind == "copy" and source.startswith(static):
            continue  # a static file the static folder no longer has
        planned = _as_planned(fingerprint)
        there = standby.get(path)
        if (there is None or there.fingerprint != fingerprint) and not _at_hand(planned, target / path, entry):
            return False
        if kind == "cache" and source.startswith(kept):
            lists.made[source[len(kept) :].removesuffix(".html")] = fingerprint[2]
        files[path] = planned
    return True


def _kept_as_is(path: str, owned: set[str] | None) -> bool:
    """Whether the last site's file at ``path``, not planned afresh, may be planned as it holds it:
    never the search index's (made apart), and only in the folders ``owned`` when given."""
    return not path.startswith(INDEX) and (owned is None or _in(path, owned))


def _in(path: str, folders: set[str]) -> bool:
    """Whether the site's file at ``path`` is in one of these article folders (``slug/`` in the
    source language, ``<code>/slug/`` in another)."""
    first = path.find("/") + 1
    if first and path[:first] in folders:
        return True
    second = path.find("/", first) + 1
    return bool(first and second) and path[:second] in folders


def _as_planned(fingerprint: tuple) -> Planned:
    """A file planned as a tree holds it (by its fingerprint): its kept file, its newsroom file, or
    a text known by its digest only (the standby or the site must hold it)."""
    kind, source = fingerprint[0], fingerprint[1]
    if kind == "cache":
        return Planned(fingerprint, cache=source)
    return Planned(fingerprint, copy=source) if kind == "copy" else Planned(fingerprint)


def _at_hand(planned: Planned, site_copy: Path, entry: Entry) -> bool:
    """Whether a file the standby lacks can be written: its kept file is as planned, or it is a
    newsroom file, or the site's copy is as recorded (then linked from there)."""
    if planned.cache is not None and stamp_of(planned.cache) == planned.fingerprint[2]:
        return True
    return planned.copy is not None or stamp_of(site_copy) == entry.stamp


def _swap_standby(
    standby: Standby,
    target: Path,
    plan: Plan,
    config: SiteConfig,
    index: IndexCache,
    progress: Progress | None = None,
    token: str = "",
) -> tuple[set[str] | None, TreeRecord]:
    """The standby brought up to date with the plan and swapped in for ``target`` (or, if it cannot
    be made ready, the site written whole); the files that differ from the last site's, if known,
    and what the site holds (recorded under ``token``, this build's)."""
    prepared = standby.prepare()
    set_aside()
    if prepared is None:
        return None, _write_whole(target, plan, config, index, progress)
    tree, known = prepared
    del prepared
    last = standby.site
    donor = None if last is None else Donor(target, last)  # what the site holds as planned is linked
    differ = standby.differ() if donor is not None else None
    held = [known, standby.surveyed(known)]
    del known  # (``_bring`` lets go of the standby's old record once its files are written)
    record = _bring(tree, held, plan, config, index, progress, donor, differ, standby.let_go)
    standby.swap_in(target, record, token)
    if last is None:
        return None, record
    old, new = last.files, record.files
    differ = [path for path, entry in new.items() if old.get(path) is not entry]  # (most: the very entry)
    changed = {path for path in differ if path not in old or old[path].fingerprint != new[path].fingerprint}
    return changed | (old.keys() - new.keys()), record


def _write_whole(
    target: Path, plan: Plan, config: SiteConfig, index: IndexCache, progress: Progress | None = None
) -> TreeRecord:
    """The site written in full into a new folder beside ``target``, swapped in, the old one removed;
    what the new folder holds."""
    temporary = target.parent / f".{target.name}.building-{os.getpid()}"
    remove_tree(temporary)
    try:
        temporary.mkdir(parents=True)
    except OSError as exc:
        raise ContentError(
            target.parent, f"{problem_of(exc, 'write')} (the new site is written here, then swapped in)"
        ) from None
    try:
        record = _bring(temporary, [TreeRecord(temporary.stat().st_ino), None], plan, config, index, progress)
        try:
            old = swap_folders(temporary, target)
        except OSError as exc:
            raise ContentError(target, problem_of(exc, "replace")) from None
    except BaseException:
        remove_tree(temporary)
        raise
    if old is not None:
        remove_tree(old)
    return record


def _bring(
    tree: Path,
    held: list,
    plan: Plan,
    config: SiteConfig,
    index_cache: IndexCache,
    progress: Progress | None = None,
    donor: Donor | None = None,
    differ: set[str] | None = None,
    let_go: Callable[[], None] | None = None,
) -> TreeRecord:
    """Bring ``tree`` up to date with the plan, search index included (:mod:`.search`, keeping its
    own in ``index_cache``, one per output: only the index's files that changed are written).
    ``held``: what the tree holds as recorded, and its survey if made already
    (:meth:`.tree.Standby.survey_ahead`), taken out of the list: the old record is let go (with
    ``let_go()``, the standby's hold on it) before the search index is made, which at 100,000
    articles needs the room (a template or code change leaves none of its ~200,000 differing
    entries in use). ``donor``: the tree to link files from (:class:`.tree.Donor`); ``differ``:
    the paths whose entries the old record holds otherwise than the donor's (None: not known)."""
    known, surveyed = held
    held.clear()
    record = bring(tree, known, plan, progress, donor, surveyed)
    del known, surveyed
    if let_go is not None:
        let_go()
    files = record.files
    indexed = {path: entry.indexed for path, entry in files.items() if entry.indexed}
    index = {path: entry for path, entry in files.items() if path.startswith(INDEX)}  # (left in the record)
    present = {path.removeprefix(INDEX): entry.fingerprint[-1] for path, entry in index.items()}
    languages = {language.code: language_root(language.code, config.source_language) for language in config.languages}
    shared = None if donor is None else _SharedIndex(tree, donor, index, differ)
    written: set[str] = set()
    placed = search.place(
        tree, index_cache.folder, languages, indexed, present, progress, index_cache.thorough, shared, written
    )
    touched = [INDEX + relative for relative in present.keys() - placed.keys()]  # (removed)
    for path in touched:
        del files[path]
    try:
        linked = shared.linked if shared is not None else set()
        for relative in sorted(written):  # (every other file of the index: as the record has it)
            if relative in linked:  # (the site's file, linked: as the site's record now has it)
                files[INDEX + relative] = donor.record.files[INDEX + relative]  # type: ignore[union-attr]
            else:
                stamp = stamp_from(os.lstat(tree / INDEX / relative))
                files[INDEX + relative] = Entry(("index", placed[relative]), stamp, None)
            touched.append(INDEX + relative)
    except OSError as exc:
        raise ContentError(tree / INDEX, problem_of(exc)) from None
    if touched and record.folders:
        record.folders = untouched_folders(record.folders, touched)
    return record


class _SharedIndex:
    """The standby's index files linked to the site's (``donor``), as every file an edit leaves
    alone is (:mod:`.tree`): the standby's record then differs from the site's by the edit only.
    ``held``: the standby's index entries, by path."""

    def __init__(self, tree: Path, donor: Donor, held: dict[str, Entry], differ: set[str] | None = None) -> None:
        self.tree, self.donor, self.held = tree, donor, held
        self.differ = differ  # the paths whose entries differ between the two trees' records (None: unknown)
        self.linked: set[str] = set()  # the names linked (their entries: the site's)

    def link(self, name: str, digest: str) -> bool:
        if not link_from(self.donor, f"{self.tree}/{INDEX}{name}", INDEX + name, digest):
            return False
        self.linked.add(name)
        return True

    def apart(self, name: str, digest: str) -> bool:
        """Whether the standby's file ``name``, as ``digest`` says, is a copy of the site's, not
        the site's file itself (as a standby written without the site's record leaves them)."""
        mine, theirs = self.held.get(INDEX + name), self.donor.record.files.get(INDEX + name)
        return (
            mine is not None
            and theirs is not None
            and theirs.fingerprint[-1] == digest
            and mine.stamp[3] != theirs.stamp[3]
        )

    def differing(self) -> set[str] | None:
        """The index's files whose entries may differ between the standby and the site (elsewhere
        both records hold the very same entry: :meth:`.tree.Standby.differ`), so :meth:`apart` is
        false of every other."""
        if self.differ is None:
            return None
        return {path.removeprefix(INDEX) for path in self.differ if path.startswith(INDEX)}

    def remove(self, name: str) -> None:
        entry = self.held.get(INDEX + name)
        if entry is None:
            remove_file(self.tree / INDEX / name)
        else:  # (if it was the site's file too, the site's entry is given the change time moved)
            remove_entry(self.tree, INDEX + name, entry, self.donor)


RELATED_TEMPLATES = ("_related.html",)  # what an article page's related reading is rendered with


def _place_articles(
    records: list[ArticleRecord],
    renderer: Renderer,
    writer: Plan,
    cache: ListCache,
    published: list[ArticleRecord] | None = None,
    related: dict[str, Related] | None = None,
    indexes: dict[str, Related] | None = None,
) -> list[str]:
    """Each article's photos and pages; a page gets its related reading here (it shows other articles).

    A page whose related articles' cards are what they were is copied from ``.cache/lists/`` as it
    was put together before; the others are put together from the article's rendered page.
    ``published``: every published article, newest first, when ``records`` are only some of them
    (else those of ``records``); ``related``: where each edition's related-reading index made
    here is left (for :class:`LastBuild`); ``indexes``: those of ``published``, made already.
    Returns the published articles' paths, newest first.
    """
    if published is None:
        published = sorted((r for r in records if r.page_languages), key=_newest_first)
    if indexes is None:
        indexes = {code: Related(published, code) for code in sorted({c for r in records for c in r.page_languages})}
    if related is not None:
        related.update(indexes)
    pages = []
    for record in records:
        for file in record.files:
            if not file.path.endswith("index.html"):
                writer.place(file)
                continue
            code = next(code for code, page in record.pages.items() if file.path == page.folder + "index.html")
            pages.append((record, file, code))
    _place_pages(pages, indexes, renderer, writer, cache)
    return [record.where for record in published]


def _place_pages(
    pages: list[tuple[ArticleRecord, OutputFile, str]],
    indexes: dict[str, Related],
    renderer: Renderer,
    writer: Plan,
    cache: ListCache,
) -> None:
    """Article pages (each with its record and language) with their related reading in place."""
    cards: dict[int, str] = {}  # (each card's digest, made once: :func:`.lists.card_digest`)
    wanted = []
    for record, file, code in pages:
        index = indexes[code]
        others = index.of(index.numbers[record.slug])
        identity = (RELATED_TEMPLATES, file.cache, file.stamp, file.text, [card_digest(p, cards) for p in others])
        wanted.append((file.path, identity, partial(_with_related, renderer, file, others, code)))
    for page in cache.pages(wanted, [1 + len(identity[4]) for _, identity, _ in wanted]):
        writer.place(page)


def _place_showing(
    carded: list[ArticleRecord],
    renderer: Renderer,
    writer: Plan,
    cache: ListCache,
    published: list[ArticleRecord],
    indexes: dict[str, Related],
) -> None:
    """The pages showing the cards of the articles ``carded`` (edited, each keeping its place:
    :func:`_as_before`), but their own: the list pages listing them, and the other articles'
    pages whose related reading shows them (``indexes``: each edition's, as the edit's plan made
    them). Every other page shows none of their cards."""
    for output in list_pages(renderer, published, cache, carded, indexes).outputs:
        writer.place(output)
    pages = []
    for code in sorted({code for record in carded for code in record.page_languages}):
        index = indexes[code]
        shown = [record for record in carded if code in record.page_languages]
        showing = {other for record in shown for other in index.showing(index.numbers[record.slug])}
        for number in sorted(showing):
            other = index.edition[number]
            path = other.pages[code].folder + "index.html"
            if path in writer.files:
                continue  # (an article read again: planned with its own files)
            file = next(file for file in other.files if file.path == path)
            pages.append((other, file, code))
    _place_pages(pages, indexes, renderer, writer, cache)


def _with_related(renderer: Renderer, page: OutputFile, others: list[PageRecord], code: str) -> str:
    """An article page with its related reading (the cards of ``others``) in its place."""
    text = cached_text(page)
    block = ""
    if others:
        cards = [Markup(card_at(other.card_html, "../")) for other in others]  # an article is one folder down
        block = renderer.render("_related.html", cards=cards, strings=renderer.strings[code])
    before, mark, after = text.rpartition(RELATED)
    return before + block + after if mark else text


def _write_lists(records: list[ArticleRecord], renderer: Renderer, writer: Plan, cache: ListCache) -> None:
    """The list pages and feeds of each language (:mod:`.lists`), the sitemap."""
    config = renderer.config
    source = config.source_language
    published = sorted((r for r in records if r.page_languages), key=_newest_first)
    lists = list_pages(renderer, published, cache)
    for output in lists.outputs:
        writer.place(output)
    named: list[tuple[str, list]] = [
        ("pages", [alternates(renderer, group, next(iter(group))) for group in lists.groups])
    ]
    modified: dict[str, str] = {}
    moments: dict[dt.date | dt.datetime, str] = {}  # (an article's editions share its date)
    for record in published:
        group = []
        for code in record.page_languages:
            facts = card_facts(record, code)  # (its URL: the page's, as its alternates give it)
            moment = moments.get(facts.date)
            if moment is None:
                moment = moments[facts.date] = iso_datetime(facts.date, renderer.zone)
            modified[facts.url] = moment
            group.append(_Listed(code, facts.url, article_path(record.slug, code, source)))
        month = f"{record.date.year:04d}-{record.date.month:02d}"
        if named[-1][0] != month:  # (newest first: a month's articles are together)
            named.append((month, []))
        named[-1][1].append(group)
    _place_sitemap(renderer, writer, cache, named, modified)


class _Listed(NamedTuple):
    """An article's page as the sitemap's key sees it (its alternates, :func:`.pages.alternates`,
    made only for a sitemap rendered again: at 100,000 articles, 200,000 of them took ~1 s)."""

    code: str
    url: str
    path: str


def _alternates_of(renderer: Renderer, groups: list[list]) -> list[list]:
    """The sitemap's groups as its template sees them: each page's alternates."""
    source = renderer.config.source_language
    return [
        alternates(renderer, {page.code: page.path for page in group}, source)
        if group and isinstance(group[0], _Listed)
        else group
        for group in groups
    ]


def _place_shared(config: SiteConfig, renderer: Renderer, writer: Plan) -> None:
    """What every build makes again, whatever changed: the 404 page, robots.txt, the static files
    and the mark of a built site."""
    for output in (not_found_page(renderer), robots(renderer)):
        writer.write(output.path, output.text)
    _copy_static(config, writer)
    writer.write(BUILD_MARKER, "")


def _place_sitemap(
    renderer: Renderer, writer: Plan, cache: ListCache, named: list[tuple[str, list]], modified: dict[str, str]
) -> None:
    """sitemap.xml listing every page (``named``: the list pages', then each month's groups of
    alternates); for a site of more pages than one file should list (:func:`.pages.sitemap_files`),
    an index of one sitemap per month of articles and one of the list pages, in ``sitemaps/``: an
    edit renders its month's again, not the site's. Each is kept in the list cache by what it shows."""
    groups = [group for _, chunk in named for group in chunk]

    def shown(chunk: list) -> tuple:
        urls = [[(page.code, page.url) for page in group] for group in chunk]
        return (("sitemap.xml",), urls, sorted((u, modified[u]) for g in urls for _, u in g if u in modified))

    parts = sitemap_files(named)
    if parts is None:  # an edit seldom changes it
        render = lambda: sitemap(renderer, _alternates_of(renderer, groups), modified).text  # noqa: E731
        writer.place(cache.page("sitemap.xml", shown(groups), render))
        return
    wanted = [(path, shown(chunk), partial(_sitemap_text, renderer, chunk, modified, path)) for path, chunk in parts]
    for output in cache.pages(wanted, [len(chunk) for _, chunk in parts]):
        writer.place(output)
    listed = [(path, _newest([modified.get(page.url) for group in chunk for page in group])) for path, chunk in parts]
    writer.write("sitemap.xml", sitemap_index(renderer.config.base_url, listed))


def _newest(moments: list[str | None]) -> str | None:
    """The latest of these ISO 8601 times, compared as moments (their offsets may differ: summer time)."""
    known = [moment for moment in moments if moment]
    return max(known, key=dt.datetime.fromisoformat) if known else None


def _sitemap_text(renderer: Renderer, chunk: list, modified: dict[str, str], path: str) -> str:
    return sitemap(renderer, _alternates_of(renderer, chunk), modified, path).text


def _copy_static(config: SiteConfig, writer: Plan) -> None:
    static = config.static_dir
    if static.is_dir():
        for file in sorted(static.rglob("*")):
            if file.is_file():
                check_inside(file, config.root, "static file")
                writer.copy(f"static/{file.relative_to(static).as_posix()}", file)


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
    if resolved.parent.is_dir() and not os.access(resolved.parent, os.W_OK | os.X_OK):  # swapped in there
        read_only = os.statvfs(resolved.parent).f_flag & os.ST_RDONLY
        number = errno.EROFS if read_only else errno.EACCES
        raise ContentError(resolved.parent, problem_of(OSError(number, os.strerror(number)), "write"))
    if resolved.exists() and not os.access(resolved, os.W_OK | os.X_OK):
        raise ContentError(
            output, "this folder is read-only, so the new site cannot replace it; make it writable (chmod u+w)"
        )
    return resolved


def _newest_first(article: Article | ArticleRecord) -> tuple:
    """Newest first by the time the article gives as written (an offset set aside; a date alone is
    its midnight), then by slug: the same order on any machine (a naive time's ``timestamp()``
    read it in the machine's own time zone, where a summer-time change can reorder an hour)."""
    date = article.date
    if isinstance(date, dt.datetime):
        seconds = date.hour * 3600 + date.minute * 60 + date.second
        return (-date.toordinal(), -seconds, -date.microsecond, article.slug)
    return (-date.toordinal(), 0, 0, article.slug)
