"""The live preview: rebuild on every change to the sources, reload the browser, show errors.

The site is served under its base path (``/<repo>/`` for a project site), as GitHub Pages will.
A failed rebuild leaves the last good site in place and every page shows the error until the next
good build; only the sources are watched, never ``site/``, so a build cannot trigger itself.

The review desk (:mod:`microsite.desk`) is served beside it at ``/_review/``, without the
live-reload script (a reload would throw away what an editor is typing). A save on the desk
rebuilds at once and reloads the preview's pages; the file watcher then recognises that change as
already built. Changes are noticed by the operating system's file events (watchfiles), within
~50 ms; livereload's own watcher polls every 0.8 s and ignores changes within 3 s of a reload.

The search index is not on that path: Pagefind takes seconds over a large archive, so a rebuild
shows the last index kept until a background thread has made the new one; then the site is
rebuilt once more (quickly: the index is now kept) without reloading the pages.
"""

from __future__ import annotations

import html
import logging
import mimetypes
import os
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from urllib.parse import quote

from ..content.config import SiteConfig
from ..errors import BuildError, ContentError
from ..files import file_stamp, read_bytes
from ..publish.builder import REVIEW_DESK, build_site
from ..publish.search import Owed
from .http import StartResponse, head_as_get, host_allowed, request_path, respond

log = logging.getLogger(__name__)
NO_STORE = [("Cache-Control", "no-store")]


