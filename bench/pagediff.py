"""Byte-identical check: every hub page of every demo order, rendered by two revisions, compared.

    .venv/bin/python bench/pagediff.py render REV OUT     # REV's pages into folder OUT
    .venv/bin/python bench/pagediff.py diff OLD NEW       # both revisions, then what differs

REV is any git revision, or WORKTREE for the files as they are now. Each revision is taken out of
git into a temporary folder (the vendored scripts copied from this checkout) and run there, with
its own code: `orderhub demo` data created at a fixed moment on a new SQLite database, the app
driven in-process (httpx's ASGI transport) with the same fixed clock, a fixed secret key, the same pickup-code
draws and a fixed CSRF token. Pages: the hub and each section (confirmation, tracking, pickup, returns, feedback,
receipt) of every demo order, in Japanese and English, full pages as a browser gets them; each file
holds the status line and the body. `diff` prints the files that differ and a unified diff of each
(also written to OUT_DIR/diff.txt). Nothing here asserts; it is read by a person.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("", "/tracking", "/pickup", "/returns", "/feedback", "/receipt")
LANGS = ("ja", "en")

#: runs inside the revision's own tree (only APIs that existed before issue 16 are used)
_INNER = r'''
import asyncio, datetime as dt, os, sys
from pathlib import Path
import secrets
import httpx
import litestar.middleware.csrf as csrf_module

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)
out = Path(sys.argv[1])
sections, langs = sys.argv[2].split(","), sys.argv[3].split(",")
# the same CSRF token on every page (Litestar draws it with secrets.token_hex)
csrf_module.secrets = type("FixedSecrets", (), {"token_hex": staticmethod(lambda n=32: "c" * (2 * n)),
                                                "compare_digest": staticmethod(secrets.compare_digest)})

import orderhub
from orderhub import demo
assert orderhub.__file__.startswith(os.getcwd()), orderhub.__file__  # the revision's own code
from orderhub.cli import migrate
import random
from orderhub.db.pickup import rules as pickup_rules
if hasattr(pickup_rules, "secrets"):  # pickup codes are drawn at random: the same draws for both revisions
    pickup_rules.secrets = random.Random(16)
from orderhub.db import engine as db_engine
from orderhub.settings import Settings
from orderhub.site.app import create_app


async def main():
    settings = Settings.from_env()
    await migrate(settings)
    db = db_engine.engine_for(settings)
    db_engine.bind(db)
    await db_engine.start(db, settings)
    ctx = await demo.create(settings, NOW)
    await db_engine.stop(db)
    app = create_app(settings, clock=lambda: NOW)
    async with app.lifespan() if False else _Lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            for n, order in enumerate(ctx.orders):
                for section in sections:
                    for lang in langs:
                        r = await client.get(f"/o/{order.token}{section}?lang={lang}")
                        name = f"{n:02d}-{order.merchant}-{order.state}-{section.strip('/') or 'hub'}-{lang}.html"
                        (out / name).write_text(f"{r.status_code}\n{r.text}")
                        client.cookies.clear()


class _Lifespan:
    def __init__(self, app):
        self.app = app

    async def __aenter__(self):
        settings = self.app.state.settings
        self.db = db_engine.current_engine()
        await db_engine.start(self.db, settings)

    async def __aexit__(self, *exc):
        await self.app.state.analytics.flush()
        await db_engine.stop(self.db)


asyncio.run(main())
'''


def _tree(rev: str, into: Path) -> Path:
    """The files of `rev` (or of this checkout for WORKTREE) in a folder of their own."""
    into.mkdir(parents=True, exist_ok=True)
    if rev == "WORKTREE":
        files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.splitlines()
        for name in files:
            src = ROOT / name
            if src.is_file() and not src.is_symlink():
                (into / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, into / name)
    else:
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    vendor = ROOT / "orderhub" / "static" / "vendor"
    if vendor.exists():
        shutil.copytree(vendor, into / "orderhub" / "static" / "vendor", dirs_exist_ok=True)
    return into


def render(rev: str, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.html"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="pagediff-") as tmp:
        tree = _tree(rev, Path(tmp) / "tree")
        data = Path(tmp) / "data"
        data.mkdir()
        env = {**os.environ, "PYTHONPATH": str(tree), "DATABASE_URL": f"sqlite:///{data}/pages.sqlite3",
               "ORDERHUB_DATA_DIR": str(data), "ORDERHUB_SECRET_KEY": "pagediff-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
               "ORDERHUB_SECURE_COOKIES": "0", "ORDERHUB_BASE_URL": "http://pages.test"}
        env.pop("ORDERHUB_PAGE_CACHE_ENTRIES", None)
        subprocess.run([sys.executable, "-c", _INNER, str(out), ",".join(SECTIONS), ",".join(LANGS)], cwd=tree,
                       env=env, check=True)
    return out


def diff(old: Path, new: Path) -> list[str]:
    """A unified diff of every page that differs (and pages only one side has)."""
    report: list[str] = []
    names = sorted({p.name for p in old.glob("*.html")} | {p.name for p in new.glob("*.html")})
    changed = 0
    for name in names:
        a, b = old / name, new / name
        if not a.exists() or not b.exists():
            report.append(f"only in {'new' if b.exists() else 'old'}: {name}")
            changed += 1
            continue
        ta, tb = a.read_text(), b.read_text()
        if ta != tb:
            changed += 1
            report.extend(difflib.unified_diff(ta.splitlines(), tb.splitlines(), f"old/{name}", f"new/{name}",
                                               n=1, lineterm=""))
    report.insert(0, f"{len(names)} pages, {changed} differ")
    return report


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "render":
        render(sys.argv[2], Path(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "diff":
        base = Path(tempfile.gettempdir()) / "orderhub-pagediff"
        old = render(sys.argv[2], base / sys.argv[2].replace("/", "_"))
        new = render(sys.argv[3], base / sys.argv[3].replace("/", "_"))
        report = diff(old, new)
        (base / "diff.txt").write_text("\n".join(report) + "\n")
        print("\n".join(report))
        print(f"\n(written to {base / 'diff.txt'})", file=sys.stderr)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
