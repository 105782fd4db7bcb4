"""Any text a journalist could type parses and renders: no crash, and segments keep their rules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from microsite.blocks import collapse, parse_blocks
from microsite.render import BlockRenderer, sanitize

PIECES = [
    "# ", "## ", "- ", "* ", "1. ", "2) ", "> ", "| ", " | ", "|---|", ":--", "```", "~~~", "    ",
    "![ảnh](images/a.jpg \"chú thích\")", "[liên kết](https://example.org)", "**", "*", "_", "`",
    "<div>", "</div>", "<!--", "-->", "---", "===", "\\", "[ref]: https://example.org", "&", "<", ">",
    "Quảng Ninh", "tăng 38,95%", "đoàn công tác", "\n", "\n\n", "\t", " ",
]  # fmt: skip

markdown_ish = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(markdown_ish)
def test_any_body_parses_and_renders(text: str) -> None:
    blocks = tuple(parse_blocks(text))
    for block in blocks:
        for segment in block.segments():
            assert segment.source and segment.source == collapse(segment.source)
            assert 1 <= segment.line <= text.count("\n") + 1
    sanitize(BlockRenderer().html(blocks, lambda segment: segment.source))


@settings(max_examples=200, deadline=None)
@given(markdown_ish, markdown_ish)
def test_any_translation_renders_inside_its_block(text: str, translation: str) -> None:
    blocks = tuple(parse_blocks(text))
    html = BlockRenderer().html(blocks, lambda segment: translation)
    sanitize(html)


FRONT = [
    "title: ", "date: ", "tags: ", "summary: ", "image: ", "draft: ", "source: ", "titel: ", "? ", "- ",
    '"Tiêu đề"', "2021-06-25", "2021-02-30", "25/06/2021", "[a, b]", "[[a]]", "{a: 1}", "true", "null",
    "images/a.jpg", "../x.jpg", "https://x.org/a.jpg", "!!python/object:os.system", "&a ", "*a", ": ",
    "'", '"', "#", "\n", "\n", "  ",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRONT), max_size=30).map("".join))
def test_any_front_matter_is_an_article_or_one_clear_error(tmp_path_factory, front: str) -> None:
    from microsite.article import parse_article
    from microsite.errors import ContentError

    folder = tmp_path_factory.mktemp("bai")
    path = folder / "index.md"
    path.write_text(f"---\n{front}\n---\n\nĐoạn.\n", encoding="utf-8")
    try:
        article = parse_article(path)
    except ContentError as exc:
        assert exc.problem.path == path and exc.problem.message
    else:
        assert article.title.source