class Preview:
    """Builds the site and answers HTTP requests for it (a WSGI application)."""

    def __init__(
        self,
        config: SiteConfig,
        reload_config: Callable[[], SiteConfig],
        schedule: Callable[[Callable[[], None]], None] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.config = config
        self.host = host  # the address listened on: requests must name this computer (http.host_allowed)
        self.desk_url = REVIEW_DESK  # where this preview serves the review desk (set by serve)
        self.reload_config = reload_config
        self.error: str | None = None
        self.built: dict[Path, tuple | None] = {}  # changed files, as they were when last built
        # ``schedule`` runs a rebuild on the server's thread once an owed search index is made;
        # without it (no server), every build makes its index, as ``build`` does.
        self.indexer = Indexer(lambda: schedule(partial(self.rebuild, index_made=True))) if schedule else None

    def changed(self, paths: Iterable[Path]) -> bool:
        """Rebuild if any of these files differs from when it was last built; True if it did."""
        stamps = {Path(path): file_stamp(Path(path)) for path in paths}
        differ = sorted(path for path, stamp in stamps.items() if self.built.get(path, ()) != stamp)
        if not differ:
            return False
        self.rebuild(cause=differ)
        self.built.update(stamps)
        return True

    def rebuild(self, index_made: bool = False, cause: list[Path] = ()) -> None:
        """Build again; remember the error instead of stopping, so the server survives it.

        ``index_made``: the build that puts a search index made in the background in place.
        ``cause``: the files whose change set it off, named in the log.
        """
        if index_made and self.error is not None:
            return  # the sources are broken meanwhile: the build that follows their fix takes the index
        started = time.perf_counter()
        try:
            self.config = self.reload_config()
            result = build_site(self.config, search_later=self.indexer is not None)
        except (BuildError, ContentError) as exc:
            self.error = str(exc)
            if not index_made:  # (else a source changed meanwhile: its own rebuild reports this)
                log.error("build failed%s; the preview shows the error until it is fixed:\n%s", self.named(cause), exc)
            return
        self.error = None
        if index_made:
            log.info("search index in place (%.3f s)", time.perf_counter() - started)
        else:
            for warning in result.warnings:  # naming the desk where this preview really serves it
                log.warning("%s", str(warning).replace(REVIEW_DESK, self.desk_url))
            log.info("rebuilt in %.3f s%s", time.perf_counter() - started, self.named(cause))
        if result.owed_index is None or self.indexer is None:
            return
        if index_made:  # its pages changed with no change to the sources: never index in a loop
            result.owed_index.drop()
        else:
            log.info("the search index follows in the background (search shows the last one until then)")
            self.indexer.make(result.owed_index)

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


class Indexer:
    """Makes owed search indexes one at a time on a thread of its own, newest first: an index
    still waiting when a newer one is owed is dropped. ``done`` is called when the newest owed
    has been made (not after one a newer one overtook: that one's own ``done`` follows)."""

    def __init__(self, done: Callable[[], None]) -> None:
        self.done = done
        self.lock = threading.Lock()
        self.waiting: Owed | None = None
        self.current: Owed | None = None  # the one being made
        self.running = False
        self.closed = False

    def make(self, owed: Owed) -> None:
        with self.lock:
            if self.closed:
                owed.drop()
                return
            if self.waiting is not None:
                self.waiting.drop()
            self.waiting = owed
            if self.running:
                return
            self.running = True
        threading.Thread(target=self._work, name="search-index", daemon=True).start()

    def _work(self) -> None:
        while True:
            with self.lock:
                owed, self.waiting = self.waiting, None
                self.current = owed
                if owed is None or self.closed:
                    self.running = False
                    return
            started = time.perf_counter()
            try:
                made = owed()
            except Exception:  # never leave the preview without its indexer
                log.exception("the search index could not be made in the background")
                made = False
            if not made:
                log.warning("the search index could not be made in the background; the next build makes it")
                continue
            log.info("search index made in %.1f s", time.perf_counter() - started)
            with self.lock:
                newer = self.waiting is not None or self.closed
            if not newer:  # (a newer one's rebuild will follow it)
                try:
                    self.done()
                except Exception:  # the server is stopping
                    log.debug("no rebuild after the search index", exc_info=True)

    def close(self) -> None:
        """No more indexes: the one waiting is dropped, the one being made stopped."""
        with self.lock:
            self.closed = True
            if self.waiting is not None:
                self.waiting.drop()
                self.waiting = None
            current = self.current
        if current is not None:
            current.cancel()


def serve(
    config: SiteConfig, reload_config: Callable[[], SiteConfig], host: str = "127.0.0.1", port: int = 8000
) -> None:
    """Build, then serve the preview and the review desk with live reload until interrupted."""
    from .app import PREFIX, Desk  # only the preview needs the desk, livereload and watchfiles
    from .livereload_adapter import LiveServer

    # A rebuild after a search index is made runs on the server's thread, as every rebuild does.
    preview = Preview(config, reload_config, lambda rebuild: server.call_soon(lambda _: rebuild(), ()), host)

    def changed(paths: Iterable[Path]) -> None:
        if preview.changed(paths):
            LiveServer.reload_pages()

    shown = f"[{host}]" if ":" in host else host
    preview.desk_url = f"http://{shown}:{port}{PREFIX}"
    desk = Desk(lambda: preview.config, host, saved=lambda path: changed([path]))
    server = LiveServer(head_as_get(preview), head_as_get(desk), PREFIX)
    preview.rebuild()
    stop = threading.Event()
    watch_sources(watched(config), lambda paths: server.call_soon(changed, paths), stop)
    log.info("preview at http://%s:%d%s", host, port, config.base_path)
    log.info("review desk at http://%s:%d%s", host, port, PREFIX)
    try:
        server.serve(host, port)
    except OSError as exc:  # most often: the port is taken by another preview
        raise ContentError(
            config.root, f"cannot listen on {host}:{port} ({exc.strerror}); try --port {port + 1}"
        ) from None
    finally:
        stop.set()
        if preview.indexer is not None:  # no Pagefind left running after the preview
            preview.indexer.close()


def watch_sources(paths: list[Path], changed: Callable[[set[Path]], object], stop: threading.Event) -> None:
    """Call ``changed`` with the files changed under ``paths`` (batched over 50 ms) until ``stop``.

    Folders are watched with everything in them; a single file (site.toml) through its folder, as
    editors save by writing a new file and renaming it over the old one, which ends a watch on the
    file itself.
    """
    import watchfiles

    class Sources(watchfiles.DefaultFilter):
        """Editors' and our own temporary files (dot files, backups) are not sources."""

        def __call__(self, change: watchfiles.Change, path: str) -> bool:
            return not os.path.basename(path).startswith(".") and super().__call__(change, path)

    def run(targets: list[Path], keep: Callable[[watchfiles.Change, str], bool], recursive: bool) -> None:
        for changes in watchfiles.watch(
            *targets, watch_filter=keep, step=50, stop_event=stop, rust_timeout=500, recursive=recursive
        ):
            changed({Path(path) for _, path in changes})

    folders = [path for path in paths if path.is_dir()]
    files = {path for path in paths if path.is_file()}
    watches = [(folders, Sources(), True), (sorted({f.parent for f in files}), lambda _, p: Path(p) in files, False)]
    for targets, keep, recursive in watches:
        if targets:
            threading.Thread(target=run, args=(targets, keep, recursive), daemon=True).start()


def watched(config: SiteConfig) -> list[Path]:
    """The sources the preview watches; site/ is not among them."""
    return [config.content_dir, config.templates_dir, config.static_dir, config.root / "site.toml"]
