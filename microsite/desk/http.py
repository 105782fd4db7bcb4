"""The few pieces of WSGI that the preview and the review desk share: the path, an answer, HEAD."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus

StartResponse = Callable[..., object]


def request_path(environ: dict) -> str | None:
    """The request's path as text, None if it is not UTF-8.

    WSGI hands PATH_INFO over already percent-decoded, as bytes read as Latin-1 (PEP 3333); URLs
    carry UTF-8, so ``bài-mới`` arrives as ``bÃ\\xa0i-má»\\x9bi`` until it is decoded again here.
    """
    try:
        return environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None


def respond(
    start_response: StartResponse, status: int, kind: str, body: bytes, headers: Iterable[tuple[str, str]] = ()
) -> Iterable[bytes]:
    """Answer with ``body``, its type and length, and any other ``headers``."""
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [("Content-Type", kind), ("Content-Length", str(len(body))), *headers],
    )
    return [body]


def head_as_get(app: Callable) -> Callable:
    """A WSGI application that answers HEAD as it answers GET, headers only (RFC 9110).

    Tornado refuses a body in the answer to HEAD and drops the connection; this sends none.
    """

    def application(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "HEAD":
            return app(environ, start_response)
        body = app({**environ, "REQUEST_METHOD": "GET"}, start_response)
        close = getattr(body, "close", None)
        if close is not None:
            close()
        return []

    return application
