"""Blocks rendered to HTML agree with Markdown (the library) on the source text."""

from __future__ import annotations

import re

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microsite.content.blocks import BlockError, parse_blocks
from microsite.publish.render import BlockRenderer
from tests.conftest import examples


def library(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "sane_lists", "fenced_code"], output_format="html")


def ours(text: str, translate=lambda segment: segment.source) -> str:
    return BlockRenderer().html(tuple(parse_blocks(text)), translate)


def same(html: str) -> str:
    """Equal for a browser: whitespace runs are one space, none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html.strip()))


@pytest.mark.parametrize(
    "text",
    [
        'Đoạn *một* và **hai**, `mã` và [liên kết](https://example.org/ "tựa").\n\nĐoạn & ký hiệu <b>đậm</b>.',
        "## Hai\n\nTiêu đề setext\n===\n\n#### Bốn ####",
        "- a\n- b **đậm**\n    - c\n        - d\n    - e\n- f\n\n3. x\n4. y",
        "> trích *một*\n> tiếp\n>\n> đoạn hai",
        "| a | *b* | c |\n|:--|:-:|--:|\n| 1 | 2 | 38,95% |\n| chỉ một |",
        "```python\nprint('x')\n```\n\n    mã thụt lề\n\nSau đó.\n\n---\n\n<div class=\"hop\">\nHTML\n</div>",
        "Xem [tài liệu][ref] và ![ảnh nhỏ](a.jpg) trong dòng.\n\n[ref]: https://example.org/tai-lieu",
        "Dòng có snake_case_word và 5 * 3 = 15.",
        "    - không phải danh sách\n    1. mà là mã\n\nĐoạn.\n\n    > cũng là mã\n\n    # và đây",
    ],
)
def test_blocks_render_like_the_markdown_library(text: str) -> None:
    assert same(ours(text)) == same(library(text))


@pytest.mark.parametrize(
    "translation, expected",
    [
        ("2021. A year of *growth*", "<p>2021. A year of <em>growth</em></p>"),
        ("# not a heading", "<p># not a heading</p>"),
        ("- not a **list**", "<p>- not a <strong>list</strong></p>"),
        ("> not a quote &", "<p>&gt; not a quote &amp;</p>"),
        ("two\n\nparagraphs", "<p>two paragraphs</p>"),
    ],
)
def test_a_translation_cannot_change_the_block_structure(translation: str, expected: str) -> None:
    assert ours("Một đoạn văn.", lambda segment: translation) == expected


def test_figures_are_left_out_for_the_page_to_place() -> None:
    blocks = tuple(parse_blocks('Trước.\n\n![Ảnh](a.jpg "Chú thích")\n\nSau.'))
    assert BlockRenderer().parts(blocks, lambda segment: segment.source) == ["<p>Trước.</p>", None, "<p>Sau.</p>"]


def test_text_cannot_pose_as_a_figure(site) -> None:
    """Only a photo alone in its paragraph is a figure: figure-like text or HTML is not one."""
    from microsite.publish.builder import build_site

    body = (
        'msfigure0x\n\n<p>msfigure0x</p>\n\n<figure><img src="images/a.jpg"><figcaption>x</figcaption></figure>\n\n'
        '![Ảnh](images/a.jpg "Chú thích")\n'
    )
    site.article("bai", body=body, photos=("images/a.jpg",))
    build_site(site.config)
    html = (site.root / "site" / "bai" / "index.html").read_text()
    assert html.count("<figure>") == 1 and html.count("msfigure0x") == 2


# --- differential: our block structure against python-markdown's, on generated documents ---------

_WORDS = ["Đoạn", "một", "*nghiêng*", "**đậm**", "`mã`", "[liên kết](https://example.org/)", "38,95%", "Quảng"]
_inline = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5).map(" ".join)
_BLOCKS = [
    st.lists(_inline, min_size=1, max_size=2).map("\n".join),  # paragraph, maybe over two lines
    st.tuples(st.integers(1, 6), _inline).map(lambda t: "#" * t[0] + " " + t[1]),
    st.tuples(_inline, st.sampled_from(["===", "---"])).map(lambda t: f"{t[0]}\n{t[1]}"),  # setext heading
    st.lists(st.tuples(st.sampled_from([0, 4]), _inline), min_size=1, max_size=4).map(
        lambda items: "\n".join(" " * (depth if n else 0) + "- " + text for n, (depth, text) in enumerate(items))
    ),
    st.lists(_inline, min_size=1, max_size=3).map(
        lambda items: "\n".join(f"{n + 1}. {t}" for n, t in enumerate(items))
    ),
    st.tuples(_inline, _inline).map(lambda t: f"- {t[0]}\n  {t[1]}"),  # an item continued on the next line
    st.tuples(_inline, _inline, st.sampled_from([2, 4])).map(lambda t: f"- {t[0]}\n\n{' ' * t[2]}{t[1]}"),
    st.tuples(_inline, _inline, _inline, st.sampled_from([4, 8])).map(  # after a nested list
        lambda t: f"- {t[0]}\n    - {t[1]}\n\n{' ' * t[3]}{t[2]}"
    ),
    st.lists(_inline, min_size=1, max_size=3).map(lambda items: "\n".join("> " + t for t in items)),
    st.tuples(_inline, _inline).map(lambda t: f"> {t[0]}\n{t[1]}"),  # a lazy quote line
    st.tuples(st.integers(1, 3), st.lists(_inline, min_size=1, max_size=3)).map(
        lambda t: (
            "| "
            + " | ".join(["a"] * t[0])
            + " |\n|"
            + "---|" * t[0]
            + "\n"
            + "\n".join("| " + " | ".join([cell] * t[0]) + " |" for cell in t[1])
        )
    ),
    _inline.map(lambda t: f"```\n{t}\n```"),
    _inline.map(lambda t: "Trước mã.\n\n    " + t),  # indented code (after a paragraph: not in a list)
    st.just("* * *"),
    _inline.map(lambda t: f"<div>\n{t}\n</div>"),
]
_documents = st.lists(st.one_of(_BLOCKS), min_size=1, max_size=5).map("\n\n".join)


def _normal(html: str, tight: bool = False) -> str:
    """Equal for a browser; ``tight`` unwraps paragraphs in list items (our lists are always tight)."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup(html, "html.parser")
    if tight:
        for paragraph in page.select("li > p"):
            paragraph.unwrap()
    text = same(str(page))
    return re.sub(r"\s+<(ul|ol)>", r"<\1>", re.sub(r"<li>\s+", "<li>", re.sub(r"\s+</li>", "</li>", text)))


