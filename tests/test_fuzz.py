"""Any text a journalist could type parses and renders: no crash, and segments keep their rules."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from microsite.content.blocks import collapse, parse_blocks
from microsite.publish.render import BlockRenderer, sanitize
from tests.conftest import examples

PIECES = [
    "# ", "## ", "- ", "* ", "1. ", "2) ", "> ", "| ", " | ", "|---|", ":--", "```", "~~~", "    ",
    "![ảnh](images/a.jpg \"chú thích\")", "[liên kết](https://example.org)", "**", "*", "_", "`",
    "<div>", "</div>", "<!--", "-->", "---", "===", "\\", "[ref]: https://example.org", "&", "<", ">",
    "Quảng Ninh", "tăng 38,95%", "đoàn công tác", "\n", "\n\n", "\t", " ",
]  # fmt: skip

STRUCTURE = ["h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "table", "tr", "th", "td", "pre"]
markdown_ish = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=examples(400))
@given(markdown_ish)
def test_any_body_parses_and_renders(text: str) -> None:
    blocks = tuple(parse_blocks(text))
    for block in blocks:
        for segment in block.segments():
            assert segment.source and segment.source == collapse(segment.source)
            assert 1 <= segment.line <= text.count("\n") + 1
    sanitize(BlockRenderer().html(blocks, lambda segment: segment.source))


@settings(max_examples=examples(200))
@given(markdown_ish, markdown_ish)
def test_any_translation_renders_inside_its_block(text: str, translation: str) -> None:
    """Whatever Markdown a translation holds, the page keeps the source's block structure."""
    from bs4 import BeautifulSoup

    blocks = tuple(parse_blocks(text))
    translated = sanitize(BlockRenderer().html(blocks, lambda segment: translation))
    original = sanitize(BlockRenderer().html(blocks, lambda segment: segment.source))

    def structure(html: str) -> list[str]:
        return [tag.name for tag in BeautifulSoup(html, "html.parser").find_all(STRUCTURE)]

    if "<" not in translation:  # (raw HTML in a translation is sanitised, not blocked; see test_sanitize)
        assert structure(translated) == structure(original)


FRONT = [
    "title: ", "date: ", "tags: ", "summary: ", "image: ", "draft: ", "source: ", "titel: ", "? ", "- ",
    '"Tiêu đề"', "2021-06-25", "2021-02-30", "25/06/2021", "[a, b]", "[[a]]", "{a: 1}", "true", "null",
    "images/a.jpg", "../x.jpg", "https://x.org/a.jpg", "!!python/object:os.system", "&a ", "*a", ": ",
    "'", '"', "#", "\n", "\n", "  ",
]  # fmt: skip


@settings(max_examples=examples(400))
@given(st.lists(st.sampled_from(FRONT), max_size=30).map("".join))
def test_any_front_matter_is_an_article_or_one_clear_error(tmp_path_factory, front: str) -> None:
    from microsite.content.article import parse_article
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


TEXT = st.text(
    alphabet=st.characters(
        exclude_categories=("Cs", "Cc"), include_characters="\t\n\x85\u2028", exclude_characters="\ufffe\uffff"
    ),
    max_size=40,
).map(lambda text: unicodedata.normalize("NFC", text))
ENTRY = st.fixed_dictionaries(
    {
        "msgid": TEXT.filter(bool),
        "msgstr": TEXT,
        "fuzzy": st.booleans(),
        "previous": st.none() | TEXT.filter(bool),
        "comment": st.sampled_from(["", "paragraph", "heading"]),
        "tcomment": st.sampled_from(["", "machine draft: x 1.0", "two\nlines"]),
        "obsolete": st.booleans(),
    }
)


@settings(max_examples=examples(300))
@given(st.lists(ENTRY, max_size=8, unique_by=lambda entry: entry["msgid"]))
def test_the_po_reader_reads_what_polib_writes(tmp_path_factory, entries: list[dict]) -> None:
    """Whatever polib writes, the reader reads back: the same entries, the same bytes when rendered.

    (polib's own reader is not the reference: it splits lines at U+0085 and U+2028 too.)
    """
    import polib

    from microsite.translation.pofile import read_document

    po = polib.POFile(wrapwidth=78)
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
    for item in entries:
        entry = polib.POEntry(
            msgid=item["msgid"],
            msgstr=item["msgstr"],
            flags=["fuzzy"] if item["fuzzy"] else [],
            previous_msgid=item["previous"],
            comment=item["comment"],
            tcomment=item["tcomment"],
            occurrences=[("index.md", "7")],
        )
        entry.obsolete = item["obsolete"]
        po.append(entry)
    text = po.__unicode__()
    path = tmp_path_factory.mktemp("po") / "en.po"
    path.write_text(text, encoding="utf-8")
    document = read_document(path, "en")
    assert document.render() == text
    read = [chunk.entry for chunk in document.chunks if chunk.entry is not None]
    expected = sorted(entries, key=lambda item: item["obsolete"])  # polib writes obsolete entries last
    assert len(read) == len(expected)
    for ours, item in zip(read, expected, strict=True):
        assert (ours.msgid, ours.msgstr, ours.obsolete) == (item["msgid"], item["msgstr"], item["obsolete"])
        assert ours.flags == (["fuzzy"] if item["fuzzy"] else [])
        assert ours.previous_msgid == item["previous"]
        if not item["obsolete"]:  # polib writes no comments for obsolete entries
            assert (ours.comment, ours.tcomment) == (item["comment"], item["tcomment"])
            assert ours.occurrences == [("index.md", "7")]
