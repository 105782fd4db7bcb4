"""The machine-translation layer on a real (tiny) Argos package: parity, batching, installing, offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polib
import pytest

from microsite.translation import machine
from microsite.translation.glossary import Glossary
from microsite.translation.machine import MachineTranslationError, check_archive, split_sentences
from microsite.translation.protect import english_number, mask
from microsite.translation.translate import translate_segments
from tests.conftest import REPO

SENTENCES = [
    "Ngày 25-6, đoàn công tác của tỉnh Quảng Ninh đã làm việc với Bộ Công thương.",
    "Tôi đọc bài báo. Hôm nay trời đẹp! Xuất khẩu 1.234,5 tấn hàng?",
    "Một",
    "Tỉnh có **công** việc và [bài báo](https://nhandan.vn/bai_bao) của `ta`.",
    "Dòng một\nDòng hai. Câu ba.",
    " ".join(["tỉnh và năm"] * 120),  # a long sentence: 360 words
]


@pytest.fixture(scope="module")
def engine(argos_package):
    return machine.load_engine("vi", "en")


def test_the_engine_gives_the_same_english_as_argostranslate(engine):
    """Parity: our batched path against argostranslate.translate.translate, one segment at a time."""
    import argostranslate.translate

    ours = engine.translate(SENTENCES[:-1])
    theirs = [argostranslate.translate.translate(text, "vi", "en") for text in SENTENCES[:-1]]
    assert ours == theirs
    assert ours[0].startswith("Day 25-6, delegation work duty of province Quảng Ninh did do job with")
    assert ours[1] == "I read article newspaper. Yesterday now sky beautiful! Xuất port 1.234,5 tonnes goods?"


def test_a_long_sentence_is_not_cut_at_256_tokens(engine):
    import argostranslate.translate

    engine.truncated.clear()  # the engine is shared by this module's tests: count only this call
    english = engine.translate([SENTENCES[-1]])[0]
    assert english == " ".join(["province and year"] * 120)
    assert engine.truncated == []
    # argostranslate stops at 256 tokens and says nothing
    assert len(argostranslate.translate.translate(SENTENCES[-1], "vi", "en")) < len(english)


def test_progress_is_reported_per_batch(engine):
    done = []
    engine.translate(["Một"] * 40, done.append)
    assert sum(done) == 40 and len(done) == 3


def test_the_engine_label_names_engine_package_and_version(engine):
    assert engine.label == f"argostranslate {machine.argos_version()}, translate-vi_en 0.1"


def test_markup_urls_glossary_and_numbers_survive(engine):
    glossary = Glossary({"Quảng Ninh": "Quang Ninh", "Bộ Công thương": "Ministry of Industry and Trade"})
    sources = [
        'Tỉnh Quảng Ninh có **công** việc và [bài báo](https://nhandan.vn/bai_bao "Nhân Dân") với `mã_số`.',
        "Xuất khẩu tăng 38,95% đạt 1.234,5 tấn, xem https://example.org/so_lieu?a=1 và <b>hàng</b>.",
        "Bộ công thương và tỉnh quảng ninh.",
    ]
    drafts, retried = translate_segments(engine, sources, glossary)
    assert drafts[sources[0]] == (
        # the fixture glosses lower-case words after a space only: "Tỉnh", "**công", "[bài" stay
        'Tỉnh Quang Ninh has **công** job and [bài newspaper](https://nhandan.vn/bai_bao "Nhân Dân") with `mã_số`.'
    )
    assert drafts[sources[1]] == (
        "Xuất port tăng 38.95% đạt 1,234.5 tonnes, xem https://example.org/so_lieu?a=1 and <b>hàng</b>."
    )
    assert drafts[sources[2]] == "Ministry of Industry and Trade and province Quang Ninh."
    assert retried == 0


def test_an_engine_that_drops_markup_is_retried_piece_by_piece(engine):
    class Careless:
        label = "careless"

        def __init__(self):
            self.calls = []

        def translate(self, texts, progress=None):
            self.calls.append(list(texts))
            # loses placeholders and emphasis on the whole segment, like a real model can
            return [engine.translate([t.replace("QZ1X", "").replace("**", "")])[0] for t in texts]

    careless = Careless()
    source = "Tỉnh có **công** việc, xem [bài](https://x.vn/a_b)."
    drafts, retried = translate_segments(careless, [source], Glossary())
    assert retried == 1
    assert drafts[source] == "Tỉnh has **work** job, xem [article](https://x.vn/a_b)."
    assert careless.calls[1] == ["Tỉnh có", "công", "việc, xem", "bài"]


def test_numbers_are_written_the_english_way():
    assert english_number("1.234,5") == "1,234.5"
    assert english_number("38,95") == "38.95"
    assert english_number("1.000.000") == "1,000,000"
    slots = mask("Năm 2021 tăng 38,95%, ngày 25-6, 1.234 tấn, mục 1, 2 và 3").slots
    assert sorted(slots.values()) == ["1,234", "38.95"]


def test_the_punctuation_splitter():
    assert split_sentences("Câu một. Câu hai! “Câu ba?” Câu bốn") == ["Câu một.", "Câu hai!", "“Câu ba?”", "Câu bốn"]
    assert split_sentences("TP. Hồ Chí Minh và GS. Nguyễn Văn A đã đến. Xong.") == [
        "TP. Hồ Chí Minh và GS. Nguyễn Văn A đã đến.",
        "Xong.",
    ]
    assert split_sentences("Giá 1.234,5 đồng. 3 người đến.") == ["Giá 1.234,5 đồng.", "3 người đến."]


def test_a_package_without_a_splitter_uses_the_rule_and_never_the_network(argos_package, tmp_path):
    """Even with no sentence splitter packaged, nothing is downloaded (the index points nowhere)."""
    info, archive = argos_package
    stripped = tmp_path / "nosplit.argosmodel"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(stripped, "w") as target:
        for item in source.infolist():
            if "/minisbd/" not in item.filename:
                target.writestr(item.filename.replace("fixture", "nosplit"), source.read(item))
    folder = Path(os.environ["ARGOS_PACKAGES_DIR"])
    installed = machine.install_file(stripped, "vi", "en")
    try:
        from argostranslate.package import Package

        engine = machine.Engine(Package(installed.path))
        assert engine.translate(["Tôi đọc bài báo. Hôm nay trời đẹp!"]) == [
            "I read article newspaper. Yesterday now sky beautiful!"
        ]
    finally:
        import shutil

        shutil.rmtree(installed.path)
    assert (folder / info.path.name).is_dir()


# Installing packages


def archive_with(tmp_path: Path, files: dict[str, bytes], name: str = "pkg.argosmodel") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return path


GOOD = {
    "translate-vi_en/metadata.json": json.dumps(
        {"from_code": "vi", "to_code": "en", "package_version": "1.9"}
    ).encode(),
    "translate-vi_en/model/model.bin": b"0",
    "translate-vi_en/sentencepiece.model": b"0",
}


def test_a_nul_in_a_member_name_is_refused(tmp_path):
    """zipfile cuts a name at its NUL (``a\\0b`` unpacks as ``a``): refused, not quietly renamed."""
    path = archive_with(tmp_path, {**GOOD, "translate-vi_en/aQQb": b"x"})
    path.write_bytes(path.read_bytes().replace(b"aQQb", b"a\x00\x00b"))  # same length: the headers stay valid
    with pytest.raises(MachineTranslationError, match="holds a control character"):
        check_archive(path, "vi", "en")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({**GOOD, "../evil.txt": b"x"}, "would be written outside the package"),
        ({**GOOD, "/etc/evil": b"x"}, "would be written outside the package"),
        ({**GOOD, "other/file": b"x"}, "one top-level folder, this has 2"),
        ({"translate-vi_en/model/model.bin": b"0"}, "no translate-vi_en/metadata.json"),
        ({**GOOD, "translate-vi_en/metadata.json": b"{nope"}, "is not valid JSON"),
        (
            {**GOOD, "translate-vi_en/metadata.json": json.dumps({"from_code": "en", "to_code": "vi"}).encode()},
            "this package translates en→vi; the site needs vi→en",
        ),
        ({k: v for k, v in GOOD.items() if "model.bin" not in k}, "no translate-vi_en/model/model.bin"),
        ({k: v for k, v in GOOD.items() if "sentencepiece" not in k}, "no tokenizer"),
        ({**GOOD, "translate-vi_en/a\nb": b"x"}, "holds a control character"),
        (
            {
                **GOOD,
                "translate-vi_en/metadata.json": json.dumps(
                    {"from_code": "vi", "to_code": "en", "package_version": 1.9}
                ).encode(),
            },
            "package_version must be text such as",
        ),
    ],
)
def test_a_bad_package_is_refused_before_anything_is_unpacked(tmp_path, files, message):
    path = archive_with(tmp_path, files)
    with pytest.raises(MachineTranslationError) as caught:
        check_archive(path, "vi", "en")
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_not_a_zip_and_too_big_are_refused(tmp_path, monkeypatch):
    text = tmp_path / "notes.argosmodel"
    text.write_text("hello")
    with pytest.raises(MachineTranslationError, match="not an Argos package"):
        check_archive(text, "vi", "en")
    monkeypatch.setattr(machine.packages, "MAX_PACKAGE_BYTES", 10)
    with pytest.raises(MachineTranslationError, match="over the"):
        check_archive(archive_with(tmp_path, {**GOOD, "translate-vi_en/big": b"x" * 100}), "vi", "en")


def test_a_symlink_in_the_archive_is_refused(tmp_path):
    path = archive_with(tmp_path, GOOD)
    with zipfile.ZipFile(path, "a") as archive:
        link = zipfile.ZipInfo("translate-vi_en/link")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(MachineTranslationError, match="symbolic link"):
        check_archive(path, "vi", "en")


def run_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_models_lists_and_installs_from_a_file(argos_package, tmp_path):
    """Into an empty packages folder of its own: the install is what makes the package appear."""
    _, archive = argos_package
    own = {"ARGOS_PACKAGES_DIR": str(tmp_path / "packages")}
    before = run_cli("models", "--root", str(REPO), cwd=tmp_path, env=own)
    assert before.returncode == 0 and "No vi→en package installed." in before.stdout, before.stderr
    again = run_cli("models", "install", str(archive), "--root", str(REPO), cwd=tmp_path, env=own)
    assert again.returncode == 0, again.stderr
    assert "Installed translate-vi_en 0.1 (vi→en)" in again.stdout
    listed = run_cli("models", "--root", str(REPO), cwd=tmp_path, env=own)
    assert listed.returncode == 0, listed.stderr
    assert "translate-vi_en 0.1  vi→en  sentences: MiniSBD model" in listed.stdout
    assert str(tmp_path / "packages" / "translate-vi_en-fixture") in listed.stdout


def test_download_without_network_is_one_clear_message(tmp_path):
    from tests.conftest import need_argos

    need_argos()
    result = run_cli("models", "install", "--download", "vi", "en", "--root", str(REPO), cwd=tmp_path)
    assert result.returncode == 1
    assert "Could not read the Argos package index at http://127.0.0.1:9/index.json" in result.stderr
    assert "python build.py models install FILE.argosmodel" in result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr


def test_without_argostranslate_translate_says_how_to_fix_it_both_ways(site, tmp_path):
    site.article("bai-mot", "Một đoạn.\n")
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['argostranslate'] = None\n")
    result = run_cli("translate", "--root", str(site.root), cwd=tmp_path, env={"PYTHONPATH": str(blocker)})
    assert result.returncode == 1
    assert "argostranslate is not installed" in result.stderr
    assert "pip install -r requirements-translate.txt" in result.stderr
    assert "python build.py models install translate-vi_en-VERSION.argosmodel" in result.stderr
    assert "python build.py models install --download vi en" in result.stderr
    assert "Traceback" not in result.stderr
    # What needs no model is still done: the catalog, its entries untranslated, for the desk or Poedit.
    catalog = polib.pofile(str(site.root / "content" / "bai-mot" / "en.po"))
    assert {entry.msgid: entry.msgstr for entry in catalog}["Một đoạn."] == ""


def test_translate_end_to_end_then_a_no_op_that_loads_nothing(argos_package, site, tmp_path):
    index = site.article("bai-mot", "Tôi đọc bài báo. Hôm nay trời đẹp!\n\nXuất khẩu 1.234,5 tấn hàng.\n")
    site.publish_drafts()  # the machine drafts are published (marked) at the end of this test
    dry = run_cli("translate", "--dry-run", "--root", str(site.root), cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "5 segment(s) to machine-translate" in dry.stdout and "no model loaded" in dry.stdout
    assert not (index.parent / "en.po").exists()

    home = tmp_path / "home"
    first = run_cli(
        "translate", "--root", str(site.root), cwd=tmp_path, env={"HOME": str(home), "XDG_CACHE_HOME": str(home / "c")}
    )
    assert first.returncode == 0, first.stderr
    # onnxruntime (under the MiniSBD splitter) keeps a device id and telemetry there unless told not to
    assert not any("Microsoft" in path.parts for path in home.rglob("*")), sorted(home.rglob("*"))
    assert "Machine-translated 5 segment(s) with argostranslate" in first.stdout
    assert "segment/s" in first.stderr  # the progress bar
    assert "open the review desk at http://127.0.0.1:8000/_review/" in first.stdout
    po = polib.pofile(str(index.parent / "en.po"))
    assert {e.msgid: e.msgstr for e in po}["Xuất khẩu 1.234,5 tấn hàng."] == "Xuất port 1,234.5 tonnes goods."
    assert all("fuzzy" in e.flags and "machine draft: argostranslate" in e.tcomment for e in po)
    before = (index.parent / "en.po").read_bytes()

    probe = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); import build\n"
        "code = build.main(['translate', '--root', sys.argv[1]])\n"
        "heavy = ('torch', 'ctranslate2', 'argostranslate.translate', 'stanza')\n"
        "loaded = sorted(m for m in heavy if m in sys.modules)\n"
        "print('loaded:', loaded, 'exit:', code)\n"
    )
    second = subprocess.run(
        [sys.executable, "-c", probe, str(site.root)], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert "Nothing to do" in second.stdout, second.stderr
    assert "loaded: [] exit: 0" in second.stdout
    assert (index.parent / "en.po").read_bytes() == before

    built = run_cli("build", "--root", str(site.root), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    english = (site.root / "site" / "en" / "bai-mot" / "index.html").read_text(encoding="utf-8")
    assert "Yesterday now sky beautiful!" in english


def test_the_install_advice_skips_what_is_installed_already():
    from tests.conftest import need_argos

    need_argos()
    advice = machine.how_to_install("vi", "en")
    assert "pip install" not in advice and "python build.py models install --download vi en" in advice
