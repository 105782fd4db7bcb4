"""The live preview: rebuild on every change to the sources, reload the browser, show errors.

The site is served under its base path (``/<repo>/`` for a project site), as GitHub Pages will.
A failed rebuild leaves the last good site in place and every page shows the error until the next
good build; only the sources are watched, never ``site/``, so a build cannot trigger itself.

The review desk (:mod:`microsite.desk`) is served beside it at ``/_review/``, without the
live-reload script (a reload would throw away what an editor is typing). A save on the desk
rebuilds at once and reloads the preview's pages; the file watcher then recognises that change as
already built. Changes are noticed by the operating system's file events (watchfiles), within
~50 ms; livereload's own watcher polls every 0.8 s and ignores changes within 3 s of a reload.
Where the system limits those events (an archive of ~100,000 articles), :mod:`.watch` says so and
looks at the rest itself.

An edit to one article's text (its ``index.md`` or a catalog, from an editor or the desk) is shown
first: its pages are made alone, exactly as the build will write them (:func:`preview_pages`),
served from memory, and the open pages reload at once. The whole build follows on a thread of
its own, one build at a time, while the server keeps answering; when it has swapped in the new
``site/``, the pages made early give way to the site's, and the open pages reload again only if
the build changed a page that was not already shown (a list page, another article's related
reading) or a photo. Any other change (a template, a photo, a new article) waits for its build.

The search index is made by every rebuild, as by ``build``: only the pages that changed are
indexed again (:mod:`microsite.publish.search`), so search finds an edit as soon as its build is in.

The preview answers as soon as it listens: its first build runs on the builds' thread like every
other, once the watcher sees every save (:class:`.watch.Ready`: a save made before would be in no
build; at 100,000 articles the system takes its watches in a few seconds). Until that build is
in, the last build's ``site/`` is served as it stands (a page it lacks says the first build is
under way), and every open page reloads when it is in; edits made meanwhile are built right after
it. When nothing changed since the last build, that build stands: its records are read back
(:func:`last_build`: ~5-9 s at 100,000 articles, where a build takes ~20 s).
"""

from __future__ import annotations

import html
import logging
import mimetypes
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import quote

from ..cache import StaleCache, open_cache
from ..content.config import SiteConfig
from ..errors import BuildError, ContentError
from ..files import file_stamp, read_bytes
from ..publish.builder import REVIEW_DESK, BuildResult, LastBuild, build_site, last_build, preview_pages
from ..publish.render import Renderer
from .http import StartResponse, head_as_get, host_allowed, request_path, respond
from .watch import Ready, watch_sources

log = logging.getLogger(__name__)
NO_STORE = [("Cache-Control", "no-store")]
EARLY_GRACE = 0.2  # seconds the build waits after pages made early, while the browsers reload them
WATCH_WAIT = 120  # seconds the first build waits for the watchers (at 100,000 articles: ~5 s)
# A page the last site lacks while the preview's first build runs (livereload's script goes in
# before </head>: the page reloads when the build is in).
UNDER_WAY = (
    b"<!doctype html><html lang=en><head><meta charset=utf-8><title>Building</title>"
    b"<meta name=viewport content='width=device-width, initial-scale=1'></head>"
    b"<body style='font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem'>"
    b"<h1>The first build is under way</h1><p>This page reloads by itself when it is in.</p></body></html>"
)


