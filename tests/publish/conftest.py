"""Shared by the standby's and the edit plan's tests: four articles built three times."""

from __future__ import annotations

import time

import pytest

from microsite.cache import TOO_RECENT
from microsite.publish.builder import build_site

ARTICLES = ("bai-a", "bai-b", "bai-c", "bai-d")


@pytest.fixture
def newsroom(site):
    for slug in ARTICLES:
        site.article(slug, body=f'Đoạn về {slug}.\n\n![Ảnh](images/a.jpg "Chú thích.")\n', photos=("images/a.jpg",))
        site.translate(slug)
    settle()
    build_site(site.config)
    for slug in ("bai-a", "bai-b"):  # two more builds: the standby then holds a site the record knows
        edit(site, slug, "Một đoạn thêm.")
        settle()
        build_site(site.config)
    return site


def settle() -> None:
    """Past the "too recent" window (the tests shorten it): files just written are not keyed by
    their stat, and pages rendered from them are kept for one build only (written again next time)."""
    time.sleep(TOO_RECENT * 3)


def edit(site, slug: str, paragraph: str) -> None:
    index = site.root / "content" / slug / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + f"\n{paragraph}\n", encoding="utf-8")
    site.translate(slug)
