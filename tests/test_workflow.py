"""The Pages workflow: least privilege per job, no persisted credentials, actions pinned to commits."""

from __future__ import annotations

import re
import subprocess

import yaml

from tests.conftest import REPO
from tests.needs import need

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


def test_actions_are_pinned_to_full_commits_with_their_version() -> None:
    uses = re.findall(r"uses:\s*(\S+)(.*)", WORKFLOW.read_text(encoding="utf-8"))
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", comment), (action, comment)


def test_permissions_are_per_job_and_checkout_keeps_no_credentials() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    checkout = next(step for step in jobs["build"]["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False


def test_zizmor_finds_nothing_offline() -> None:
    need("zizmor")
    result = subprocess.run(
        ["zizmor", "--offline", "--persona=pedantic", str(WORKFLOW)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr
