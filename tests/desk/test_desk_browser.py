"""The review desk end to end in real headless Chromium, against a running ``python build.py serve``."""

from __future__ import annotations

import json

import polib
import pytest

from microsite.translation.merge import FRESH
from tests.browser import serving, wait_for
from tests.desk.test_desk import BODY
from tests.needs import need_axe

pytestmark = pytest.mark.external
RENDERED = (
    'A paragraph with <strong>bold</strong> and a <a href="https://example.org/" rel="noopener noreferrer">link</a>.'
)


@pytest.fixture
def desk(site, browser):
    """The sample article as machine drafts, served; the browser on its desk page."""
    site.article("bai", body=BODY, photos=("images/cang.jpg",))
    site.translate("bai", fuzzy=True, translation=lambda source: f"Draft: {source}")
    site.publish_drafts()  # the English page shows the drafts while they are corrected
    with serving(site.root) as served:
        served.po = site.root / "content" / "bai" / "en.po"
        served.page = f"{served.url}/_review/en/bai/"
        yield served
    for handle in browser.window_handles[1:]:
        browser.switch_to.window(handle)
        browser.close()
    browser.switch_to.window(browser.window_handles[0])


def by_css(browser, selector: str):
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, selector)


def entry(path, msgid: str) -> polib.POEntry:
    return next(item for item in polib.pofile(str(path)) if item.msgid == msgid)


def status_is(browser, text: str) -> bool:
    return by_css(browser, "#status").text == text


