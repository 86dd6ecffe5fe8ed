"""bin/_setup.sh (behind bin/run and bin/test) with fake Pythons on a PATH of their own: it keeps
an existing .venv until it has found a Python to replace it with, and without Python 3.12+ it
says which versions it found and how to get one."""

import dataclasses
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TOOLS = ["bash", "cat", "cp", "cut", "dirname", "grep", "mkdir", "rm", "sha256sum", "sort"]

# A fake interpreter: enough of `python` for the script (its version, `import venv`,
# `-m venv DIR` and `-m pip …`), logging what it was asked to do.
FAKE_PYTHON = """#!/bin/bash
case "$1" in
  -c)
    case "$2" in
      *version_info*) echo "{version}" ;;
      *ensurepip*) exit {venv_status} ;;
    esac ;;
  -m)
    echo "{version} $*" >> "$FAKE_LOG"
    if [ "$2" = venv ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi ;;
esac
"""


def _fake_python(path, version, *, venv=True):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FAKE_PYTHON.format(version=version, venv_status=0 if venv else 1))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@dataclasses.dataclass
class Project:
    root: Path  # a copy of bin/_setup.sh in an empty project
    bin: Path  # the fake Pythons, first on PATH
    log: Path  # what they were asked to do
    environ: dict

    def __truediv__(self, name):
        return self.root / name


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "bin").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "bin" / "_setup.sh", root / "bin" / "_setup.sh")
    (root / "pyproject.toml").write_text("[project]\nname = 'fake'\n")
    tools = tmp_path / "tools"  # nothing else of the machine: no real Python, no pyenv
    tools.mkdir()
    for tool in TOOLS:
        (tools / tool).symlink_to(shutil.which(tool))
    fakes = tmp_path / "fakes"
    fakes.mkdir()
    log = tmp_path / "fake.log"
    environ = {"PATH": f"{fakes}:{tools}", "HOME": str(tmp_path), "FAKE_LOG": str(log)}
    return Project(root=root, bin=fakes, log=log, environ=environ)


def _ensure_venv(project):
    return subprocess.run(
        ["bash", "-c", 'source bin/_setup.sh; ensure_venv ""'],
        cwd=project.root,
        env=project.environ,
        executable=shutil.which("bash"),
        capture_output=True,
        text=True,
        timeout=30,
    )


def _old_venv(project):
    _fake_python(project / ".venv" / "bin" / "python", "3.11.2")
    (project / ".venv" / "kept").write_text("the old environment")


def test_an_old_venv_is_kept_when_no_replacement_python_is_found(project):
    _old_venv(project)
    _fake_python(project.bin / "python3", "3.11.2")
    _fake_python(project.bin / "python3.11", "3.11.2")

    result = _ensure_venv(project)

    assert result.returncode == 1
    assert (project / ".venv" / "kept").exists()
    message = result.stderr
    assert "needs Python 3.12 or newer, and none was found" in message
    assert f"python3 3.11.2 ({project.bin / 'python3'})" in message
    assert f"python3.11 3.11.2 ({project.bin / 'python3.11'})" in message
    assert "The existing .venv is kept" in message
    assert "Debian 12 (bookworm) has no python3.12 package" in message
    for way in ("pyenv install 3.12", "uv python install 3.12", "ppa:deadsnakes/ppa"):
        assert way in message
    assert not project.log.exists()  # nothing was created or installed


def test_an_old_venv_is_replaced_once_a_new_python_is_found(project):
    _old_venv(project)
    _fake_python(project.bin / "python3", "3.11.2")
    _fake_python(project.bin / "python3.12", "3.12.7")

    result = _ensure_venv(project)

    assert result.returncode == 0, result.stderr
    assert "Replacing .venv (made with Python 3.11.2) with Python 3.12.7" in result.stderr
    assert not (project / ".venv" / "kept").exists()
    assert "3.12.7" in (project / ".venv" / "bin" / "python").read_text()
    assert "3.12.7 -m venv .venv" in project.log.read_text()
    assert (project / ".venv" / ".installed-run").exists()


def test_a_python_that_cannot_make_a_venv_does_not_replace_the_old_one(project):
    # Debian and Ubuntu ship venv apart (python3.12-venv): without it, nothing is deleted.
    _old_venv(project)
    _fake_python(project.bin / "python3.12", "3.12.3", venv=False)

    result = _ensure_venv(project)

    assert result.returncode == 1
    assert (project / ".venv" / "kept").exists()
    assert "python3.12 3.12.3" in result.stderr
    assert "without venv: install python3.12-venv" in result.stderr


def test_no_python_at_all_is_said_so(project):
    result = _ensure_venv(project)

    assert result.returncode == 1
    assert "Found no Python at all." in result.stderr
    assert not (project / ".venv").exists()


def test_python_points_at_an_interpreter_off_the_path(project, tmp_path):
    elsewhere = tmp_path / "opt" / "python"
    _fake_python(elsewhere, "3.13.1")
    project.environ["PYTHON"] = str(elsewhere)

    result = _ensure_venv(project)

    assert result.returncode == 0, result.stderr
    assert f"Creating .venv with Python 3.13.1 ({elsewhere})" in result.stdout
