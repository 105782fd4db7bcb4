"""Links between pages are relative, so the site works under any base path."""

from __future__ import annotations

import posixpath

import pytest

from microsite.publish.urls import absolute, article_path, language_root, relative


@pytest.mark.parametrize(
    "page, target, link",
    [
        ("", "static/style.css", "static/style.css"),
        ("", "", "./"),
        ("en/", "", "../"),
        ("en/", "en/", "./"),
        ("en/bai/", "bai/images/a.jpg", "../../bai/images/a.jpg"),
        ("bai/", "bai/images/a.jpg", "images/a.jpg"),
        ("bai/", "en/bai/", "../en/bai/"),
        ("en/bai/", "en/", "../"),
        ("en/bai/", "bai/", "../../bai/"),
        ("tin-mới/", "static/x.css", "../static/x.css"),
        ("bai/", "bai/", "./"),
    ],
)
def test_relative(page: str, target: str, link: str) -> None:
    assert relative(page, target) == link
    resolved = posixpath.normpath(posixpath.join("/" + page, link))  # what a browser would fetch
    assert resolved.rstrip("/") == ("/" + target).rstrip("/")


def test_layout() -> None:
    assert language_root("vi", "vi") == "" and language_root("en", "vi") == "en/"
    assert article_path("bai", "en", "vi") == "en/bai/"
    assert absolute("https://a.github.io/repo/", "tin-mới/") == "https://a.github.io/repo/tin-m%E1%BB%9Bi/"
