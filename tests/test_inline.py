"""Broken inline Markdown never reaches readers: found in the Vietnamese and in every translation."""

from __future__ import annotations

import pytest

from microsite.errors import BuildError
from microsite.inline import markup_problems, new_problems
from microsite.publish.builder import build_site, check_site
from tests.faults import cli

BROKEN = [  # text, what the reader would see left over
    ('Ảnh ![Tàu container](images/x.jpg "Cảng Cái Mép"', "broken image syntax"),
    ("Xem [bài gốc(https://nhandan.vn/bai)", "unclosed [ or ]"),
    ("Xem [bài gốc] (https://nhandan.vn/bai)", "broken link syntax"),
    ("Xem [bài gốc]https://nhandan.vn/bai)", "broken link syntax"),
    ("Theo [nguồn][ref] đã dẫn", "link reference that is not defined"),
    ("Giá **tăng mạnh trong quý", "unclosed bold"),
    ("Giá __tăng mạnh trong quý", "unclosed bold"),
    ("Lệnh `pip install chạy", "unclosed code span"),
]
MAYBE_MEANT = [
    ("*Ghi chú: số liệu tạm tính", "lone *"),
    ("Diện tích 2 * 3 mét", "lone *"),
    ("tệp _nhap.txt", "lone _"),
    ("hệ số 2] theo báo cáo", "unclosed [ or ]"),
]
FINE = [
    "Văn bản thường, không có đánh dấu (kể cả ngoặc đơn).",
    'Xem [bài gốc](https://nhandan.vn/bai) và [ảnh](https://x.vn/a "tiêu đề").',
    "Giá **tăng** và *giảm* và _nghiêng_ và `mã *lệnh*`.",
    "Ghi chú \\* thoát ký tự, \\[không phải liên kết\\], \\_x.",
    "tên_tệp_dài.txt và a*b*c",
    "[sic] nguyên văn và <https://nhandan.vn>",
    "[Ảnh] (TTXVN) và [Video] trực tiếp (quý I)",
]


@pytest.mark.parametrize(("text", "what"), BROKEN)
def test_syntax_that_can_only_be_a_mistake_is_an_error(text: str, what: str) -> None:
    (problem,) = markup_problems(text)
    assert problem.error and what in problem.message
    assert problem.excerpt.strip("…") in text  # shows where, as the reader would see it


@pytest.mark.parametrize(("text", "what"), MAYBE_MEANT)
def test_a_mark_the_writer_may_have_meant_is_a_warning(text: str, what: str) -> None:
    (problem,) = markup_problems(text)
    assert not problem.error and what in problem.message


@pytest.mark.parametrize("text", FINE)
def test_well_formed_markup_and_escaped_characters_pass(text: str) -> None:
    assert markup_problems(text) == ()


def test_a_defined_reference_is_a_link() -> None:
    assert markup_problems("Theo [nguồn][ref].", "[ref]: https://nhandan.vn") == ()


def test_a_translation_is_held_to_what_its_source_has() -> None:
    assert new_problems("Giá **tăng**.", "Prices ** rose.")[0].error
    assert new_problems("Diện tích 2 * 3 mét", "An area of 2 * 3 metres") == []  # the source's own, reported there


def test_a_figure_line_missing_its_bracket_stops_the_build_with_its_line(site) -> None:
    site.article("bai", body='Đoạn một.\n\n![Tàu container](images/x.jpg "Cảng"\n\nĐoạn ba.\n')
    result = cli("build", "--root", str(site.root))
    assert result.returncode == 1, result.stderr
    assert "content/bai/index.md:10: broken image syntax" in result.stderr
    assert not (site.root / "site").exists()


def test_a_lone_star_is_a_warning_and_strict_refuses_it(site) -> None:
    site.article("bai", body="Diện tích 2 * 3 mét.\n")
    result = cli("build", "--root", str(site.root))
    assert result.returncode == 0 and "index.md:8: a lone * shown as it is" in result.stderr
    assert cli("build", "--strict", "--root", str(site.root)).returncode == 1


def test_a_broken_translation_on_a_published_page_stops_the_build(site) -> None:
    site.article("bai", body="Xem [bài gốc](https://nhandan.vn/bai).\n")
    po = site.translate("bai", translation=lambda s: s.replace("](", "] (").replace("Xem", "See"))
    with pytest.raises(BuildError) as raised:
        build_site(site.config)
    (problem,) = raised.value.problems
    assert problem.path == po and "broken link syntax" in problem.message and "index.md:8" in problem.message


def test_a_held_back_draft_with_broken_markup_is_a_finding_not_a_build_error(site) -> None:
    site.article("bai", body="Giá **tăng** mạnh.\n")
    site.translate("bai", fuzzy=True, translation=lambda s: s.replace("**tăng**", "** rose"))
    result = build_site(site.config)  # publish = "reviewed": the draft is held back, the Vietnamese is published
    assert (site.root / "site" / "bai" / "index.html").exists() and not (site.root / "site" / "en" / "bai").exists()
    assert any("held back" in str(w) for w in result.warnings)
    records, _, _ = check_site(site.config)
    findings = [str(f) for record in records for found in record.findings.values() for f in found]
    assert any("unclosed bold" in f for f in findings)
    site.publish_drafts()  # once drafts are published, the broken text would reach readers: refused
    with pytest.raises(BuildError):
        build_site(site.config)
