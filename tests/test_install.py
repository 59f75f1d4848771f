"""The package as a user gets it: built into a wheel and an sdist, installed into a new venv
outside the repository, and used there (the CLI, the emulator, a type-checked script).

The slow tests need PyPI (or pip's cache) for the runtime dependencies; the build itself is
offline, with the dev venv's pinned hatchling.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from twilio_chat.testing import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

USER_SCRIPT = '''\
"""What an application does with the installed package; mypy --strict must accept it."""

import asyncio
import sys

import twilio_chat
import twilio_chat_api
from twilio_chat import ChatClient, RetryPolicy


async def main() -> None:
    async with ChatClient(retry=RetryPolicy(base_delay=0)) as chat:
        service = await chat.create_service(sys.argv[1])
        sid: str = service.sid
        names = [listed.friendly_name async for listed in chat.list_services()]
    print(sid, names, twilio_chat.__file__, twilio_chat_api.__file__, sep="\\n")


asyncio.run(main())
'''


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without the developer's Python or Twilio settings."""
    drop = ("TWILIO_", "PYTHON", "VIRTUAL_ENV", "MYPY")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(extra)
    return env


def _run(args: list[str | Path], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@dataclass(frozen=True)
class Installed:
    sdist: Path
    wheel: Path
    venv: Path
    work: Path  # outside the repository: the user's project folder

    @property
    def bin(self) -> Path:
        return self.venv / "bin"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The sdist built from the tree, the wheel built from the unpacked sdist (as pip and
    `python -m build` do), and that wheel with its emulator extra installed into a new venv.
    """
    tmp = tmp_path_factory.mktemp("install")
    assert not tmp.is_relative_to(ROOT)
    dist = tmp / "dist"
    _run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", dist], cwd=ROOT)
    (sdist,) = dist.glob("twilio_chat-*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp / "unpacked", filter="data")
    (source,) = (tmp / "unpacked").iterdir()
    _run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", dist], cwd=source)
    (wheel,) = dist.glob("twilio_chat-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=tmp)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--disable-pip-version-check"]
    _run([*pip, "--quiet", "-c", ROOT / "constraints.txt", f"{wheel}[emulator]"], cwd=tmp)
    work = tmp / "app"
    work.mkdir()
    return Installed(sdist=sdist, wheel=wheel, venv=venv, work=work)


@pytest.fixture
def emulator_url(installed: Installed) -> Iterator[str]:
    """`twilio-chat emulator --port 0` from the new venv; yields the URL it prints."""
    with subprocess.Popen(
        [str(installed.bin / "twilio-chat"), "emulator", "--port", "0"],
        cwd=installed.work,
        env=_clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            ready, _, _ = select.select([process.stdout], [], [], 60)
            line = process.stdout.readline().strip() if ready else ""
            assert line.startswith("emulator listening on http://127.0.0.1:"), line
            yield line.rsplit(" ", 1)[1]
        finally:
            process.terminate()
            process.wait(timeout=30)


def _requirement_names(requirements: list[str]) -> set[str]:
    return {Requirement(text).name.lower().replace("_", "-") for text in requirements}


def test_dependencies_name_no_unpublished_package() -> None:
    """twilio-chat depends on published packages only, not on the generated client's name."""
    generated = tomllib.loads((ROOT / "generated" / "pyproject.toml").read_text(encoding="utf-8"))
    ours = _requirement_names(PYPROJECT["project"]["dependencies"])
    assert generated["project"]["name"] not in ours
    assert "twilio-chat-api" not in ours


def test_dependencies_cover_the_generated_packages_needs() -> None:
    """Every runtime dependency the generator declares for twilio_chat_api is ours too."""
    generated = tomllib.loads((ROOT / "generated" / "pyproject.toml").read_text(encoding="utf-8"))
    needed = _requirement_names(generated["project"]["dependencies"])
    assert needed <= _requirement_names(PYPROJECT["project"]["dependencies"])


def test_dev_hatchling_is_the_build_backend_pin() -> None:
    """The hatchling that tests build with is the one [build-system] pins for users."""
    (pin,) = (r for r in PYPROJECT["build-system"]["requires"] if r.startswith("hatchling"))
    assert Requirement(pin).specifier == Requirement(f"hatchling=={version('hatchling')}").specifier


@pytest.mark.slow
def test_sdist_carries_both_packages_and_the_license(installed: Installed) -> None:
    """The sdist has the generated package, the facade, the spec and the LICENSE."""
    with tarfile.open(installed.sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
        pkg_info = archive.extractfile(f"{installed.sdist.name[:-7]}/PKG-INFO")
        assert pkg_info is not None
        metadata = pkg_info.read().decode()
    for required in (
        "generated/twilio_chat_api/__init__.py",
        "generated/twilio_chat_api/py.typed",
        "generated/twilio_chat_api/api/services/create_service.py",
        "src/twilio_chat/__init__.py",
        "src/twilio_chat/py.typed",
        "openapi.yaml",
        "spec/deviations.yaml",
        "LICENSE",
    ):
        assert required in names
    assert "twilio-chat-api" not in metadata


@pytest.mark.slow
def test_wheel_carries_both_packages_typed(installed: Installed) -> None:
    """The wheel installs twilio_chat and twilio_chat_api top-level, each with py.typed."""
    with zipfile.ZipFile(installed.wheel) as archive:
        names = set(archive.namelist())
        (metadata_name,) = (n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(metadata_name).decode()
    for required in (
        "twilio_chat/__init__.py",
        "twilio_chat/py.typed",
        "twilio_chat/testing/__init__.py",
        "twilio_chat_api/__init__.py",
        "twilio_chat_api/py.typed",
        "twilio_chat_api/api/services/create_service.py",
    ):
        assert required in names
    assert not any(name.startswith(("src/", "generated/", "tests/")) for name in names)
    assert "License-Expression: MIT" in metadata
    assert "twilio-chat-api" not in metadata


@pytest.mark.slow
def test_installed_cli_shows_help(installed: Installed) -> None:
    """`twilio-chat --help` runs from the new venv and lists the commands."""
    done = _run([installed.bin / "twilio-chat", "--help"], cwd=installed.work)
    for command in ("create-service", "provision", "emulator"):
        assert command in done.stdout


@pytest.mark.slow
def test_installed_cli_creates_a_service_on_its_emulator(
    installed: Installed, emulator_url: str
) -> None:
    """The installed emulator serves the installed CLI: create-service prints the service."""
    done = _run(
        [installed.bin / "twilio-chat", "create-service", "Installed Service"],
        cwd=installed.work,
        TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        TWILIO_CHAT_BASE_URL=emulator_url,
    )
    service = json.loads(done.stdout)
    assert service["friendly_name"] == "Installed Service"
    assert service["sid"].startswith("IS")


@pytest.mark.slow
def test_user_script_runs_from_the_venv(installed: Installed, emulator_url: str) -> None:
    """An application script imports both packages from the venv and creates a service."""
    script = installed.work / "app.py"
    script.write_text(USER_SCRIPT, encoding="utf-8")
    done = _run(
        [installed.bin / "python", script, "From A Script"],
        cwd=installed.work,
        TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        TWILIO_CHAT_BASE_URL=emulator_url,
    )
    sid, names, facade_file, generated_file = done.stdout.splitlines()
    assert sid.startswith("IS")
    assert "From A Script" in names
    for module_file in (facade_file, generated_file):
        assert Path(module_file).is_relative_to(installed.venv)


def _mypy(installed: Installed, source: str) -> subprocess.CompletedProcess[str]:
    """mypy --strict (the dev venv's pinned one) on `source`, resolving imports in the venv."""
    script = installed.work / "typed.py"
    script.write_text(source, encoding="utf-8")
    args = [sys.executable, "-m", "mypy", "--strict", "--python-executable"]
    args += [str(installed.bin / "python"), "--cache-dir", str(installed.work / ".mypy_cache")]
    return subprocess.run(
        [*args, str(script)],
        cwd=installed.work,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_user_script_passes_mypy_strict(installed: Installed) -> None:
    """mypy --strict accepts the script: both packages are found in the venv, typed."""
    done = _mypy(installed, USER_SCRIPT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout


@pytest.mark.slow
def test_mypy_sees_the_installed_types(installed: Installed) -> None:
    """A type error against the installed API is reported, so the types are real, not Any."""
    wrong = USER_SCRIPT.replace("sid: str = service.sid", "sid: bytes = service.sid")
    done = _mypy(installed, wrong)
    assert done.returncode == 1
    assert "Incompatible types in assignment" in done.stdout
