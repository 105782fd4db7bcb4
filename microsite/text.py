"""Text rules every stage shares: the characters no input may hold, and how YAML is read.

A control character (or a non-character) pasted into an article, a catalog or the desk would make
the feeds and the sitemap invalid XML, so every reader refuses it with :func:`control_problem`'s
message, and import strips it. Front matter and the glossary are read with one YAML loader.
Imports nothing from the project.
"""

from __future__ import annotations

import re

FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def yaml_loader() -> type:
    """PyYAML's safe loader: the C one where libyaml is there (several times faster)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def forbidden_character(text: str) -> str | None:
    """The first control character (or non-character) in ``text`` that no page or feed may carry."""
    match = FORBIDDEN.search(text)
    return match.group() if match else None


def strip_forbidden(text: str) -> str:
    """``text`` without the control characters (and non-characters) no page or feed may carry."""
    return FORBIDDEN.sub("", text)


def control_problem(character: str) -> str:
    return (
        f"holds the control character U+{ord(character):04X}, which no page or feed can carry "
        "(it makes the feeds invalid XML); delete it (it is often pasted in invisibly)"
    )