@settings(max_examples=examples(500))
@given(_documents)
def test_generated_documents_have_python_markdowns_structure(text: str) -> None:
    """Each construct the project supports, in any order, renders as python-markdown renders it.

    The one deliberate difference (README, "Decisions worth knowing"): lists are always tight.
    A paragraph that would continue an outer list item after its nested list cannot be shown as
    written (an item holds one text): it is refused with its line.
    """
    try:
        html = ours(text)
    except BlockError as exc:  # refused, saying where: only a paragraph after a nested list is
        assert "continues an outer list item after its sub-list" in exc.message
        assert text.split("\n")[exc.line - 1].startswith("    ") and text.split("\n")[exc.line - 2] == ""
        return
    assert _normal(html) == _normal(library(text), tight=True)


def test_a_strings_file_from_an_earlier_version_is_named_not_a_traceback(site) -> None:
    """A site keeps its own templates: one made before ``draft_mark`` existed gets a clear error."""
    from microsite.errors import ContentError
    from microsite.publish.builder import build_site

    site.article("bai")
    strings = site.root / "templates" / "strings.toml"
    strings.write_text(
        "\n".join(
            line for line in strings.read_text(encoding="utf-8").splitlines() if not line.startswith("draft_mark")
        )
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as caught:
        build_site(site.config)
    assert caught.value.problem.path == strings
    assert "lacks draft_mark: texts the build itself writes" in caught.value.problem.message


def test_a_photo_is_linked_from_any_page_with_its_variants(site) -> None:
    """The srcset and WebP candidates are worked out once per photo, then linked from each page's
    folder: the same links whichever page asks first."""
    from pathlib import Path

    from microsite.publish.images import ImageInfo, Variant
    from microsite.publish.render import Renderer

    cache = Path("/cache/images")
    variants = (Variant(480, 240, cache / "d-480.jpg"), Variant(480, 240, cache / "d-480.webp"))
    variants += (Variant(2000, 1000, cache / "d-2000.webp"),)
    image = ImageInfo(Path("/x/ảnh đẹp.jpg"), "d", 2000, 1000, variants, None, cache / "d.jpg")
    name = "%E1%BA%A3nh%20%C4%91%E1%BA%B9p"
    expected = {"en/bai/": "../../bai/images/", "bai/": "images/", "": "bai/images/"}  # page → its link up
    for order in (list(expected), list(reversed(expected))):
        renderer = Renderer(site.config)
        for page in order:
            up = expected[page]
            photo = renderer.photo(image, page, "bai/images/ảnh đẹp.jpg")
            assert photo.src == f"{up}{name}.jpg"
            assert photo.srcset == f"{up}{name}-480w.jpg 480w, {up}{name}.jpg 2000w"
            assert photo.webp == f"{up}{name}-480w.webp 480w, {up}{name}-2000w.webp 2000w"
            assert photo.url.endswith(f"/bai/images/{name}.jpg")
    webp = ImageInfo(Path("/x/a.webp"), "w", 2000, 1000, variants[1:], None, cache / "w.webp")
    assert Renderer(site.config).photo(webp, "bai/", "bai/images/a.webp").webp == ""  # its own format


def test_babels_texts_are_taken_from_the_cache_only_as_this_code_kept_them(tmp_path, monkeypatch) -> None:
    """Kept texts are trusted only sealed by this user's builds and made by this code (babel's
    version and the project's); else babel is asked again."""
    from microsite.cache import code_version, load_pickle, store_pickle
    from microsite.publish import kept, render

    monkeypatch.setattr(kept, "_texts", {})
    monkeypatch.setattr(kept, "_fresh", set())
    monkeypatch.setattr(kept, "_recalled", set())
    key = ("name", "vi", "en")
    older, ours, forged = tmp_path / "older", tmp_path / "ours", tmp_path / "forged"
    for folder in (older, ours, forged):
        folder.mkdir()
    assert store_pickle(older / kept.TEXTS_FILE, ("another version", {key: "Kept by other code"}))
    assert store_pickle(ours / kept.TEXTS_FILE, (code_version(), {key: "Kept by this code"}))
    (forged / kept.TEXTS_FILE).write_bytes((ours / kept.TEXTS_FILE).read_bytes()[:-1] + b"!")  # seal broken
    kept.recall_texts(older)
    kept.recall_texts(forged)
    assert render.language_name("vi", "en") == "Vietnamese"  # babel's answer
    monkeypatch.setattr(kept, "_texts", {})
    kept.recall_texts(ours)
    assert render.language_name("vi", "en") == "Kept by this code"
    assert kept._fresh == {key}  # (the first answer, babel's): kept at the end of a build
    render.keep_texts(older, [])
    assert not kept._fresh and load_pickle(older / kept.TEXTS_FILE)[1][key] == "Kept by this code"