def keys(browser, *sequence) -> None:
    """Press keys as a person would: ("ctrl", "ENTER") holds Control while pressing Enter."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    chain = ActionChains(browser)
    for key in sequence:
        if isinstance(key, tuple):
            modifier = getattr(Keys, key[0].upper())
            chain.key_down(modifier).send_keys(getattr(Keys, key[1], key[1])).key_up(modifier)
        else:
            chain.send_keys(key)
    chain.perform()


def test_correct_and_approve_a_machine_draft_and_the_english_page_reloads(desk, browser) -> None:
    browser.get(f"{desk.url}/_review/")
    by_css(browser, "tbody a").click()
    wait_for(lambda: browser.current_url == desk.page)
    english_url = by_css(browser, "#english-page").get_attribute("href")
    desk_window = browser.current_window_handle
    browser.switch_to.new_window("tab")
    browser.get(english_url)
    wait_for(lambda: browser.execute_script("return window.LiveReload !== undefined"))
    browser.execute_script("window.notReloaded = true")
    browser.switch_to.window(desk_window)

    paragraph = by_css(browser, "#s-4 textarea")
    source = by_css(browser, "#s-4 input[name=source]").get_attribute("value")
    paragraph.clear()
    paragraph.send_keys("A paragraph with **bold** and a [link](https://example.org/).")
    by_css(browser, "#s-4 button[value=approve]").click()
    wait_for(lambda: status_is(browser, "Approved segment 4."))
    assert by_css(browser, "#s-4").get_attribute("data-state") == "reviewed"
    assert by_css(browser, "#s-4 .preview").get_attribute("innerHTML") == RENDERED
    assert by_css(browser, '.total[data-state="reviewed"] strong').text == "1"
    saved = entry(desk.po, source)
    assert saved.msgstr == "A paragraph with **bold** and a [link](https://example.org/)."
    assert "fuzzy" not in saved.flags

    browser.switch_to.window(browser.window_handles[1])
    wait_for(lambda: browser.execute_script("return window.notReloaded === undefined"))
    article = by_css(browser, "article").get_attribute("innerHTML")
    assert RENDERED in article


def test_resolve_a_stale_segment_with_the_fresh_machine_draft(desk, browser) -> None:
    po = polib.pofile(str(desk.po))
    title = po[0]
    title.previous_msgid = "Tiêu đề bài cũ"
    title.flags = ["fuzzy"]
    title.msgstr = "Old article title"
    title.tcomment = f"{FRESH} (fake 1.0): New article title"
    po.save(str(desk.po))
    browser.get(desk.page)
    assert by_css(browser, "#s-1").get_attribute("data-state") == "stale"
    assert by_css(browser, "#s-1 .before del").text == "cũ" and by_css(browser, "#s-1 .after ins").text == "viết"
    assert by_css(browser, "#s-1 textarea").get_attribute("value") == "Old article title"
    by_css(browser, "#s-1 .use-fresh").click()
    assert by_css(browser, "#s-1 textarea").get_attribute("value") == "New article title"
    by_css(browser, "#s-1 button[value=approve]").click()
    wait_for(lambda: status_is(browser, "Approved segment 1."))
    assert browser.find_elements("css selector", "#s-1 .stale, #s-1 .fresh") == []
    resolved = entry(desk.po, title.msgid)
    assert (resolved.msgstr, resolved.flags, resolved.previous_msgid, resolved.tcomment) == (
        "New article title",
        [],
        None,
        "",
    )


def test_approve_with_the_keyboard_only(desk, browser) -> None:
    browser.get(desk.page)
    wait_for(lambda: browser.switch_to.active_element.get_attribute("id") == "t-1")  # first needing work
    keys(browser, ("control", "END"), " (checked)", ("control", "ENTER"))
    wait_for(lambda: status_is(browser, "Approved segment 1."))
    assert browser.switch_to.active_element.get_attribute("id") == "t-2"
    keys(browser, ("alt", "ARROW_DOWN"), ("alt", "ARROW_DOWN"))
    assert browser.switch_to.active_element.get_attribute("id") == "t-4"
    keys(browser, ("alt", "ARROW_UP"))
    assert browser.switch_to.active_element.get_attribute("id") == "t-3"
    keys(browser, ("control", "END"), " Edited.", ("control", "s"))
    wait_for(lambda: status_is(browser, "Saved segment 3."))
    keys(browser, ("control", "ENTER"))
    wait_for(lambda: status_is(browser, "Approved segment 3."))
    assert browser.switch_to.active_element.get_attribute("id") == "t-4"  # the next one needing work
    po = polib.pofile(str(desk.po))
    assert po[0].msgstr == "Draft: Tiêu đề bài viết (checked)" and "fuzzy" not in po[0].flags
    assert po[2].msgstr.endswith(" Edited.") and "fuzzy" not in po[2].flags
    assert "fuzzy" in po[1].flags and "fuzzy" in po[3].flags


def test_a_file_changed_on_disk_loses_nothing(desk, browser) -> None:
    browser.get(desk.page)
    po = polib.pofile(str(desk.po))
    po[1].msgstr = "Summary fixed in Poedit"
    po[6].msgstr = "Heading fixed in Poedit"
    po.save(str(desk.po))
    on_disk = desk.po.read_bytes()
    area = by_css(browser, "#s-2 textarea")
    area.clear()
    area.send_keys("Summary typed in the desk")
    by_css(browser, "#s-2 button[value=approve]").click()
    wait_for(lambda: by_css(browser, "#s-2 .conflict").is_displayed())
    assert desk.po.read_bytes() == on_disk
    assert by_css(browser, "#s-2 .conflict .theirs").text == "Summary fixed in Poedit (machine draft)"
    assert by_css(browser, "#s-2 .conflict .yours").text == "Summary typed in the desk"
    assert area.get_attribute("value") == "Summary typed in the desk"
    assert "changed on disk" in by_css(browser, "#status").text

    by_css(browser, "#s-2 .conflict button").click()  # keep mine
    wait_for(lambda: status_is(browser, "Approved segment 2."))
    after = polib.pofile(str(desk.po))
    assert after[1].msgstr == "Summary typed in the desk" and "fuzzy" not in after[1].flags
    assert after[6].msgstr == "Heading fixed in Poedit"  # the other editor's change is still there

    by_css(browser, "#s-7 button[value=save]").click()  # loaded before Poedit's change: refused too
    wait_for(lambda: by_css(browser, "#s-7 .conflict").is_displayed())
    assert by_css(browser, "#s-7 .conflict .theirs").text == "Heading fixed in Poedit (machine draft)"
    assert entry(desk.po, po[6].msgid).msgstr == "Heading fixed in Poedit"


def test_a_save_is_merged_when_only_other_entries_changed_on_disk(desk, browser) -> None:
    browser.get(desk.page)
    po = polib.pofile(str(desk.po))
    for entry_ in po[3:]:  # as a translate run or another editor leaves the file: other entries changed
        entry_.msgstr = f"{entry_.msgstr} (redrafted)"
    po.save(str(desk.po))
    area = by_css(browser, "#s-2 textarea")
    area.clear()
    area.send_keys("Summary typed in the desk")
    by_css(browser, "#s-2 button[value=approve]").click()
    wait_for(lambda: status_is(browser, "Approved segment 2."))
    assert not by_css(browser, "#s-2 .conflict").is_displayed()
    after = polib.pofile(str(desk.po))
    assert after[1].msgstr == "Summary typed in the desk" and "fuzzy" not in after[1].flags
    assert [e.msgstr for e in after[3:]] == [e.msgstr for e in po[3:]]  # their changes are all kept
    by_css(browser, "#s-1 button[value=approve]").click()  # an entry nobody touched: saved as well
    wait_for(lambda: status_is(browser, "Approved segment 1."))
    assert "fuzzy" not in polib.pofile(str(desk.po))[0].flags


def test_posts_without_token_or_from_another_origin_are_refused(desk, browser) -> None:
    browser.get(desk.page)
    before = desk.po.read_bytes()
    form = browser.execute_script(
        "const f = document.querySelector('#s-1 form'); return Object.fromEntries(new FormData(f));"
    )
    post = """
        const [url, fields, mode, done] = arguments;
        fetch(url, {method: 'POST', body: new URLSearchParams(fields), mode, headers: {Accept: 'application/json'}})
          .then(r => mode === 'no-cors' ? done('sent') : r.text().then(t => done(r.status + ' ' + t)))
          .catch(e => done('failed: ' + e));
    """
    save = f"{desk.url}/_review/en/bai/save"
    tokenless = {key: value for key, value in form.items() if key != "token"} | {"action": "approve"}
    answer = browser.execute_async_script(post, save, tokenless, "cors")
    status, body = answer.split(" ", 1)
    assert status == "403" and "token" in json.loads(body)["error"]

    # The same form, token and all, from a page of another origin (localhost is not 127.0.0.1).
    browser.get(f"http://localhost:{desk.port}/repo/")
    answer = browser.execute_async_script(post, save, form | {"action": "approve"}, "no-cors")
    assert answer == "sent"
    wait_for(lambda: "requests from another origin (http://localhost" in desk.log)
    assert desk.po.read_bytes() == before


@pytest.mark.parametrize("page", ["overview", "article", "conflict"])
def test_no_axe_core_violations(desk, browser, page) -> None:
    axe = need_axe()
    po = polib.pofile(str(desk.po))
    po[0].previous_msgid = "Tiêu đề bài cũ"
    po[0].tcomment = f"{FRESH} (fake 1.0): Fresh title"
    po.save(str(desk.po))
    browser.get(f"{desk.url}/_review/" if page == "overview" else desk.page)
    if page == "conflict":
        po[1].msgstr = "Summary fixed in Poedit"
        po.save(str(desk.po))
        by_css(browser, "#s-2 button[value=approve]").click()
        wait_for(lambda: by_css(browser, "#s-2 .conflict").is_displayed())
    browser.execute_script(axe)
    result = browser.execute_async_script(
        "const done = arguments[0];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));"
    )
    assert result == [], json.dumps(result, indent=1)[:3000]
