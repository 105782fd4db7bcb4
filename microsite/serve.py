"""The live preview: rebuild on every change to the sources, reload the browser, show errors.

The site is served under its base path (``/<repo>/`` for a project site), as GitHub Pages will.
A failed rebuild leaves the last good site in place and every page shows the error until the next
good build; only the sources are watched, never ``site/``, so a build cannot trigger itself.
"""

from __future__ import annotations

import html
import logging
import mimetypes
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote

from .builder import build_site
from .config import SiteConfig
from .errors import BuildError, ContentError

log = logging.getLogger(__name__)

StartResponse = Callable[[str, list[tuple[str, str]]], object]


class Preview:
    """Builds the site and answers HTTP requests for it (a WSGI application)."""

    def __init__(self, config: SiteConfig, reload_config: Callable[[], SiteConfig]) -> None:
        self.config = config
        self.reload_config = reload_config
        self.error: str | None = None

    def rebuild(self) -> None:
        """Build again; remember the error instead of stopping, so the server survives it."""
        started = time.perf_counter()
        try:
            self.config = self.reload_config()
            result = build_site(self.config)
        except (BuildError, ContentError) as exc:
            self.error = str(exc)
            log.error("build failed; the preview shows the error until it is fixed:\n%s", exc)
            return
        self.error = None
        for warning in result.warnings:
            log.warning("%s", warning)
        log.info("rebuilt in %.2f s", time.perf_counter() - started)

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = unquote(environ.get("PATH_INFO", "/"))
        base = self.config.base_path
        if not path.startswith(base):
            if path.rstrip("/") + "/" == base or path == "/":
                start_response("302 Found", [("Location", base)])
                return [b""]
            return self.not_found(start_response)
        if self.error is not None and (path.endswith("/") or path.endswith(".html")):
            return self.respond(start_response, "500 Build failed", "text/html; charset=utf-8", self.error_page())
        return self.file(path[len(base) :], start_response)

    def file(self, relative: str, start_response: StartResponse) -> Iterable[bytes]:
        root = self.config.output_dir.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root):
            return self.not_found(start_response)
        if target.is_dir():
            if not relative.endswith("/") and relative:
                start_response("301 Moved Permanently", [("Location", self.config.base_path + relative + "/")])
                return [b""]
            target = target / "index.html"
        if not target.is_file():
            return self.not_found(start_response)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith(("xml", "javascript", "json")):
            kind += "; charset=utf-8"
        return self.respond(start_response, "200 OK", kind, target.read_bytes())

    def not_found(self, start_response: StartResponse) -> Iterable[bytes]:
        page = self.config.output_dir / "404.html"
        body = page.read_bytes() if page.is_file() else b"<!doctype html><title>404</title><p>Not found"
        return self.respond(start_response, "404 Not Found", "text/html; charset=utf-8", body)

    @staticmethod
    def respond(start_response: StartResponse, status: str, kind: str, body: bytes) -> Iterable[bytes]:
        start_response(
            status, [("Content-Type", kind), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")]
        )
        return [body]

    def error_page(self) -> bytes:
        return (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Build failed</title></head>"
            "<body style='font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem'>"
            "<h1>The last build failed</h1><p>Fix the problem below and save; this page reloads by itself."
            f"<pre style='white-space:pre-wrap;background:#fee;padding:1rem'>{html.escape(self.error or '')}</pre>"
            "</body></html>"
        ).encode()


def serve(
    config: SiteConfig, reload_config: Callable[[], SiteConfig], host: str = "127.0.0.1", port: int = 8000
) -> None:
    """Build, then serve with live reload until interrupted."""
    from livereload import Server  # only the preview needs tornado

    preview = Preview(config, reload_config)
    preview.rebuild()
    server = Server(app=preview)
    for source in watched(config):
        server.watch(str(source), preview.rebuild)
    log.info("preview at http://%s:%d%s", host, port, config.base_path)
    try:
        server.serve(host=host, port=port, debug=False, restart_delay=0)
    except OSError as exc:  # most often: the port is taken by another preview
        raise ContentError(
            config.root, f"cannot listen on {host}:{port} ({exc.strerror}); try --port {port + 1}"
        ) from None


def watched(config: SiteConfig) -> list[Path]:
    """The sources the preview watches; site/ is not among them."""
    return [config.content_dir, config.templates_dir, config.static_dir, config.root / "site.toml"]