class Preview:
    """Builds the site and answers HTTP requests for it (a WSGI application)."""

    def __init__(
        self,
        config: SiteConfig,
        reload_config: Callable[[], SiteConfig],
        host: str = "127.0.0.1",
    ) -> None:
        self.config = config
        self.host = host  # the address listened on: requests must name this computer (http.host_allowed)
        self.desk_url = REVIEW_DESK  # where this preview serves the review desk (set by serve)
        self.reload_config = reload_config
        self.error: str | None = None
        self.built: dict[Path, tuple | None] = {}  # changed files, as they were when last built
        self.last = LastBuild([])  # the last good build's records, for pages made early
        self.early: dict[str, tuple[int, bytes]] = {}  # pages made early (site path → (edit number, HTML))
        self.edits = 0  # edits shown early so far: a build started after the n-th replaces its pages
        self.first = True  # until the first build is in (a page the last site lacks: "under way")
        self.waited = False  # a page said the first build was under way: the open pages reload after it

    def differing(self, paths: Iterable[Path]) -> list[Path]:
        """Those of ``paths`` that differ from when they were last seen here (then taken as seen)."""
        stamps = {Path(path): file_stamp(Path(path)) for path in paths}
        differ = sorted(path for path, stamp in stamps.items() if self.built.get(path, ()) != stamp)
        self.built.update(stamps)
        return differ

    def changed(self, paths: Iterable[Path]) -> bool:
        """Rebuild if any of these files differs from when it was last built; True if it did."""
        differ = self.differing(paths)
        if differ:
            self.rebuild(cause=differ)
        return bool(differ)

    def rebuild(self, cause: list[Path] = ()) -> BuildResult | None:
        """Build again; remember the error instead of stopping, so the server survives it.

        ``cause``: the files whose change set it off, named in the log. Returns the build's result,
        None if it failed.
        """
        started = time.perf_counter()
        kept = None
        try:
            self.config = self.reload_config()
            kept = last_build(self.config) if self.first else None  # (the site as it stands, if nothing changed)
            result = kept if kept is not None else build_site(self.config)
        except (BuildError, ContentError) as exc:
            self.error = str(exc)
            self.last = LastBuild([])
            log.error("build failed%s; the preview shows the error until it is fixed:\n%s", self.named(cause), exc)
            return None
        finally:
            self.first = False
        self.error = None
        self.last = LastBuild(result.records, result.related)  # (the rest worked out once it is announced: Builds)
        for warning in result.warnings:  # naming the desk where this preview really serves it
            log.warning("%s", str(warning).replace(REVIEW_DESK, self.desk_url))
        took = time.perf_counter() - started
        if kept is not None:
            log.info("%s/ is up to date: nothing changed since its build (checked in %.3f s)", kept.output.name, took)
        else:
            log.info("rebuilt in %.3f s%s", took, self.named(cause))
        return result

    def show_early(self, cause: list[Path]) -> bool:
        """Make the pages of the one article these files belong to, before the build: True if they
        are shown (then build all the same); False when the change is not an article's text, or
        reaches beyond its pages (:func:`preview_pages`)."""
        article = self.edited_article(cause)
        if article is None:
            return False
        started = time.perf_counter()
        cache = open_cache(self.config.cache_dir)
        try:
            config = self.config._replace(cache_folder=cache.path)
            shown = preview_pages(article, Renderer(config), self.last)
        except (BuildError, ContentError, OSError, StaleCache) as exc:  # the build that follows reports it
            log.debug("not shown early: %s", exc)
            shown = None
        finally:
            cache.close()
        if not shown:
            return False
        self.edits += 1
        for path, text in shown.items():
            self.early[path] = (self.edits, text.encode("utf-8"))
        log.info("shown in %.3f s%s; the site follows", time.perf_counter() - started, self.named(cause))
        return True

    def edited_article(self, cause: list[Path]) -> Path | None:
        """The ``index.md`` of the article whose text (``index.md``, a catalog) all of ``cause`` is,
        if the last build was good and published it."""
        if self.error is not None or not self.last.records:
            return None
        folders = {path.parent for path in cause}
        if len(folders) != 1 or not all(path.name == "index.md" or path.suffix == ".po" for path in cause):
            return None
        index = folders.pop() / "index.md"
        record = self.last.by_path.get(index)
        return index if record is not None and record.pages else None

    def built_early(self, edits: int, result: BuildResult | None) -> bool:
        """A build that started after ``edits`` edits is in: the pages made early for those give
        way to the site's. Whether the open pages should reload: the build failed, or changed a
        page, photo or style that was not already shown as it is now (the search index and feeds
        are read afresh by whoever opens them)."""
        gone = {path: text for path, (edit, text) in self.early.items() if edit <= edits}
        for path in gone:
            del self.early[path]
        waited, self.waited = self.waited, False  # (a page that said the first build was under way)
        if result is None or result.changed is None:
            return True
        seen = {path for path, text in gone.items() if read_bytes_or_none(result.output / path) == text}
        shown = {path for path in result.changed if not path.startswith("searchindex/") and not path.endswith(".xml")}
        return bool(shown - seen) or waited

    def named(self, cause: list[Path]) -> str:
        """`` (content/bai/index.md, …)``: the changed files, from the site's folder, three at most."""
        if not cause:
            return ""
        root = self.config.root
        names = [str(path.relative_to(root)) if path.is_relative_to(root) else str(path) for path in cause[:3]]
        more = f" and {len(cause) - 3} more" if len(cause) > 3 else ""
        return f" ({', '.join(names)}{more})"

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST", "")
        if not host_allowed(host, self.host):
            message = f"the preview answers only to this computer's address, not {host!r}".encode()
            return respond(start_response, 403, "text/plain; charset=utf-8", message, NO_STORE)
        path = request_path(environ)
        base = self.config.base_path
        if path is None:
            return respond(
                start_response, 400, "text/plain; charset=utf-8", b"the address is not valid UTF-8", NO_STORE
            )
        if not path.startswith(base):
            if path.rstrip("/") + "/" == base or path == "/":
                return respond(start_response, 302, "text/plain; charset=utf-8", b"", [("Location", base)])
            return self.not_found(start_response)
        if self.error is not None and (path.endswith("/") or path.endswith(".html")):
            return respond(start_response, 500, "text/html; charset=utf-8", self.error_page(), NO_STORE)
        return self.file(path[len(base) :], start_response)

    def file(self, relative: str, start_response: StartResponse) -> Iterable[bytes]:
        early = self.early.get(relative + "index.html" if relative.endswith("/") or not relative else relative)
        if early is not None:
            return respond(start_response, 200, "text/html; charset=utf-8", early[1], NO_STORE)
        root = self.config.output_dir.resolve()
        try:
            target = (root / relative).resolve()
            if not target.is_relative_to(root):
                return self.not_found(start_response)
            if target.is_dir():
                if not relative.endswith("/") and relative:
                    location = [("Location", quote(self.config.base_path + relative + "/"))]
                    return respond(start_response, 301, "text/plain; charset=utf-8", b"", location)
                target = target / "index.html"
            body = read_bytes(target)
        except (OSError, ValueError, ContentError):  # no such page, a NUL in the address, a name too long
            if self.first:  # (the last site lacks it: the first build may make it)
                self.waited = True
                return respond(start_response, 503, "text/html; charset=utf-8", UNDER_WAY, NO_STORE)
            return self.not_found(start_response)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith(("xml", "javascript", "json")):
            kind += "; charset=utf-8"
        return respond(start_response, 200, kind, body, NO_STORE)

    def not_found(self, start_response: StartResponse) -> Iterable[bytes]:
        page = self.config.output_dir / "404.html"
        body = page.read_bytes() if page.is_file() else b"<!doctype html><title>404</title><p>Not found"
        return respond(start_response, 404, "text/html; charset=utf-8", body, NO_STORE)

    def error_page(self) -> bytes:
        """The failed build's problems, one item each, in a proportional font: they quote
        Vietnamese, whose stacked marks a monospace font sets badly (composed first, NFC)."""
        problems = unicodedata.normalize("NFC", self.error or "").splitlines()
        items = "".join(f"<li>{html.escape(problem)}</li>" for problem in problems if problem.strip())
        return (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Build failed</title>"
            "<meta name=viewport content='width=device-width, initial-scale=1'></head>"
            '<body style=\'font:16px/1.5 system-ui,"Noto Sans","DejaVu Sans",sans-serif;'
            "max-width:60rem;margin:2rem auto;padding:0 1rem'>"
            "<h1 style='line-height:1.25'>The last build failed</h1>"
            "<p>Fix the problem below and save; this page reloads by itself.</p>"
            "<ul style='background:#fee;padding:1rem 1rem 1rem 2rem;overflow-wrap:anywhere'>"
            f"{items}</ul></body></html>"
        ).encode()


