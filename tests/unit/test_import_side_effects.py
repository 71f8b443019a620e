"""Importing any orderhub module touches nothing on disk: no secret file, no database file, no data
folder, even with no secret configured. The development secret is made only when a key is first
read by a command that needs it (serving, the demo, ...): building a database engine needs none."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

IMPORT_EVERYTHING = """
import importlib, pkgutil, sys
import orderhub
names = sorted(m.name for m in pkgutil.walk_packages(orderhub.__path__, "orderhub."))
for name in names:
    importlib.import_module(name)
# Piccolo's way to the engine, and the settings themselves, read no secret either
from orderhub.db import piccolo_conf
from orderhub.settings import Settings
assert piccolo_conf.DB is not None
assert Settings.from_env(need_secret=False).secret_key == ""
print(len(names))
"""


def _bare_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ORDERHUB_", "PICCOLO_")) and k != "DATABASE_URL"}
    env.update(PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1", HOME=str(home))
    return env


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_importing_every_module_writes_nothing(tmp_path):
    cwd, home = tmp_path / "cwd", tmp_path / "home"
    cwd.mkdir()
    home.mkdir()
    done = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING], cwd=cwd, env=_bare_env(home),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 100  # it did import the whole package
    assert _files(cwd) == []  # no ./var/secret.key, no ./orderhub.sqlite3
    assert _files(home) == []


def test_the_development_secret_is_made_once_on_first_need(tmp_path):
    from orderhub.settings import Settings

    env = {"ORDERHUB_DATA_DIR": str(tmp_path / "var")}
    Settings.from_env(env, need_secret=False)
    assert not (tmp_path / "var").exists()
    key = Settings.from_env(env).key_for("csrf")
    secret_file = tmp_path / "var" / "secret.key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(secret_file.read_text()) >= 32
    assert Settings.from_env(env).key_for("csrf") == key  # kept: the next start reads the same secret
    assert _files(tmp_path / "var") == ["secret.key"]


def test_a_configured_secret_never_touches_the_data_folder(tmp_path):
    from orderhub.settings import Settings

    settings = Settings.from_env({"ORDERHUB_DATA_DIR": str(tmp_path / "var"), "ORDERHUB_SECRET_KEY": "k" * 40})
    settings.key_for("csrf")
    assert not (tmp_path / "var").exists()
