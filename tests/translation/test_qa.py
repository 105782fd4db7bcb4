"""Translation QA: each finding with its file and line; --strict is the publish gate."""

from __future__ import annotations

import pytest

from build import main
from microsite.content.article import parse_article
from microsite.errors import BuildError, ContentError
from microsite.publish.builder import build_site
from microsite.translation.catalog import load_catalog
from microsite.translation.glossary import Glossary, load_glossary
from microsite.translation.qa import compare, findings
from tests.conftest import stand_in_english


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("Tăng 38,95% và 1.234,5 tấn.", "Up 38.59% and 1,234.5 tonnes.", "number mismatch: 38.95 not in the English"),
        ("Đạt 1.000.000 đồng.", "Reached 1.000.000 dong.", "number mismatch: 1000000"),
        ("Con tàu dài 260 m.", "The ship is 206 m long.", "number mismatch: 260 not in the English"),
        ("Xem [bài](https://nhandan.vn/a).", "See [the article](https://nhandan.vn/b).", "link or markup lost"),
        ("Chạy `make site` nhé.", "Run make site.", "link or markup lost: `make site`"),
        ("Rất **quan trọng**.", "Very important.", "emphasis lost"),
        ("Thương mại điện tử.", "Thương mại điện tử.", "the English is identical to the Vietnamese"),
        ("Vốn 500 tr đồng.", "Capital of VND50 million.", "number mismatch: 500 not in the English"),
        ("Khoảng 1,5 vạn người.", "About 1,500 people.", "number mismatch: 1.5 not in the English"),
        ("Họp lúc 14h30.", "The meeting is at 3:30 p.m.", "number mismatch: 14 not in the English"),
        ("Họp lúc 14 giờ 30.", "The meeting is at 2.45 pm.", "number mismatch: 30 not in the English"),
        ("9 tháng", "6M", "number mismatch: 9 not in the English"),
    ],
)
def test_each_kind_of_finding(source, target, message):
    assert any(message in finding for finding in compare(source, target)), compare(source, target)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("Ngày 25-6, tăng 38,95%.", "On June 25, up 38.95%."),
        ("Trong tháng 6 năm 2021.", "In June 2021."),
        ("Ngày 25/6/2021 tại https://x.vn/2020.", "On 25 June 2021 at https://x.vn/2020."),
        ("COVID-19", "COVID-19"),
        ("Xem [bài](https://nhandan.vn/a) và `mã`.", "See [the article](https://nhandan.vn/a) and `mã`."),
        ("Con tàu dài 260 m, rộng 37 m.", "The ship is 260 m long and 37 m wide."),  # metres, not millions
        ("Con tàu dài 260 m.", "The 260m-long ship."),
        ("Doanh thu 5 triệu USD.", "Revenue of $5m."),
        ("Đường dài 12 km.", "The road is 12 km long."),
        # Every way the Vietnamese writes amounts, times and parts, in text and table headings.
        ("Vốn 500 tr đồng.", "Capital of VND500 million."),  # tr: triệu
        ("Khoảng 1,5 vạn người.", "About 15,000 people."),  # vạn: ten thousand
        ("Họp lúc 14h30.", "The meeting is at 2:30 p.m."),
        ("Họp lúc 14 giờ 30.", "The meeting is at 2.30 pm."),
        ("Họp lúc 14g30.", "The meeting is at 14:30."),
        ("Hơn 1/3 số doanh nghiệp.", "More than a third of businesses."),
        ("Chiếm 1/4 tổng số.", "A quarter of the total."),
        ("9 tháng", "9M"),  # a table heading
        ("Sản lượng (nghìn tấn)", "Output (thousand tonnes)"),
        ("Kim ngạch đạt 1,2 tỷ USD.", "Turnover reached $1.2 billion."),
        ("Giá 25.000 đ/kg.", "The price is VND25,000 per kg."),
        ("Nhiệt độ 35 độ C.", "The temperature was 35°C."),
        ("Ngày 2/9/1945.", "On September 2, 1945."),
        ("Giai đoạn 2021 - 2025.", "The 2021–2025 period."),
    ],
)
def test_good_translations_have_no_findings(source, target):
    assert compare(source, target) == []


def test_a_glossary_term_missing_is_a_finding():
    glossary = Glossary({"Bộ Công thương": "Ministry of Industry and Trade"})
    assert compare("Bộ Công Thương họp.", "The ministry met.", glossary) == [
        "glossary: 'Bộ Công Thương' should be 'Ministry of Industry and Trade'"
    ]
    assert compare("Bộ Công Thương họp.", "The Ministry of Industry and Trade met.", glossary) == []


def test_findings_name_the_po_entry_and_the_source_line(site):
    index = site.article("bai-mot", "Tăng 38,95%.\n\nĐoạn hai.\n")
    po = site.translate("bai-mot", translation=lambda s: "Up 39%." if "38" in s else stand_in_english(s))
    text = po.read_text(encoding="utf-8").replace(
        'msgid "Đoạn hai."\nmsgstr "EN Doan hai."', 'msgid "Đoạn hai."\nmsgstr ""'
    )
    drafted = '# machine draft: test-engine 1.0\n#, fuzzy\nmsgid "Tóm tắt bài."'
    po.write_text(text.replace('msgid "Tóm tắt bài."', drafted), encoding="utf-8")
    problems = [str(p) for p in findings(parse_article(index), load_catalog(po, "en"))]
    lines = po.read_text(encoding="utf-8").splitlines()
    summary = lines.index('msgid "Tóm tắt bài."') - 1  # the entry starts at its comment line
    paragraph = lines.index('msgid "Tăng 38,95%."') + 1
    assert problems == [
        f"{po}:{summary}: machine draft, not reviewed yet (summary at index.md:5)",
        f"{po}:{paragraph}: number mismatch: 38.95 not in the English (paragraph at index.md:8)",
        f"{index}:10: untranslated paragraph: no en text in en.po yet",
    ]


def test_strict_build_and_check_refuse_machine_drafts_but_plain_ones_do_not(site, capsys):
    site.article("bai-mot", "Đoạn một.\n")
    site.translate("bai-mot", fuzzy=True)
    build_site(site.config)  # a machine-translated edition is published, with its notice
    with pytest.raises(BuildError) as caught:
        build_site(site.config, strict=True)
    assert "machine draft, not reviewed yet (title at index.md:2)" in str(caught.value)
    assert main(["check", "--root", str(site.root)]) == 0
    assert main(["check", "--strict", "--root", str(site.root)]) == 1
    assert "error: " in capsys.readouterr().err


def test_the_sample_site_passes_the_gate(sample_site):
    assert main(["check", "--strict", "--root", str(sample_site)]) == 0


def test_a_broken_glossary_is_a_clear_error(site):
    (site.root / "content" / "glossary.yaml").write_text("terms:\n  Bộ: [a, b]\n", encoding="utf-8")
    with pytest.raises(ContentError, match="must be two non-empty texts"):
        load_glossary(site.root / "content")
    (site.root / "content" / "glossary.yaml").unlink()
    (site.root / "content" / "glossary.csv").write_text("vi,en\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"content/glossary\.yaml"):
        load_glossary(site.root / "content")


def test_an_article_with_no_translation_yet_is_one_finding_that_says_what_to_run(site):
    index = site.article("bai-moi", "Một.\n\nHai.\n\nBa.\n")
    problems = findings(parse_article(index), load_catalog(index.parent / "en.po", "en"))
    assert [str(p) for p in problems] == [
        f"{index}: no en translation yet (6 segments); run `python build.py translate bai-moi` to draft it"
    ]