def serve(
    config: SiteConfig, reload_config: Callable[[], SiteConfig], host: str = "127.0.0.1", port: int = 8000
) -> None:
    """Build, then serve the preview and the review desk with live reload until interrupted."""
    from .app import PREFIX, Desk  # only the preview needs the desk, livereload and watchfiles
    from .livereload_adapter import LiveServer

    preview = Preview(config, reload_config, host)

    def built(edits: int, result: BuildResult | None) -> None:  # on the server's thread
        if preview.built_early(edits, result):
            LiveServer.reload_pages()

    builds = Builds(preview, lambda edits, result: server.call_soon(built, edits, result))

    def changed(paths: Iterable[Path]) -> None:  # on the server's thread
        differ = preview.differing(paths)
        if not differ:
            return
        try:
            early = preview.show_early(differ)
        except Exception:  # a fault of ours: the build that follows still shows the edit
            log.exception("the edited article's pages could not be made early")
            early = False
        if early:
            LiveServer.reload_pages()
            builds.ask(differ, after=EARLY_GRACE)
        else:
            builds.ask(differ)

    shown = f"[{host}]" if ":" in host else host
    preview.desk_url = f"http://{shown}:{port}{PREFIX}"
    desk = Desk(lambda: preview.config, host, saved=lambda path: changed([path]))
    server = LiveServer(head_as_get(preview), head_as_get(desk), PREFIX)
    stop = threading.Event()

    def noticed(paths: set[Path]) -> None:  # on a watcher's thread
        desk.summaries.noticed(paths)  # (at once: the overview's next look has them)
        server.call_soon(changed, paths)

    watching = watch_sources(watched(config), noticed, stop)
    desk.summaries.watched(watching.done.is_set)
    builds.start(watching)  # (the first build once every save is seen: the server answers meanwhile)
    log.info("preview at http://%s:%d%s (the first build is under way)", host, port, config.base_path)
    log.info("review desk at http://%s:%d%s", host, port, PREFIX)
    try:
        server.serve(host, port)
    except OSError as exc:  # most often: the port is taken by another preview
        raise ContentError(
            config.root, f"cannot listen on {host}:{port} ({exc.strerror}); try --port {port + 1}"
        ) from None
    finally:
        stop.set()


