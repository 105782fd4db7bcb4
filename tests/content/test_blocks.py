"""Segments are the Markdown source of each block, and blocks write back the same structure."""

from __future__ import annotations

from microsite.content.blocks import (
    FIGURE_ALT,
    FIGURE_CAPTION,
    HEADING,
    LIST_ITEM,
    PARAGRAPH,
    QUOTE,
    TABLE_CELL,
    Figure,
    ListBlock,
    Verbatim,
    parse_blocks,
)


def segments(text: str) -> list[tuple[str, str, int]]:
    return [(s.kind, s.source, s.line) for block in parse_blocks(text) for s in block.segments()]


def test_paragraphs_keep_inline_markup_and_collapse_whitespace() -> None:
    text = "Sản lượng đạt **1.234,5  triệu USD**,\ntheo [báo cáo](https://example.org/a) `mới`.\n\nĐoạn hai."
    assert segments(text) == [
        (PARAGRAPH, "Sản lượng đạt **1.234,5 triệu USD**, theo [báo cáo](https://example.org/a) `mới`.", 1),
        (PARAGRAPH, "Đoạn hai.", 4),
    ]


def test_headings_lose_their_markers() -> None:
    text = "## Tiêu đề phụ ##\n\nTiêu đề setext\n---\n\n# Một\n"
    assert segments(text) == [(HEADING, "Tiêu đề phụ", 1), (HEADING, "Tiêu đề setext", 3), (HEADING, "Một", 6)]


def test_lists_nested_and_ordered() -> None:
    text = "- Một\n- Hai\n  tiếp\n    - Hai a\n\n1. Thứ nhất\n2. Thứ hai\n"
    blocks = parse_blocks(text)
    assert [s.source for s in blocks[0].segments()] == ["Một", "Hai tiếp", "Hai a"]
    assert isinstance(blocks[0], ListBlock)
    assert [item.depth for item in blocks[0].items] == [0, 0, 1]
    assert [s.kind for s in blocks[0].segments()] == [LIST_ITEM] * 3
    assert [(i.number, i.text.source) for i in blocks[1].items] == [(1, "Thứ nhất"), (2, "Thứ hai")]


def test_quotes_give_one_segment_per_paragraph() -> None:
    text = "> Câu trích\n> dài.\n>\n> Đoạn hai.\n"
    assert segments(text) == [(QUOTE, "Câu trích dài.", 1), (QUOTE, "Đoạn hai.", 4)]


def test_table_cells_are_segments_without_pipes() -> None:
    text = "| Chỉ số | Giá trị |\n|:---|---:|\n| Tăng `a|b` | 38,95% |\n| Trống | |\n"
    assert segments(text) == [
        (TABLE_CELL, "Chỉ số", 1),
        (TABLE_CELL, "Giá trị", 1),
        (TABLE_CELL, "Tăng `a|b`", 3),
        (TABLE_CELL, "38,95%", 3),
        (TABLE_CELL, "Trống", 4),
    ]


def test_image_alone_is_a_figure_with_alt_then_caption() -> None:
    text = '![Ảnh \\[một\\]](images/a.jpg "Chú thích có \\"ngoặc\\".")\n'
    (block,) = parse_blocks(text, first_line=9)
    assert isinstance(block, Figure)
    assert block.src == "images/a.jpg"
    assert [(s.kind, s.source, s.line) for s in block.segments()] == [
        (FIGURE_ALT, "Ảnh \\[một\\]", 9),
        (FIGURE_CAPTION, 'Chú thích có "ngoặc".', 9),
    ]


def test_image_inside_text_stays_in_the_paragraph() -> None:
    assert segments("Xem ![ảnh](a.jpg) bên cạnh.") == [(PARAGRAPH, "Xem ![ảnh](a.jpg) bên cạnh.", 1)]


def test_code_html_and_rules_are_not_translated() -> None:
    text = "```\ncode: không dịch\n```\n\n<div>\nHTML\n</div>\n\n---\n\n[ref]: https://example.org\n"
    blocks = parse_blocks(text)
    assert all(isinstance(b, Verbatim) for b in blocks)
    assert segments(text) == []
