"""Hostile text and files: nothing reaches readers that makes outside requests or breaks a feed."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from microsite.publish.builder import build_site
from tests.faults import cli

REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
URL_ATTRIBUTES = ("src", "srcset", "poster", "data", "background", "formaction", "action")
IMG = '<img src="https://tracker.example/pixel.gif" srcset="https://tracker.example/2x.gif 2x">'


def outside_requests(folder: Path) -> list[str]:
    """Every place a built page or feed would load something from another site."""
    found = []
    for page in [*folder.rglob("*.html"), *folder.rglob("*.xml")]:
        text = page.read_text(encoding="utf-8")
        documents = [text]
        if page.suffix == ".xml":  # feeds carry the article's HTML as escaped text in type="html" elements
            nodes = ElementTree.fromstring(text).iter()
            documents = [node.text or "" for node in nodes if node.get("type") == "html" and node.text]
        for document in documents:
            html = BeautifulSoup(document, "html.parser")
            for tag in html.find_all(True):
                for name in URL_ATTRIBUTES:
                    values = tag.get(name)
                    values = values if isinstance(values, list) else [values]
                    found += [f"{page}: {tag}" for value in values if value and "//" in value]
                if tag.name == "link" and set(tag.get("rel", [])) & {"stylesheet", "preload", "icon", "prefetch"}:
                    found += [f"{page}: {tag}"] if REMOTE.match(tag.get("href", "")) else []
                if "url(" in (tag.get("style") or ""):
                    found.append(f"{page}: {tag}")
            found += [f"{page}: {tag}" for tag in html.find_all(["iframe", "object", "embed", "video", "audio"])]
    return found


def test_raw_images_anywhere_in_source_or_translation_make_no_request(site) -> None:
    body = f"""\
Đoạn có ảnh {IMG} ở giữa.

## Tiêu đề {IMG}

- Mục {IMG}

> Trích dẫn {IMG}

| Cột | Ảnh |
| --- | --- |
| a | {IMG} |

<div>{IMG}<iframe src="https://evil.example/"></iframe>
<video src="https://evil.example/v.mp4" poster="https://evil.example/p.jpg"></video>
<link rel="preload" href="https://evil.example/font.woff2">
<p style="background:url(https://evil.example/bg.png)">nền</p></div>
"""
    site.article("bai", body=body)
    remote = "![x](https://tracker.example/from-po.png) <img src='//tracker.example/po.gif'>"
    site.translate("bai", translation=lambda source: f"EN {source} {remote}")
    build_site(site.config)
    out = site.root / "site"
    assert (out / "en" / "bai" / "index.html").is_file()  # the English edition was published
    assert outside_requests(out) == []
    english = BeautifulSoup((out / "en" / "bai" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [img for img in english.find_all("img") if "tracker" in str(img)] == []


def test_the_articles_own_photos_are_still_shown(site) -> None:
    site.article("bai", body='Đoạn.\n\n![Ảnh](images/a.jpg "Chú thích.")\n', photos=("images/a.jpg",))
    site.translate("bai", translation=lambda source: f"EN {source}")
    build_site(site.config)
    page = BeautifulSoup((site.root / "site" / "en" / "bai" / "index.html").read_text(), "html.parser")
    assert page.select_one("figure img")["src"] == "../../bai/images/a.jpg"


@pytest.mark.parametrize(
    "where, text, expected",
    [
        ("body", "Đoạn có \x01 ký tự lạ.", "index.md:6: holds the control character U+0001"),
        ("body", "Đoạn có \x7f ký tự lạ.", "index.md:6: holds the control character U+007F"),
        ("body", "Đoạn có \ufffe ký tự lạ.", "index.md:6: holds the control character U+FFFE"),
        ("front", 'title: "Tiêu đề \\x07 lạ"', "index.md:2: title holds the control character U+0007"),
        ("front", 'title: "Tiêu đề \\ud800 lạ"', "index.md:2: front matter is not valid YAML"),
        ("front", 'title: "A"\ntags: ["a\\x1b"]', "index.md:3: tags holds the control character U+001B"),
        ("po", 'msgstr "EN \\001 lạ"', "en.po:7: msgstr holds the control character U+0001"),
        ("po", 'msgstr "EN \x0c lạ"', "en.po:7: holds the control character U+000C"),
        ("po", 'msgstr "EN \\r lạ"', "en.po:7: msgstr holds the control character U+000D"),
    ],
)
def test_control_characters_are_refused_with_file_and_line(site, where: str, text: str, expected: str) -> None:
    front = (text if where == "front" else 'title: "A"') + "\ndate: 2021-06-25\n"
    site.article("bai", front=front, body=text + "\n" if where == "body" else "Đoạn.\n")
    if where == "po":
        (site.root / "content" / "bai" / "en.po").write_text(
            f'msgid ""\nmsgstr ""\n"Language: en\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            f'msgid "A"\n{text}\n',
            encoding="utf-8",
        )
    result = cli("--root", str(site.root))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr
    assert not (site.root / "site").exists()


def test_feeds_and_sitemap_always_parse_whatever_the_text(site) -> None:
    odd = "A & B < C > D ]]> \u0085 \u2028 \u00a0 \U0001f600 \u200b \"q\" 'a' </content> <!-- x -->"
    site.article(
        "bai",
        front=f'title: "{odd.replace(chr(34), chr(92) + chr(34))}"\ndate: 2021-06-25\nsummary: "Tóm tắt {odd[:20]}"\n',
        body=f"Đoạn {odd}\n\n## {odd}\n",
    )
    site.translate("bai", translation=lambda source: f"EN {source} {odd}")
    build_site(site.config)
    out = site.root / "site"
    for name in ("feed.xml", "en/feed.xml", "sitemap.xml"):
        ElementTree.parse(out / name)  # raises on anything not well-formed


@pytest.mark.parametrize("slug", ["../../x", "/abs/path", "a b", "static", "en", "_x", ".x", "a/b", "feed.xml"])
def test_new_refuses_a_slug_the_build_would_refuse_and_writes_nothing(site, tmp_path, slug: str) -> None:
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = cli("new", "Tiêu đề", "--slug", slug, "--root", str(site.root))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"--slug {slug!r}:" in result.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert not Path("/abs/path").exists()


def test_new_refuses_a_slug_taken_in_another_case(site) -> None:
    site.article("Bai-Mot")
    result = cli("new", "Tiêu đề", "--slug", "bai-mot", "--root", str(site.root))
    assert result.returncode == 1 and "already exists" in result.stderr
    assert sorted(p.name for p in (site.root / "content").iterdir()) == ["Bai-Mot"]


def test_new_then_build_accepts_what_new_made(site) -> None:
    result = cli("new", "Đường đến Điện Biên", "--slug", "bai-moi", "--root", str(site.root))
    assert result.returncode == 0, result.stderr
    assert cli("check", "--root", str(site.root)).returncode == 0


def test_new_in_a_read_only_content_folder_is_one_clear_message(site) -> None:
    content = site.root / "content"
    content.chmod(0o555)
    try:
        result = cli("new", "Tiêu đề", "--root", str(site.root), privileged=False)
    finally:
        content.chmod(0o755)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "cannot write it: permission denied" in result.stderr
    assert list(content.iterdir()) == []
