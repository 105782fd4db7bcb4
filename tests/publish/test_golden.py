"""Where the output format is the contract, the sample site's output is compared byte for byte.

Feeds, the sitemap and the PO files that translate and the desk write are read by other programs
(feed readers, search engines, Poedit, Weblate, msgfmt). After an intended change, regenerate with:

    python -m pytest tests/publish/test_golden.py --update-golden
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


def test_po_output_of_a_translate_run_and_a_desk_save(site, golden, fake_engine) -> None:
    """The PO files translate and the desk write are read by Poedit, Weblate, msgfmt: byte for byte."""
    import datetime as dt

    from microsite.desk.review import review_article, save_entry
    from microsite.translation.translate import plan_translation, run_translation

    index = site.article(
        "bai",
        body="Đoạn **một** giữ nguyên.\n\nĐoạn hai sẽ được sửa lại.\n\nĐoạn ba sẽ bị xoá.\n\n- Mục một\n",
    )
    site.translate("bai", translation=lambda source: f"Reviewed: {source}")
    text = index.read_text(encoding="utf-8")
    index.write_text(
        text.replace("Đoạn hai sẽ được sửa lại.", "Đoạn hai đã được sửa lại.").replace("Đoạn ba sẽ bị xoá.\n\n", "")
        + "\nĐoạn bốn mới, 1.234,5 tấn.\n",
        encoding="utf-8",
    )
    now = dt.datetime(2024, 5, 7, 8, 30, tzinfo=dt.UTC)
    result = run_translation(plan_translation(site.config), lambda source, target: fake_engine, now=now)
    po = index.parent / "en.po"
    assert result.written == [po]
    golden("translate.po", po.read_text(encoding="utf-8"))

    loaded = review_article(site.config, "bai", "en").version_of("Đoạn bốn mới, 1.234,5 tấn.")
    save_entry(site.config, "bai", "en", "Đoạn bốn mới, 1.234,5 tấn.", "Paragraph four, 1,234.5 tonnes.", True, loaded)
    golden("desk-save.po", po.read_text(encoding="utf-8"))
