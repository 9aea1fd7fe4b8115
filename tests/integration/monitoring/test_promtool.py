"""The shipped Prometheus and Alertmanager files through the real tools (Debian's promtool and amtool).

No broker needed: ``promtool check config`` / ``check rules``, the ``promtool test rules`` unit tests of
``deploy/prometheus/alerts.test.yml`` (and that they cover every alert both firing and silent), the
annotations every alert must carry with its runbook section, ``amtool check-config``, and the 1/60-scale
rules the end-to-end test runs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from .servers import ALERT_RULES, ALERT_TESTS, ROOT, run_tool, scale_expression, scaled_rules, seconds, shipped_checks

DOCS = ROOT / "docs" / "monitoring.md"
SEVERITIES = {"critical", "warning"}


@pytest.fixture(scope="module")
def rules() -> list[dict[str, Any]]:
    data = yaml.safe_load(ALERT_RULES.read_text(encoding="utf-8"))
    return [rule for group in data["groups"] for rule in group["rules"]]


def test_promtool_and_amtool_accept_the_shipped_files() -> None:
    for run in shipped_checks():
        print(f"$ {run.command}\n{run.output}\n")
        assert run.returncode == 0, f"{run.command} failed:\n{run.output}"
        assert "SUCCESS" in run.output, run.output
    # check config also loaded the rule file it names: a missing one would have failed above
    config = next(run for run in shipped_checks() if "check config" in run.command)
    assert "1 rule files found" in config.output


def test_every_alert_has_a_firing_and_a_silent_unit_test(rules: list[dict[str, Any]]) -> None:
    tests = yaml.safe_load(ALERT_TESTS.read_text(encoding="utf-8"))
    fires: dict[str, int] = defaultdict(int)
    silent: dict[str, int] = defaultdict(int)
    for case in tests["tests"]:
        for check in case.get("alert_rule_test", []):
            if check.get("exp_alerts"):
                fires[check["alertname"]] += 1
            else:
                silent[check["alertname"]] += 1
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names)), "alert names must be unique"
    assert not set(fires) - set(names), f"tests of unknown alerts: {set(fires) - set(names)}"
    missing_fire = [name for name in names if not fires[name]]
    missing_silent = [name for name in names if not silent[name]]
    assert not missing_fire, f"alerts with no promtool case where they fire: {missing_fire}"
    assert not missing_silent, f"alerts with no promtool case where they stay silent: {missing_silent}"
    print(
        f"{len(names)} alerts; promtool cases firing / silent: "
        + ", ".join(f"{n} {fires[n]}/{silent[n]}" for n in names)
    )


def test_every_alert_says_what_to_check_and_links_its_runbook(rules: list[dict[str, Any]]) -> None:
    headings = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in DOCS.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }
    for rule in rules:
        name = rule["alert"]
        assert rule["labels"]["severity"] in SEVERITIES, name
        annotations = rule["annotations"]
        assert annotations["summary"] and len(annotations["summary"]) < 120, name
        assert "Check first" in annotations["description"], f"{name}: the description must say what to check first"
        path, _, anchor = annotations["runbook"].partition("#")
        assert (ROOT / path).resolve() == DOCS.resolve(), f"{name}: runbook {annotations['runbook']}"
        assert anchor == name.lower() and anchor in headings, f"{name}: no section `### {name}` in {DOCS.name}"
        assert 'job="newsflow-worker"' in rule["expr"], f"{name}: select the worker job like the dashboard does"


def test_rules_at_the_test_time_scale(tmp_path: Path) -> None:
    """The end-to-end test's rules: the shipped ones with every duration divided by 60, still valid."""
    shipped = yaml.safe_load(ALERT_RULES.read_text(encoding="utf-8"))
    scaled = scaled_rules(shipped)
    assert scale_expression("rate(x[10m]) + deriv(y[1h30m:1m])") == "rate(x[10000ms]) + deriv(y[90000ms:1000ms])"
    for before, after in zip(
        (rule for group in shipped["groups"] for rule in group["rules"]),
        (rule for group in scaled["groups"] for rule in group["rules"]),
        strict=True,
    ):
        if "for" in before:
            assert seconds(after["for"]) * 60 == seconds(before["for"]), before["alert"]
        windows = re.findall(r"\[([^\]]+)\]", before["expr"])
        assert [scale_expression(f"[{w}]") for w in windows] == [
            f"[{w}]" for w in re.findall(r"\[([^\]]+)\]", after["expr"])
        ]
    path = tmp_path / "alerts.yml"
    path.write_text(yaml.safe_dump(scaled), encoding="utf-8")
    done = run_tool("promtool", "check", "rules", str(path))
    assert done.returncode == 0, done.stdout