class Builds:
    """The preview's builds, its first included, one at a time, on a thread of their own (the
    server keeps answering): changes asked for while one runs are built together by the next."""

    def __init__(self, preview: Preview, done: Callable[[int, BuildResult | None], object]) -> None:
        self.preview, self.done = preview, done
        self.ready = threading.Condition()
        self.cause: list[Path] = []
        self.not_before = 0.0

    def start(self, watching: Ready | None = None) -> None:
        """Build first, once ``watching`` says every save is seen (a save made before would be
        missed by every build after it), then each change asked for."""
        threading.Thread(target=self.run, args=(watching,), name="preview-builds", daemon=True).start()

    def ask(self, cause: list[Path], after: float = 0.0) -> None:
        """Build for these changed files, not sooner than ``after`` seconds from now."""
        with self.ready:
            self.cause += [path for path in cause if path not in self.cause]
            self.not_before = max(self.not_before, time.monotonic() + after)
            self.ready.notify()

    def run(self, watching: Ready | None = None) -> None:
        if watching is not None and not watching.wait(WATCH_WAIT):
            log.warning(
                "the sources are not all watched after %d s; building, but a save made until then may be missed",
                WATCH_WAIT,
            )
        cause: list[Path] = []  # (the first build's: none)
        edits = 0
        while True:
            try:
                result = self.preview.rebuild(cause)
            except Exception:  # a fault of ours: logged, and the preview keeps serving the last site
                log.exception("the build failed unexpectedly%s", self.preview.named(cause))
                result = None
            self.done(edits, result)
            self.prepare()  # (for the next edit's pages made early)
            with self.ready:
                while not self.cause or time.monotonic() < self.not_before:
                    self.ready.wait(max(0.0, self.not_before - time.monotonic()) if self.cause else None)
                cause, self.cause = self.cause, []
                edits = self.preview.edits  # every edit shown so far is on disk: this build has it

    def prepare(self) -> None:
        """Work out the last build's indexes for the pages made early; a fault of ours there is
        logged, and leaves the builds running (an edit then works them out, or waits for its build)."""
        try:
            self.preview.last.prepare()
        except Exception:
            log.exception("the related reading for pages made early could not be worked out")


def read_bytes_or_none(path: Path) -> bytes | None:
    try:
        return read_bytes(path)
    except (OSError, ContentError):
        return None


def watched(config: SiteConfig) -> list[Path]:
    """The sources the preview watches; site/ is not among them."""
    return [config.content_dir, config.templates_dir, config.static_dir, config.root / "site.toml"]
