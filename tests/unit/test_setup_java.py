"""Setting up from nothing: ``make java`` (scripts/install-java.sh) on a PATH without java and mvn.

The script runs for real under ``make``; only apt-get is a stand-in (this test must not install
packages), one that "installs" by putting java and mvn on the PATH, as the real packages do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("sh", "id", "sed", "cat", "chmod")  # what the script and the stand-ins use besides builtins


def bare_path(tmp_path: Path) -> Path:
    """A bin dir with the basic tools only: no java, no mvn, no apt-get."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    return bin_dir


def make_java(bin_dir: Path) -> subprocess.CompletedProcess[str]:
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is not installed: the README's commands need it")
    env = {"PATH": str(bin_dir), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run([make, "-s", "-C", str(ROOT), "java"], env=env, capture_output=True, text=True, timeout=60)


def test_without_a_package_manager_one_line_says_what_to_install(tmp_path: Path) -> None:
    result = make_java(bare_path(tmp_path))
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("newsflow:")]
    assert len(lines) == 1, result.stderr
    assert "Java 17+ and Maven 3.8+" in lines[0]
    assert "missing: openjdk-17-jre-headless maven" in lines[0]


def test_with_apt_get_both_are_installed(tmp_path: Path) -> None:
    bin_dir = bare_path(tmp_path)
    calls = tmp_path / "apt-calls"
    # The stand-in records its arguments and, on install, puts java and mvn where the packages would.
    (bin_dir / "apt-get").write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {calls}\n'
        'if [ "$1" = install ]; then\n'
        f"  printf '#!/bin/sh\\necho \"    java.specification.version = 17\" >&2\\n' > {bin_dir}/java\n"
        f"  printf '#!/bin/sh\\n' > {bin_dir}/mvn\n"
        f"  chmod +x {bin_dir}/java {bin_dir}/mvn\n"
        "fi\n"
    )
    (bin_dir / "apt-get").chmod(0o755)
    if os.getuid() != 0:  # the script uses sudo when not root; a pass-through stand-in
        (bin_dir / "sudo").write_text('#!/bin/sh\nexec "$@"\n')
        (bin_dir / "sudo").chmod(0o755)
    result = make_java(bin_dir)
    assert result.returncode == 0, result.stderr
    assert "installing openjdk-17-jre-headless maven with apt-get" in result.stdout
    recorded = calls.read_text().splitlines()
    assert recorded[0] == "update -qq"
    assert recorded[1].startswith("install -y") and recorded[1].endswith("openjdk-17-jre-headless maven")
    # Run again: both present now, nothing to do, nothing printed.
    again = make_java(bin_dir)
    assert again.returncode == 0 and not again.stdout and not again.stderr
    assert len(calls.read_text().splitlines()) == 2


def test_only_the_missing_one_is_installed(tmp_path: Path) -> None:
    bin_dir = bare_path(tmp_path)
    (bin_dir / "java").write_text('#!/bin/sh\necho "    java.specification.version = 21" >&2\n')
    (bin_dir / "java").chmod(0o755)
    result = make_java(bin_dir)
    assert result.returncode != 0
    assert "(missing: maven;" in result.stderr, result.stderr
