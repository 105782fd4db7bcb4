"""QA editors can trust: planted errors found, clean translations left alone, one count everywhere."""

from __future__ import annotations

import re

import polib
import pytest

from build import main
from microsite.desk.review import review_articles
from microsite.translation.glossary import Glossary
from microsite.translation.qa import compare
from tests.translation.qa_planted import CLEAN, PLANTED


@pytest.mark.parametrize(("kind", "source", "english"), CLEAN, ids=[c[2][:40] for c in CLEAN])
def test_a_clean_translation_raises_no_alarm(kind: str, source: str, english: str) -> None:
    assert compare(source, english, kind=kind) == []


@pytest.mark.parametrize(("index", "english", "what", "finding"), PLANTED, ids=[p[2] for p in PLANTED])
def test_each_planted_error_is_found_as_what_it_is(index: int, english: str, what: str, finding: str) -> None:
    kind, source, _ = CLEAN[index]
    found = compare(source, english, kind=kind)
    assert len(found) == 1 and found[0].startswith(finding), (what, found)  # the planted error, and only it


@pytest.mark.parametrize(
    ("source", "english"),
    [
        ("Sản lượng tăng gấp 2 lần.", "Output doubled."),
        ("Thu 1,5 triệu đồng.", "Collected VND1,500,000."),
        ("Họp vào thứ Năm.", "Met on Thursday."),
        ("Lần thứ 3 tổ chức.", "Held for the 3rd time."),
        ("9 tháng đầu năm 2024", "9M 2024"),
        ("Quý IV/2023", "fourth quarter of 2023"),
        ("Nhà máy Thủy điện Hòa Bình", "Hòa Bình Hydropower Plant"),
        ("Giảm 500 đồng/lít từ 15 giờ chiều nay.", "Down 500 dong a litre from 3 p.m. today."),
        ("Lũy kế 5 tháng, xuất siêu 8,6 tỷ USD.", "In the first five months, a trade surplus of $8.6 billion."),
        ("Trong 5 tháng, đạt 3 tỷ.", "In the first five months, reached 3 billion."),
        ("Kỳ họp thứ 7, Quốc hội khóa XV.", "The 7th session of the 15th National Assembly."),
        ("Thu ngân sách đạt 1,2 triệu tỷ đồng.", "Budget revenue reached VND1,200 trillion."),
    ],
)
def test_equivalents_a_careful_editor_writes_are_accepted(source: str, english: str) -> None:
    assert compare(source, english) == []


def test_vietnamese_letters_are_fine_in_kept_names_and_names_the_source_has() -> None:
    glossary = Glossary({"Nhân Dân": "Nhân Dân"})
    assert compare("Báo Nhân Dân đưa tin.", "The Nhân Dân newspaper reported.", glossary) == []
    assert compare("Tăng trưởng đạt 7%.", "Tăng trưởng reached 7%.")  # a sentence's first word is no name
    assert "đề" in compare("Đề án mới.", "The new đề án.")[0]
    assert compare("Huế đẹp.", "The city of Huế is beautiful.") == []  # a name at the start of the source


def test_check_and_the_desk_count_the_same_qa_findings(site, capsys) -> None:
    site.article("bai", body="Tăng 38,95% trong quý I.\n\nCầu Bến Thủy II.\n\nĐoạn ba.\n")
    po = site.translate("bai", fuzzy=True)
    catalog = polib.pofile(str(po))
    for entry in catalog:
        entry.msgstr = {
            "Tăng 38,95% trong quý I.": "Up 38.59% in Q2.",
            "Cầu Bến Thủy II.": "Ben Thuy Bridge.",
        }.get(entry.msgid, entry.msgstr)
    catalog.save(str(po))
    assert main(["check", "--root", str(site.root)]) == 0
    out = capsys.readouterr().out
    (line,) = [line for line in out.splitlines() if line.startswith("  en:")]
    shown = int(re.search(r"(\d+) QA finding", line).group(1))
    (desk,) = review_articles(site.config)
    assert shown == desk.findings == 3  # number, period, numeral; the drafts are counted apart
    assert "3 QA finding(s), 6 review finding(s)" in out


@pytest.mark.parametrize(
    ("source", "english"),
    [
        ("Đạt 15 nghìn tỷ đồng.", "Reached VND15 billion."),  # the digits kept, the scale wrong
        ("Lũy kế 5 tháng đạt 3 tỷ.", "In the first six months, reached 3 billion."),
        ("Từ 15 giờ.", "From 5 p.m."),
    ],
)
def test_a_wrong_scale_count_or_hour_is_still_found(source: str, english: str) -> None:
    assert compare(source, english)
