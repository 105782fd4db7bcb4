"""The few pieces of WSGI that the preview and the review desk share: the path, the host, an answer, HEAD."""

from __future__ import annotations

import ipaddress
import socket
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


def host_allowed(host: str, listening: str) -> bool:
    """Whether a request's Host header names this computer: a page of another site that points its
    own name at 127.0.0.1 (DNS rebinding) must not read the preview or the desk."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]").lower()
    if name in ("localhost", "127.0.0.1", "::1") or name == listening.lower():
        return True
    wildcard = listening in ("0.0.0.0", "::", "")
    return wildcard and (_is_ip(name) or name in (socket.gethostname().lower(), socket.getfqdn().lower()))


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
