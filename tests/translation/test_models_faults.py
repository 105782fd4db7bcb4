"""Model packages that would install and then break: refused up front, or named when installed by hand.

On the tests' tiny real Argos package (tests/argos_fixture.py), damaged in the ways downloads and
disks damage files.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from microsite.translation import machine
from microsite.translation.machine import MachineTranslationError, check_archive, install_file
from tests.faults import cli
from tests.translation.test_machine import GOOD, archive_with

FOLDER = "translate-vi_en-fixture"


def installed() -> list[str]:
    folder = Path(os.environ["ARGOS_PACKAGES_DIR"])
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def rewritten(archive: Path, tmp_path: Path, change: dict[str, bytes], name: str = "bad.argosmodel") -> Path:
    """The fixture package with some members replaced."""
    path = tmp_path / name
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, change.get(item.filename.split("/", 1)[-1], source.read(item)))
    return path


def test_metadata_in_utf16_is_refused(tmp_path) -> None:
    metadata = json.dumps({"from_code": "vi", "to_code": "en"}).encode("utf-16")
    path = archive_with(tmp_path, {**GOOD, "translate-vi_en/metadata.json": metadata})
    with pytest.raises(MachineTranslationError, match=r"metadata\.json is not UTF-8"):
        check_archive(path, "vi", "en")


def test_a_name_over_255_bytes_is_refused(tmp_path) -> None:
    path = archive_with(tmp_path, {**GOOD, "translate-vi_en/" + "n" * 300: b"x"})
    with pytest.raises(MachineTranslationError, match="over 255 bytes"):
        check_archive(path, "vi", "en")


@pytest.mark.parametrize(
    "member, data",
    [("model/model.bin", b"not a CTranslate2 model" * 40), ("sentencepiece.model", b"\x00garbage" * 50)],
)
def test_a_package_that_does_not_translate_is_not_installed(argos_package, tmp_path, member, data) -> None:
    _, archive = argos_package
    before = installed()
    bad = rewritten(archive, tmp_path, {member: data})
    with pytest.raises(MachineTranslationError, match="the package does not work, so it was not installed"):
        install_file(bad, "vi", "en")
    assert installed() == before  # the good copy is still there; no staging folder left


def damage(path: Path, member: str, how: str) -> None:
    """Corrupt one member in place: flip a data byte (bad CRC), or shrink its declared size."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    local = info.header_offset
    name_length, extra_length = struct.unpack_from("<HH", data, local + 26)
    start = local + 30 + name_length + extra_length
    if how == "crc":
        data[start + info.compress_size // 2] ^= 0xFF
    else:  # the member is larger than its headers say
        struct.pack_into("<I", data, local + 22, info.file_size // 2)
        central = data.rfind(member.encode()) - 46  # the name's last copy is in the central directory
        assert data[central : central + 4] == b"PK\x01\x02"
        struct.pack_into("<I", data, central + 24, info.file_size // 2)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["crc", "size"])
def test_a_damaged_archive_is_one_clear_message(argos_package, tmp_path, how) -> None:
    _, archive = argos_package
    bad = rewritten(archive, tmp_path, {}, name=f"{how}.argosmodel")
    damage(bad, f"{FOLDER}/model/model.bin", how)
    before = installed()
    result = cli("models", "install", str(bad))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "the archive is damaged" in result.stderr and "download the package again" in result.stderr
    assert installed() == before


@pytest.fixture
def broken_install(argos_package):
    """A package dropped into the packages folder by hand, with no checks: a newer, broken copy."""
    folder = Path(os.environ["ARGOS_PACKAGES_DIR"]) / "translate-vi_en-broken"
    shutil.copytree(argos_package[0].path, folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_models_names_a_broken_package_instead_of_crashing(broken_install) -> None:
    metadata = json.loads((broken_install / "metadata.json").read_text(encoding="utf-8"))
    (broken_install / "metadata.json").write_text(json.dumps(metadata), encoding="utf-16")
    result = cli("models")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "translate-vi_en 0.1  vi→en" in result.stdout  # the good package is still listed
    assert f"broken package in {broken_install}" in result.stderr and "rm -r" in result.stderr
    assert [folder for folder, _ in machine.broken_packages()] == [broken_install]


def test_translate_names_a_broken_model_instead_of_crashing(broken_install, site) -> None:
    metadata = json.loads((broken_install / "metadata.json").read_text(encoding="utf-8"))
    (broken_install / "metadata.json").write_text(json.dumps({**metadata, "package_version": "9.9"}))
    (broken_install / "model" / "model.bin").write_bytes(b"garbage" * 100)
    site.article("bai", body="Một đoạn.\n")
    result = cli("translate", "--root", str(site.root))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"The translation package in {broken_install} does not work" in result.stderr
    assert "rm -r" in result.stderr
    assert not (site.root / "content" / "bai" / "en.po").exists()
