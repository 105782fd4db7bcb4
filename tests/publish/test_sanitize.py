"""What reaches a page from Markdown or a PO file is sanitised: the PO file is untrusted input."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from microsite.publish.builder import build_site
from microsite.publish.render import sanitize

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x.jpg" onerror="alert(1)">',
    '<a href="javascript:alert(1)">a</a>',
    '<a href="JaVaScRiPt:alert(1)">b</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
    '<iframe src="https://evil.example"></iframe>',
    '<b onclick="alert(1)" style="color:red">c</b>',
    "<style>body{display:none}</style>",
]


def assert_harmless(html: str) -> None:
    page = BeautifulSoup(html, "html.parser")
    for script in page.find_all("script"):
        assert script.get("type") == "application/ld+json", script
    for tag in page.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.startswith("on"), tag
            text = " ".join(value) if isinstance(value, list) else value
            assert not text.strip().lower().startswith(("javascript:", "data:")), tag
    assert page.find("iframe") is None and page.find("style") is None


@pytest.mark.parametrize("attack", ATTACKS)
def test_sanitize_removes_each_attack(attack: str) -> None:
    assert_harmless(sanitize(f"<p>{attack}</p>"))


def test_keeps_ordinary_markup() -> None:
    html = '<p><strong>a</strong> <a href="https://example.org/x">b</a> <code>c</code></p>'
    assert sanitize(html) == html.replace('">b', '" rel="noopener noreferrer">b')


def test_markdown_and_catalog_attacks_never_reach_a_page(site) -> None:
    body = "\n\n".join(["Đoạn <em>an toàn</em>.", *ATTACKS, "[link](javascript:alert(1))"]) + "\n"
    site.article("bai", body=body)
    # The catalog carries attacks of its own in every segment, title included.
    site.translate("bai", translation=lambda source: f"{source} <img src=x onerror=alert(2)><script>alert(3)</script>")
    build_site(site.config)
    for page in ("bai/index.html", "en/bai/index.html", "index.html", "en/index.html"):
        assert_harmless((site.root / "site" / page).read_text())
    for page in ("bai/index.html", "en/bai/index.html"):
        assert "<em>an toàn</em>" in (site.root / "site" / page).read_text()  # ordinary markup kept
    for feed in ("feed.xml", "en/feed.xml"):
        atom = ElementTree.parse(site.root / "site" / feed).getroot()
        content = atom.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content").text
        assert "an toàn" in content
        assert_harmless(content)
