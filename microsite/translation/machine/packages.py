"""Translation packages: finding the installed ones, installing one from a file or the index.

An archive is checked before anything is unpacked, unpacked into a hidden staging folder, proved
to load and translate there, and only then installed. A package that breaks later is named, never a
crash. The index is reached with timeouts (argostranslate's own calls have none).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ...errors import MachineTranslationError, NoModel
from .engine import Engine, _minisbd_model, how_to_remove

MAX_PACKAGE_BYTES = 2 * 1024**3  # unpacked; real packages are 60-300 MB
MAX_PACKAGE_FILES = 10_000
TIMEOUT = 20  # seconds, for each network request
INDEX_PAGE = "https://www.argosopentech.com/argospm/index/"


def how_to_install(source: str, target: str) -> str:
    """What to do to translate offline: install argostranslate if it is missing, then the package."""
    package = (
        f"install the {source}→{target} package, either\n"
        f"     - from a file you downloaded (on any computer, from {INDEX_PAGE}):\n"
        f"         python build.py models install translate-{source}_{target}-VERSION.argosmodel\n"
        "     - or straight from the Argos package index, where this computer has internet:\n"
        f"         python build.py models install --download {source} {target}"
    )
    if importlib.util.find_spec("argostranslate") is not None:
        return f"To draft translations offline, {package}"
    return (
        f"To draft translations offline you need argostranslate and its {source}→{target} package:\n"
        f"  1. pip install -r requirements-translate.txt\n  2. {package}"
    )


def _argos():
    """argostranslate's package module (no torch), or a clear error when it is not installed."""
    try:
        import argostranslate.package as package
    except ImportError as exc:
        raise NoModel(f"argostranslate is not installed ({exc}).\n" + how_to_install("vi", "en")) from None
    return package


@dataclass(frozen=True)
class PackageInfo:
    """An installed package, as ``models`` lists it."""

    name: str
    version: str
    source: str
    target: str
    path: Path
    splitter: str


def installed_packages() -> list[PackageInfo]:
    """The installed translation packages that load (see :func:`broken_packages` for the others)."""
    good, _ = _scan_packages()
    result = [_package_info(pkg) for pkg in good if pkg.type == "translate"]
    return sorted(result, key=lambda info: (info.source, info.target, info.name))


def broken_packages() -> list[tuple[Path, str]]:
    """Each installed package folder that cannot be loaded, and what is wrong with it."""
    return _scan_packages()[1]


def _scan_packages() -> tuple[list, list[tuple[Path, str]]]:
    """argostranslate's packages, read one by one: a broken one is set aside, never a crash."""
    package = _argos()
    from argostranslate import settings

    good, broken = [], []
    for directory in settings.package_dirs:
        try:
            folders = sorted(p for p in Path(directory).iterdir() if p.is_dir() and not p.name.startswith("."))
        except OSError:
            continue  # no packages folder yet
        for folder in folders:
            try:
                read_metadata(folder / "metadata.json", (folder / "metadata.json").read_bytes())
                good.append(package.Package(folder))
            except (OSError, ValueError, KeyError, TypeError, MachineTranslationError) as exc:
                broken.append((folder, str(exc)))
    return good, broken


def read_metadata(where: Path | str, data: bytes) -> dict:
    """A package's metadata.json: strictly UTF-8 JSON holding an object, else MachineTranslationError."""
    try:
        metadata = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise MachineTranslationError(f"{where} is not UTF-8 (argostranslate reads it as UTF-8)") from None
    except ValueError as exc:
        raise MachineTranslationError(f"{where} is not valid JSON ({exc})") from None
    if not isinstance(metadata, dict):
        raise MachineTranslationError(f"{where} does not describe a package")
    return metadata


def _package_info(pkg) -> PackageInfo:
    from argostranslate.package import argospm_package_name

    splitter = "MiniSBD model" if _minisbd_model(pkg.package_path) else "punctuation rule"
    name = argospm_package_name(pkg)
    return PackageInfo(name, pkg.package_version, pkg.from_code, pkg.to_code, Path(pkg.package_path), splitter)


def packages_folder() -> Path:
    _argos()
    from argostranslate import settings

    return Path(settings.package_data_dir)


