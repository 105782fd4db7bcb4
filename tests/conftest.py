"""Small fixture sites in temporary folders, built with the repository's own templates."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
import unicodedata
from pathlib import Path

import polib
import pytest
from hypothesis import settings as hypothesis_settings
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "sample"  # the sample site's settings and article, as the tests know them
sys.path.insert(0, str(REPO))
# Stats of files changed within this many seconds of a snapshot are not trusted (microsite.cache):
# two seconds in use; a twentieth here (tmpfs and ext4 stamp in nanoseconds), for this process and
# every build it starts, so tests wait for files to be old enough in 0.15 s, not 2.1 s.
os.environ["MICROSITE_TOO_RECENT"] = "0.05"

# Hypothesis: a tenth of the examples while developing, the full count in CI (CI=true, or
# HYPOTHESIS_PROFILE=ci). Property tests ask for their count through examples().
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
hypothesis_settings.register_profile("ci", deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile(PROFILE if PROFILE in ("ci", "dev") else "dev")


def examples(full: int) -> int:
    """How many examples a property test runs: ``full`` in CI, a tenth (at least 10) while developing."""
    return full if PROFILE == "ci" else max(10, full // 10)


from microsite.content.article import parse_article  # noqa: E402
from microsite.content.config import load_config  # noqa: E402

SITE_TOML = """\
base_url = "https://example.org/repo/"
source_language = "vi"
timezone = "Asia/Ho_Chi_Minh"

[languages.vi]
title = "Báo Thử"
description = "Trang tin thử nghiệm."
locale = "vi_VN"

[languages.en]
title = "Test News"
description = "A test news site."
locale = "en_US"
"""


def make_photo(path: Path, size: tuple[int, int] = (1200, 800), color: str = "steelblue") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, "JPEG", quality=70)
    return path


def stand_in_english(source: str) -> str:
    """A test's English for a Vietnamese text: "EN " and the text without its Vietnamese letters.

    Letters such as ơ or đ left in English are a QA finding, so the stand-in has none.
    """
    folded = unicodedata.normalize("NFD", source.replace("đ", "d").replace("Đ", "D"))
    return "EN " + "".join(char for char in folded if not unicodedata.combining(char))


class Site:
    """A throwaway site: site.toml, the repository's templates and static files, and content/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
        shutil.copytree(REPO / "templates", root / "templates")
        shutil.copytree(REPO / "static", root / "static")
        (root / "content").mkdir()

    @property
    def config(self):
        return load_config(self.root / "site.toml")

    def publish_drafts(self) -> None:
        """The English edition publishes machine drafts too (site.toml: publish = "drafts")."""
        toml = self.root / "site.toml"
        text = toml.read_text(encoding="utf-8")
        toml.write_text(text.replace('locale = "en_US"\n', 'locale = "en_US"\npublish = "drafts"\n'), encoding="utf-8")
        assert self.config.language("en").publish == "drafts"

    def article(
        self, slug: str, body: str = "Đoạn văn đầu tiên.\n", front: str | None = None, photos: tuple[str, ...] = ()
    ) -> Path:
        folder = self.root / "content" / slug
        folder.mkdir(parents=True)
        for photo in photos:
            make_photo(folder / photo)
        if front is None:
            front = 'title: "Tiêu đề bài viết"\ndate: 2021-06-25\nsource: NDO\nsummary: "Tóm tắt bài."\n'
        path = folder / "index.md"
        path.write_text(f"---\n{front}---\n\n{textwrap.dedent(body)}", encoding="utf-8")
        return path

    def translate(self, slug: str, fuzzy: bool = False, skip: int = 0, translation=None) -> Path:
        """Write en.po with an English text for every segment but the last ``skip``."""
        path = self.root / "content" / slug / "index.md"
        article = parse_article(path)
        po = polib.POFile(wrapwidth=78)
        po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
        sources = [segment.source for segment in article.distinct_segments()]
        for source in sources[: len(sources) - skip]:
            text = translation(source) if translation else stand_in_english(source)
            note = "machine draft: test-engine 1.0" if fuzzy else ""  # as translate drafts it
            po.append(polib.POEntry(msgid=source, msgstr=text, flags=["fuzzy"] if fuzzy else [], tcomment=note))
        po.save(str(path.parent / "en.po"))
        return path.parent / "en.po"


@pytest.fixture
def sample_site(tmp_path: Path) -> Path:
    """The sample site as the tests know it (tests/sample/: settings and the sample article) with the
    repository's templates and static files.

    A fixed copy: the newsroom's own content/ and site.toml may change and grow without changing
    what these tests expect. Tests build this copy, never the repository itself.
    """
    root = tmp_path / "sample-site"
    shutil.copytree(SAMPLE, root)
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, root / name)
    return root


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, shared by a module's browser tests."""
    from tests.browser import chrome
    from tests.needs import need_browser

    need_browser()
    driver = chrome()
    yield driver
    driver.quit()


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "site-root")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, so that the other cores (pytest-xdist) work through the rest beside them."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output")


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """Compare text with tests/golden/NAME, or rewrite it with --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = REPO / "tests" / "golden" / name
        if update:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.is_file(), f"{path} is missing; run: python -m pytest tests/publish/test_golden.py --update-golden"
        assert text == path.read_text(encoding="utf-8"), f"{name} changed; if intended, run with --update-golden"

    return check


def pytest_configure(config: pytest.Config) -> None:
    """Point argostranslate at a private, empty data folder before anything imports it.

    argostranslate reads these at import time; the tests must never see (or write into) the
    user's own packages.
    """
    import os
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="argos-tests-"))
    config._argos_base = base  # removed again in pytest_unconfigure
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[name] = str(base / name.lower())
    os.environ["ARGOS_PACKAGES_DIR"] = str(base / "packages")
    os.environ["ARGOS_PACKAGE_INDEX"] = "http://127.0.0.1:9/"  # nothing listens there: offline, fast


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the private argostranslate folder: a run must not leave ~20 MB in the temp folder."""
    import shutil

    base = getattr(config, "_argos_base", None)
    if base is not None:
        shutil.rmtree(base, ignore_errors=True)


def need_argos() -> None:
    """Skip where argostranslate is not installed, except in CI, which installs it."""
    import importlib.util

    from tests.needs import unavailable

    if importlib.util.find_spec("argostranslate") is None:
        unavailable("argostranslate is not installed here (pip install -r requirements-translate.txt)")


@pytest.fixture(scope="session")
def argos_package(tmp_path_factory: pytest.TempPathFactory):
    """The tiny vi→en fixture package, built and installed into the tests' private argos folder."""
    need_argos()
    from microsite.translation.machine import install_file
    from tests.argos_fixture import build_package

    archive = build_package(tmp_path_factory.mktemp("argos-fixture"))
    return install_file(archive, "vi", "en"), archive


class FakeEngine:
    """A stand-in engine for fast tests of the catalog logic: 'EN<text>', placeholders kept."""

    label = "fake-engine 1.0"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.truncated: list[str] = []

    def translate(self, texts, progress=None):
        self.calls.append(list(texts))
        if progress:
            progress(len(texts))
        return [f"EN<{text}>" for text in texts]


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine()
