"""site.toml is validated once; every problem is named by its key."""

from __future__ import annotations

import pytest

from microsite.content.config import load_config
from microsite.errors import ContentError
from tests.conftest import SITE_TOML


def config_error(tmp_path, text: str) -> ContentError:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_config(path)
    return caught.value


def test_valid(tmp_path) -> None:
    (tmp_path / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    config = load_config(tmp_path / "site.toml")
    assert config.base_url == "https://example.org/repo/"
    assert config.base_path == "/repo/"
    assert [lang.code for lang in config.targets] == ["en"]
    assert config.source.locale == "vi_VN"


def test_base_url_override_adds_the_slash(tmp_path) -> None:
    (tmp_path / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    assert load_config(tmp_path / "site.toml", base_url="https://a.github.io/b").base_url == "https://a.github.io/b/"


def test_unknown_key_is_reported_with_its_line(tmp_path) -> None:
    error = config_error(tmp_path, SITE_TOML.replace("timezone", "timezon"))
    assert "unknown setting timezon (did you mean 'timezone'?)" in str(error)
    assert error.problem.line == 3


@pytest.mark.parametrize(
    "old, new, words",
    [
        ('"https://example.org/repo/"', '"example.org"', "absolute http(s) URL"),
        ('source_language = "vi"', 'source_language = "fr"', "no [languages.fr] table"),
        ('"Asia/Ho_Chi_Minh"', '"Mars/Olympus"', "not a time zone"),
        ('title = "Test News"', 'titel = "Test News"', "unknown setting languages.en.titel"),
        ("[languages.en]", "[languages.English]", "not a language code"),
    ],
)
def test_bad_settings(tmp_path, old: str, new: str, words: str) -> None:
    assert words in str(config_error(tmp_path, SITE_TOML.replace(old, new)))


def test_broken_toml(tmp_path) -> None:
    error = config_error(tmp_path, SITE_TOML + "\n[languages.vi\n")
    assert "not valid TOML" in str(error)
    assert error.problem.line is not None