def load_engine(source: str, target: str) -> Engine:
    """The installed package for ``source`` → ``target``, ready to translate (the model loads on first use)."""
    good, broken = _scan_packages()
    found = [pkg for pkg in good if (pkg.from_code, pkg.to_code) == (source, target) and pkg.type == "translate"]
    if not found:
        hints = "".join(f"\nA package in {folder} is broken ({why}); {how_to_remove(folder)}" for folder, why in broken)
        raise NoModel(f"No {source}→{target} package is installed.{hints}\n" + how_to_install(source, target))
    newest = max(found, key=lambda pkg: _version_key(pkg.package_version))
    return Engine(newest)


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in re.split(r"[.\-_]", version or "0"))


def install_file(path: Path, source: str, target: str) -> PackageInfo:
    """Check an ``.argosmodel`` archive, unpack it, prove it translates, then install it.

    The package is unpacked into a hidden staging folder beside the installed ones, loaded there
    and made to translate one sentence; only then does it replace an older copy. Anything wrong
    (a damaged archive, a model that does not load) is one clear error and installs nothing.
    """
    path = Path(path)
    folder_name = check_archive(path, source, target)
    destination = packages_folder()
    try:
        destination.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".installing-", dir=destination))
    except OSError as exc:
        raise MachineTranslationError(f"{destination}: cannot install here ({exc.strerror})") from None
    try:
        _unpack(path, scratch)
        staged = scratch / folder_name
        _prove(path, staged)
        final = destination / folder_name
        if final.exists():
            shutil.rmtree(final)
        os.replace(staged, final)
    except OSError as exc:
        raise MachineTranslationError(f"{path}: could not install it ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    from argostranslate.package import Package

    return _package_info(Package(final))


def _unpack(path: Path, scratch: Path) -> None:
    written = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                if member.is_dir():
                    continue
                target_file = scratch / member.filename
                target_file.parent.mkdir(parents=True, exist_ok=True)
                size = 0
                with archive.open(member) as reader, open(target_file, "wb") as writer:
                    while block := reader.read(1 << 20):
                        size += len(block)
                        written += len(block)
                        if written > MAX_PACKAGE_BYTES or size > member.file_size:
                            raise MachineTranslationError(
                                f"{path}: {member.filename!r} unpacks to more than its header says; refused"
                            )
                        writer.write(block)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise MachineTranslationError(f"{path}: the archive is damaged ({exc}); download the package again") from None


def _prove(path: Path, staged: Path) -> None:
    """Load the staged package and translate one sentence with it, or say why it cannot."""
    from argostranslate.package import Package

    try:
        read_metadata(f"{path}: metadata.json", (staged / "metadata.json").read_bytes())
        package = Package(staged)
        english = Engine(package).translate(["Xin chào."])
    except MachineTranslationError as exc:
        raise MachineTranslationError(f"{path}: the package does not work, so it was not installed: {exc}") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MachineTranslationError(
            f"{path}: the package does not work ({exc}), so it was not installed; download it again"
        ) from None
    if len(english) != 1 or not isinstance(english[0], str):
        raise MachineTranslationError(f"{path}: the package translated nothing, so it was not installed")


def check_archive(path: Path, source: str, target: str) -> str:
    """The archive's one top-level folder, once every check passes; else a clear error."""
    if not path.is_file():
        raise MachineTranslationError(f"{path}: no such file")
    try:
        return _check_archive(path, source, target)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        raise MachineTranslationError(f"{path}: the archive is damaged ({exc}); download the package again") from None


def _check_archive(path: Path, source: str, target: str) -> str:
    if not zipfile.is_zipfile(path):
        raise MachineTranslationError(f"{path}: not an Argos package (an .argosmodel file is a zip archive)")
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        top = _package_folder(path, members)
        try:
            data = archive.read(f"{top}/metadata.json")
        except KeyError:
            raise MachineTranslationError(f"{path}: no {top}/metadata.json; not an Argos package") from None
        metadata = read_metadata(f"{path}: {top}/metadata.json", data)
    codes = (metadata.get("from_code"), metadata.get("to_code"))
    if codes != (source, target):
        raise MachineTranslationError(
            f"{path}: this package translates {codes[0]}→{codes[1]}; the site needs {source}→{target}"
        )
    version = metadata.get("package_version", "")
    if not isinstance(version, str) or not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.\-_]{0,40}", version or "0"):
        raise MachineTranslationError(
            f'{path}: {top}/metadata.json: package_version must be text such as "1.9", not {version!r}'
        )
    if metadata.get("type", "translate") != "translate":
        raise MachineTranslationError(f"{path}: a {metadata.get('type')!r} package, not a translation package")
    names = {member.filename for member in members}
    if f"{top}/model/model.bin" not in names:
        raise MachineTranslationError(f"{path}: no {top}/model/model.bin (the CTranslate2 model)")
    if not {f"{top}/sentencepiece.model", f"{top}/bpe.model"} & names:
        raise MachineTranslationError(f"{path}: no tokenizer ({top}/sentencepiece.model or bpe.model)")
    return top


