"""The review desk at ``/_review/``: correct and approve translations in the browser, beside the preview.

A WSGI application that ``serve`` mounts next to the preview; nothing of it is ever written into
``site/``. What it shows and saves comes from :mod:`microsite.desk.review`; this module is the HTTP
side and its safety:

- every request must name this computer in its Host header (a page elsewhere cannot reach the
  desk by pointing a domain name at 127.0.0.1);
- every write is a POST carrying the token made when the server started, from a page of the desk
  itself (a foreign ``Origin`` or ``Sec-Fetch-Site`` is refused);
- a write can only set the text and reviewed state of one segment of an existing article; anything
  else is a 4xx with a message, and nothing is written;
- pages forbid framing and scripts from anywhere else; texts are rendered through the build's
  sanitiser.
"""

from __future__ import annotations

import hmac
import json
import logging
import mimetypes
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import parse_qs, quote

import jinja2
from markupsafe import Markup

from ..content.config import SiteConfig
from ..errors import ContentError
from ..files import read_bytes
from ..publish.render import INLINE_TAGS, BlockRenderer, language_name, sanitize
from .http import StartResponse, host_allowed, request_path, respond
from .review import (
    ArticleReview,
    Conflict,
    Overview,
    ReviewError,
    SegmentReview,
    article_file,
    review_article,
    save_entry,
    settle_finding,
)

log = logging.getLogger(__name__)

PREFIX = "/_review/"
PER_PAGE = 200  # articles on a page of the overview
TEMPLATES = Path(__file__).parent / "templates"
STATIC_FILES = Path(__file__).parent / "static"
STATIC = {"desk.css": "text/css; charset=utf-8", "desk.js": "text/javascript; charset=utf-8"}
MAX_BODY = 256 * 1024  # a form with one segment's text; far more than any paragraph
HEADERS = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
]


class Views:
    """How the desk answers: its pages (Jinja, autoescaped), JSON, redirects, with the safety headers."""

    def __init__(self, config: Callable[[], SiteConfig]) -> None:
        self.config = config
        self.blocks = BlockRenderer()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["html"] = self.html

    def html(self, text: str) -> Markup:
        """Text as the site shows it: inline Markdown, through the build's sanitiser."""
        return Markup(sanitize(self.blocks.inline(text), tags=INLINE_TAGS))

    def segment_data(self, segment: SegmentReview) -> dict:
        return {
            "number": segment.number,
            "state": segment.state,
            "text": segment.text,
            "html": str(self.html(segment.text)),
            "findings": segment.findings,
            "settled": [f"{message} (settled: {reason})" for message, reason in segment.settled],
            "needs_work": segment.needs_work,
            "stale": segment.previous is not None,
        }

    def page(
        self, start_response: StartResponse, name: str, status: int = 200, extra: list | None = None, **context: object
    ) -> Iterable[bytes]:
        config = self.config()
        body = self.env.get_template(name).render(
            site=config.source.title, preview=config.base_path, prefix=PREFIX, **context
        )
        return self.respond(start_response, status, "text/html; charset=utf-8", body.encode(), extra)

    def json(
        self, start_response: StartResponse, status: int, data: dict, extra: list | None = None
    ) -> Iterable[bytes]:
        body = json.dumps(data, ensure_ascii=False).encode()
        return self.respond(start_response, status, "application/json; charset=utf-8", body, extra)

    def redirect(self, start_response: StartResponse, status: int, location: str) -> Iterable[bytes]:
        return self.respond(start_response, status, "text/plain; charset=utf-8", b"", [("Location", location)])

    @staticmethod
    def respond(
        start_response: StartResponse, status: int, kind: str, body: bytes, extra: list | None = None
    ) -> Iterable[bytes]:
        return respond(start_response, status, kind, body, [*HEADERS, *(extra or [])])


