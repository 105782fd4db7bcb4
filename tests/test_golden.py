"""Where the output format is the contract, the sample site's output is compared byte for byte.

Feeds and the sitemap are read by other programs. After an intended change, regenerate with:

    python -m pytest tests/test_golden.py --update-golden
"""

from __future__ import annotations

from microsite.content.config import load_config
from microsite.publish.builder import build_site


def test_sample_feeds_and_sitemap(sample_site, golden) -> None:
    out = sample_site / "site"
    build_site(load_config(sample_site / "site.toml", base_url="https://newsroom.example/microsite/"), output=out)
    golden("feed-vi.xml", (out / "feed.xml").read_text(encoding="utf-8"))
    golden("feed-en.xml", (out / "en" / "feed.xml").read_text(encoding="utf-8"))
    golden("sitemap.xml", (out / "sitemap.xml").read_text(encoding="utf-8"))
    golden("robots.txt", (out / "robots.txt").read_text(encoding="utf-8"))