def _package_folder(path: Path, members: list[zipfile.ZipInfo]) -> str:
    """The one folder every member lies in, once no member could write elsewhere or unpack too large."""
    if len(members) > MAX_PACKAGE_FILES:
        raise MachineTranslationError(f"{path}: holds {len(members)} files; a package has far fewer")
    tops = set()
    for member in members:
        if any(ord(char) < 32 or ord(char) == 127 for char in member.orig_filename):  # (zipfile cuts at a NUL)
            raise MachineTranslationError(f"{path}: refused: {member.orig_filename!r} holds a control character")
        name = PurePosixPath(member.filename)
        if name.is_absolute() or ".." in name.parts or "\\" in member.filename or not name.parts:
            raise MachineTranslationError(f"{path}: refused: {member.filename!r} would be written outside the package")
        if (member.external_attr >> 16) & 0o170000 == 0o120000:
            raise MachineTranslationError(f"{path}: refused: {member.filename!r} is a symbolic link")
        if any(len(part.encode("utf-8")) > 255 for part in name.parts):
            raise MachineTranslationError(f"{path}: refused: a name in the archive is over 255 bytes")
        tops.add(name.parts[0])
        if len(name.parts) == 1 and not member.is_dir():
            raise MachineTranslationError(f"{path}: {member.filename!r} is outside the package's folder")
    if len(tops) != 1:
        raise MachineTranslationError(f"{path}: a package holds one top-level folder, this has {len(tops)}")
    top = tops.pop()
    if top.startswith("."):
        raise MachineTranslationError(f"{path}: the package folder {top!r} is hidden")
    total = sum(member.file_size for member in members)
    if total > MAX_PACKAGE_BYTES:
        raise MachineTranslationError(f"{path}: unpacks to {_size(total)}, over the {_size(MAX_PACKAGE_BYTES)} limit")
    return top


def download_package(source: str, target: str, folder: Path) -> Path:
    """Fetch the package for source → target from the Argos index into ``folder``, with timeouts."""
    _argos()
    from argostranslate import settings

    index_url = settings.remote_package_index
    try:
        with urllib.request.urlopen(index_url, timeout=TIMEOUT) as response:
            index = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise MachineTranslationError(
            f"Could not read the Argos package index at {index_url} ({_reason(exc)}).\n"
            "Without internet here, download the .argosmodel file on another computer and run\n"
            "  python build.py models install FILE.argosmodel"
        ) from None
    entries = [item for item in index if isinstance(item, dict)]
    matches = [item for item in entries if (item.get("from_code"), item.get("to_code")) == (source, target)]
    if not matches:
        raise MachineTranslationError(f"The Argos package index has no {source}→{target} package.")
    best = max(matches, key=lambda item: _version_key(str(item.get("package_version", ""))))
    name = f"translate-{source}_{target}-{str(best.get('package_version', '')).replace('.', '_')}.argosmodel"
    file = Path(folder) / name
    errors = []
    for link in best.get("links", []):
        try:
            with urllib.request.urlopen(link, timeout=TIMEOUT) as response, open(file, "wb") as out:
                shutil.copyfileobj(response, out)
            return file
        except (urllib.error.URLError, OSError) as exc:
            errors.append(f"{link}: {_reason(exc)}")
    raise MachineTranslationError("Could not download the package:\n  " + "\n  ".join(errors or ["no download link"]))


def _reason(exc: Exception) -> str:
    return str(getattr(exc, "reason", None) or exc)


def _size(count: int) -> str:
    return f"{count / 1024**2:,.0f} MB"
