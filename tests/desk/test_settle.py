"""Settling a QA finding in the desk: kept in the catalog with the editor's reason, respected by
check and --strict, kept through translate and desk saves, and raised again once either text changes."""

from __future__ import annotations

import polib
import pytest

from microsite.translation.catalog import SETTLED, settlement_key, settlements
from tests.desk.test_desk import Client, version
from tests.faults import cli

HOLIDAY = "Ngày 2-9, cả nước nghỉ lễ."
ENGLISH = {
    "Ngày lễ": "The holiday",
    HOLIDAY: "On National Day, the whole country has a holiday.",  # right, but "2" is not in it
    "Đoạn thứ hai.": "The second paragraph.",
}
FINDING = "number mismatch: 2 not in the English"
REASON = "National Day is the 2 September holiday; its name is the translation"


@pytest.fixture
def holiday(site):
    site.article("le", body=f"{HOLIDAY}\n\nĐoạn thứ hai.\n", front='title: "Ngày lễ"\ndate: 2024-09-02\n')
    site.translate("le", translation=ENGLISH.__getitem__)  # reviewed
    return site


def settle(client: Client, source: str, finding: str, reason: str, number: int = 0) -> tuple[int, dict]:
    fields = {"source": source, "version": version(client, source, "le"), "finding": finding, "reason": reason}
    return client.save("le", action=f"settle {number}", **fields)


def settled_in(site, source: str) -> dict[str, str]:
    """The settlements en.po holds for an entry (reasons the PO writer wrapped are read whole)."""
    po = polib.pofile(str(site.root / "content/le/en.po"))
    return settlements(next(item for item in po if item.msgid == source).tcomment)


def test_a_settled_finding_is_kept_with_its_reason_and_respected_until_a_text_changes(holiday) -> None:
    from microsite.desk.app import Desk

    client = Client(Desk(lambda: holiday.config, saved=lambda path: None))
    strict = cli("check", "--strict", "--root", str(holiday.root))
    assert strict.returncode == 1 and FINDING in strict.stderr

    page = client.page("/_review/en/le/")
    segment = next(item for item in page.select("li.segment") if HOLIDAY in item.get_text())
    assert [node.get_text() for node in segment.select(".findings .finding")] == [FINDING]
    assert segment.select_one("button.settle")["value"] == "settle 0"

    assert settle(client, HOLIDAY, FINDING, "  ")[0] == 400  # a reason is required
    assert settle(client, HOLIDAY, "emphasis lost", REASON)[0] == 409  # not a finding of this entry
    status, data = settle(client, HOLIDAY, FINDING, REASON)
    assert status == 200 and data["findings"] == [] and data["settled"] == [f"{FINDING} (settled: {REASON})"]
    key = settlement_key(HOLIDAY, ENGLISH[HOLIDAY], FINDING)
    assert settled_in(holiday, HOLIDAY) == {key: REASON}
    assert data["state"] == "reviewed"  # the text and its state are left as they were

    page = client.page("/_review/en/le/")
    segment = next(item for item in page.select("li.segment") if HOLIDAY in item.get_text())
    assert segment.select(".findings li") == [] and REASON in segment.select_one(".settled").get_text()
    checked = cli("check", "--strict", "--root", str(holiday.root))
    assert checked.returncode == 0, checked.stderr
    assert cli("--strict", "--root", str(holiday.root)).returncode == 0  # the publish gate too

    # Kept through a desk save of the same English and through translate (no model installed:
    # the edited paragraph goes stale, the file is rewritten).
    status, _ = client.save("le", source=HOLIDAY, text=ENGLISH[HOLIDAY], version=version(client, HOLIDAY, "le"))
    assert status == 200 and settled_in(holiday, HOLIDAY) == {key: REASON}
    index = holiday.root / "content/le/index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("Đoạn thứ hai.", "Đoạn thứ ba."), encoding="utf-8")
    env_free = cli("translate", "--root", str(holiday.root))
    assert "Đoạn thứ ba." in (holiday.root / "content/le/en.po").read_text(encoding="utf-8"), env_free.stderr
    assert settled_in(holiday, HOLIDAY) == {key: REASON}
    assert FINDING not in cli("check", "--root", str(holiday.root)).stderr

    # The English changes: the finding is raised again.
    other = "On National Day the whole country rests."
    assert client.save("le", source=HOLIDAY, text=other, version=version(client, HOLIDAY, "le"))[1]["findings"] == [
        FINDING
    ]
    assert FINDING in cli("check", "--root", str(holiday.root)).stderr
    # Settled again, then the Vietnamese changes: raised again (and the entry is stale).
    assert settle(client, HOLIDAY, FINDING, REASON)[1]["findings"] == []
    index.write_text(index.read_text(encoding="utf-8").replace("Ngày 2-9,", "Sáng 2-9,"), encoding="utf-8")
    cli("translate", "--root", str(holiday.root))
    check = cli("check", "--root", str(holiday.root))
    assert f"{FINDING} (paragraph" in check.stderr and "stale" in check.stderr


def test_a_settlement_never_hides_another_finding_of_the_entry(holiday) -> None:
    po_path = holiday.root / "content/le/en.po"
    po = polib.pofile(str(po_path))
    entry = next(item for item in po if item.msgid == HOLIDAY)
    entry.tcomment = f"{SETTLED}{settlement_key(HOLIDAY, entry.msgstr, 'emphasis lost')} wrong key"
    po.save(str(po_path))
    assert FINDING in cli("check", "--root", str(holiday.root)).stderr