class Desk:
    """The review desk as a WSGI application, for requests whose path starts with ``/_review/``.

    Routing and the handlers of its pages and its one write; answers are made by :class:`Views`.
    """

    def __init__(
        self,
        config: Callable[[], SiteConfig],
        host: str = "127.0.0.1",
        saved: Callable[[Path], None] | None = None,
    ) -> None:
        self.config = config
        self.token = secrets.token_urlsafe(32)
        self.host = host
        self.saved = saved or (lambda path: None)
        self.views = Views(config)
        self.summaries = Overview()  # the overview's, kept between requests (see Overview: noticed, watched)

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        json_wanted = "application/json" in environ.get("HTTP_ACCEPT", "")
        try:
            check_host(environ.get("HTTP_HOST", ""), self.host)
            try:
                return self.route(environ, start_response)
            except ContentError as exc:  # the glossary or the content folder itself
                raise ReviewError(409, f"{exc}; fix it, then reload the desk") from None
        except Conflict as exc:
            log.warning("review desk: save refused: %s", exc.message)
            return self.conflict(environ, start_response, exc, json_wanted)
        except ReviewError as exc:
            extra = [("Allow", exc.allowed)] if isinstance(exc, WrongMethod) else []
            log.warning(
                "review desk: %s %s refused (%d): %s",
                environ.get("REQUEST_METHOD"),
                environ.get("PATH_INFO"),
                exc.status,
                exc.message,
            )
            if json_wanted:
                return self.views.json(start_response, exc.status, {"error": exc.message}, extra)
            return self.views.page(start_response, "message.html", exc.status, extra, message=exc.message)

    def route(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = _path(environ)
        method = environ.get("REQUEST_METHOD", "GET")
        if not path.startswith(PREFIX):
            raise ReviewError(404, "the review desk lives at /_review/")
        parts = path[len(PREFIX) :].split("/")
        if parts == [""]:
            _allow(method, "GET")
            return self.overview(start_response, _page_asked(environ))
        if parts[0] == "static" and len(parts) == 2 and parts[1] in STATIC:
            _allow(method, "GET")
            body = (STATIC_FILES / parts[1]).read_bytes()
            return self.views.respond(start_response, 200, STATIC[parts[1]], body)
        if len(parts) == 2 and parts[1]:
            _allow(method, "GET")
            return self.views.redirect(start_response, 301, f"{PREFIX}{quote(parts[0])}/{quote(parts[1])}/")
        if len(parts) == 3 and parts[2] == "":
            _allow(method, "GET")
            return self.article(start_response, parts[1], parts[0])
        if len(parts) == 3 and parts[2] == "save":
            _allow(method, "POST")
            return self.save(environ, start_response, parts[1], parts[0])
        if len(parts) > 3 and parts[2] == "photo":
            _allow(method, "GET")
            return self.photo(start_response, parts[1], parts[0], "/".join(parts[3:]))
        raise ReviewError(404, "nothing here; the desk's pages start at /_review/")

    # --- pages ---------------------------------------------------------------------------------

    def overview(self, start_response: StartResponse, number: int = 1) -> Iterable[bytes]:
        """The articles, needing work first, :data:`PER_PAGE` to a page (``number``, from 1): a
        newsroom's archive of 100,000 made one page of ~50 MB that took ~15 s to put together."""
        reviews = self.summaries.reviews(self.config())
        pages = max(1, -(-len(reviews) // PER_PAGE))
        if number > pages:
            raise ReviewError(404, f"the overview has {pages} page(s); page {number} is not one of them")
        shown = reviews[(number - 1) * PER_PAGE : number * PER_PAGE]
        return self.views.page(
            start_response,
            "overview.html",
            reviews=shown,
            total=len(reviews),
            waiting=sum(1 for review in reviews if review.needs_work),
            broken=any(review.error for review in reviews),
            number=number,
            pages=pages,
            first=(number - 1) * PER_PAGE + 1,
        )

    def article(self, start_response: StartResponse, slug: str, language: str) -> Iterable[bytes]:
        config = self.config()
        review = review_article(config, slug, language)
        policy = config.language(language).publish
        return self.views.page(
            start_response,
            "article.html",
            review=review,
            token=self.token,
            english=f"{config.base_path}{quote(language)}/{quote(slug)}/",
            language_name=language_name(language, "en"),
            published=review.error is None and not review.draft and review.publishable(policy),
            policy=policy,
        )

    def photo(self, start_response: StartResponse, slug: str, language: str, src: str) -> Iterable[bytes]:
        folder = article_file(self.config(), slug, language).parent
        missing = ReviewError(404, f"no photo {src[:80]!r} in this article's folder")
        kind = mimetypes.guess_type(src)[0] or ""
        if "\x00" in src or not kind.startswith("image/") or kind == "image/svg+xml":
            raise missing  # an SVG can carry scripts: the desk never serves one
        try:
            target = (folder / src).resolve()
            if not target.is_relative_to(folder) or not target.is_file():
                raise missing
        except OSError:  # e.g. a name too long for the file system
            raise missing from None
        return self.views.respond(start_response, 200, kind, read_bytes(target))

    # --- the one write -------------------------------------------------------------------------

    def save(self, environ: dict, start_response: StartResponse, slug: str, language: str) -> Iterable[bytes]:
        check_origin(environ)
        fields = read_form(environ)
        token = fields.get("token", [""])[-1].encode()
        if not hmac.compare_digest(token, self.token.encode()):
            raise ReviewError(403, "missing or wrong session token: reload the desk (the server may have restarted)")
        action = fields.get("action", [""])[-1]
        if action.startswith("settle "):  # "settle N": the segment's Nth finding, as the page listed them
            number = action.removeprefix("settle ")
            listed = fields.get("finding", [])
            if not number.isdigit() or int(number) >= len(listed):
                raise ReviewError(400, "settle names a finding the form does not list; reload the desk")
            form = single({name: fields.get(name, []) for name in ("token", "source", "version", "reason")})
            done = "settled a finding of"
            result = settle_finding(
                self.config(), slug, language, form["source"], listed[int(number)], form["reason"], form["version"]
            )
        else:
            form = single({name: fields.get(name, []) for name in ("token", "version", "source", "text", "action")})
            if form["action"] not in ("save", "approve"):
                raise ReviewError(400, "action must be 'save' (keep it a draft) or 'approve' (reviewed)")
            done = "approved" if form["action"] == "approve" else "saved"
            result = save_entry(
                self.config(), slug, language, form["source"], form["text"], action == "approve", form["version"]
            )
        if result.written:
            log.info("review desk: %s %s: segment %d", done, f"{slug}/{language}.po", result.segment.number)
            self.summaries.noticed([result.review.catalog_path])
            self.saved(result.review.catalog_path)
        if "application/json" not in environ.get("HTTP_ACCEPT", ""):
            return self.views.redirect(
                start_response, 303, f"{PREFIX}{quote(language)}/{quote(slug)}/#s-{result.segment.number}"
            )
        return self.views.json(
            start_response,
            200,
            {
                **self.views.segment_data(result.segment),
                "version": result.segment.version,
                "written": result.written,
                "counts": _counts(result.review),
            },
        )

    def conflict(
        self, environ: dict, start_response: StartResponse, exc: Conflict, json_wanted: bool
    ) -> Iterable[bytes]:
        theirs = None
        if exc.theirs is not None:
            theirs = {"text": exc.theirs.msgstr, "state": exc.theirs.state, "html": self.views.html(exc.theirs.msgstr)}
        if json_wanted:
            conflict = {"yours": exc.yours, "theirs": theirs, "version": exc.version}
            return self.views.json(start_response, 409, {"error": exc.message, "conflict": conflict})
        return self.views.page(start_response, "conflict.html", 409, exc=exc, theirs=theirs, token=self.token)


def check_host(host: str, listening: str) -> None:
    """Refuse a Host header that does not name this computer (DNS rebinding)."""
    if not host_allowed(host, listening):
        raise ReviewError(403, f"the review desk answers only to this computer's address, not {host!r}")


def check_origin(environ: dict) -> None:
    """A write must come from a page of the desk itself, not from another site open in the browser."""
    origin = environ.get("HTTP_ORIGIN")
    own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
    if origin is not None and origin != own:
        raise ReviewError(403, f"requests from another origin ({origin}) are refused; use the desk at {own}{PREFIX}")
    if environ.get("HTTP_SEC_FETCH_SITE", "same-origin") not in ("same-origin", "none"):
        raise ReviewError(403, "requests from another site are refused; use the desk itself")


def read_form(environ: dict) -> dict[str, list[str]]:
    """The POSTed form's fields; a 4xx for a body that is not a small URL-encoded form."""
    kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise ReviewError(415, "send the form as application/x-www-form-urlencoded")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ReviewError(400, "bad Content-Length") from None
    if length > MAX_BODY:
        raise ReviewError(413, f"the form is over {MAX_BODY // 1024} KB; a segment is never that long")
    try:
        return parse_qs(environ["wsgi.input"].read(length).decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise ReviewError(400, "the form is not valid UTF-8 form data") from None


def single(fields: dict[str, list[str]]) -> dict[str, str]:
    """The form's fields, each given exactly once."""
    form = {}
    for name, values in fields.items():
        if len(values) != 1:
            raise ReviewError(400, f"the form needs exactly one {name!r} field")
        form[name] = values[0]
    return form


def _counts(review: ArticleReview) -> dict[str, int]:
    return {**review.counts, "findings": review.findings, "needs work": review.needs_work}


class WrongMethod(ReviewError):
    def __init__(self, method: str, allowed: str) -> None:
        super().__init__(405, f"use {allowed} here, not {method}")
        self.allowed = allowed


def _allow(method: str, allowed: str) -> None:
    if method != allowed:
        raise WrongMethod(method, allowed)


def _page_asked(environ: dict) -> int:
    """The overview's page asked for (``?page=N``), 1 when none; a 400 for anything but a whole
    number from 1."""
    asked = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).get("page")
    if not asked:
        return 1
    digits = asked[0].lstrip("0") if len(asked) == 1 and asked[0].isascii() and asked[0].isdigit() else ""
    if not digits:
        raise ReviewError(400, "the overview's page must be a whole number from 1 (?page=2)")
    return int(digits) if len(digits) < 10 else 10**9  # (no archive has as many pages: a 404)


def _path(environ: dict) -> str:
    path = request_path(environ)
    if path is None:
        raise ReviewError(400, "the address is not valid UTF-8")
    return path
