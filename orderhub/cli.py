"""`orderhub serve | jobs | demo | migrate | merchant create | user create` (docs/api.md)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import multiprocessing
import os
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit

from piccolo.apps.migrations.commands.forwards import run_forwards

from orderhub import demo, jobs
from orderhub.child_process import die_with_parent
from orderhub.db import engine as db_engine
from orderhub.db import indexes
from orderhub.db.clock import system_clock
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.merchants.services import create_merchant, create_user
from orderhub.db.orders import versions as hub_versions
from orderhub.demo import scale
from orderhub.emails import preview as email_preview
from orderhub.settings import Settings, SettingsError


async def _with_engine(settings: Settings, coro_fn):
    db = db_engine.engine_for(settings)
    db_engine.bind(db)
    await db_engine.start(db, settings)
    try:
        return await coro_fn()
    finally:
        await db_engine.stop(db)


async def migrate(settings: Settings) -> None:
    if not settings.is_postgres:  # SQLite makes the file, not its folder (the data folder by default)
        Path(settings.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
    db_engine.bind(db_engine.engine_for(settings))
    # Piccolo reports progress on stdout; stdout belongs to the command's own answer (JSON, URLs)
    with contextlib.redirect_stdout(sys.stderr):
        result = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not result.success:
        raise SystemExit(f"migrations failed: {result.message}")
    await hub_versions.install()
    await indexes.install()


def cmd_migrate(settings: Settings, args) -> int:
    asyncio.run(migrate(settings))
    print("migrations applied", file=sys.stderr)
    return 0


def database_line(settings: Settings) -> str:
    """What start-up says about the database (a PostgreSQL URL without its password)."""
    url = settings.database_url
    if settings.is_postgres:
        password = urlsplit(url).password
        return f"database: {url.replace(f':{password}@', ':***@') if password else url}"
    return f"database: {Path(settings.sqlite_path).resolve()}"


def cmd_serve(settings: Settings, args) -> int:
    import uvicorn

    from orderhub.site import logs, server

    logs.install()
    # the workers (and this process) build their settings from the environment: tell them where we
    # listen, so that this host:port is allowed and links point here when ORDERHUB_BASE_URL is unset
    os.environ["ORDERHUB_LISTEN"] = f"{args.host}:{args.port}"
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"orderhub: {exc}", file=sys.stderr)
        return 2
    print(database_line(settings), file=sys.stderr)
    print(f"serving {settings.base_url} (allowed hosts: {', '.join(settings.allowed_hosts)})", file=sys.stderr)
    asyncio.run(migrate(settings))
    jobs_process = None if args.no_jobs else _start_jobs_process()
    try:
        uvicorn.run("orderhub.site.app:create_app", factory=True, host=args.host, port=args.port,
                    workers=args.workers if args.workers > 1 else None, **server.uvicorn_options(settings))
    finally:
        if jobs_process is not None:
            jobs_process.terminate()  # the jobs end their current round, then exit
            jobs_process.join(timeout=30)
            if jobs_process.is_alive():
                jobs_process.kill()
    return 0


def _start_jobs_process() -> multiprocessing.process.BaseProcess:
    """The background jobs beside the web workers, in a process of their own: the engine (and its
    connection pool) a process binds belongs to that process's event loop, and the jobs' work never
    waits on, or holds up, the pages' loop. The process ends with the server, even after kill -9."""
    process = multiprocessing.get_context("spawn").Process(target=_jobs_beside_the_server, name="orderhub-jobs",
                                                            daemon=True)
    process.start()
    return process


def _jobs_beside_the_server() -> None:
    die_with_parent()
    _run_jobs_until_stopped(Settings.from_env())


def _run_jobs_until_stopped(settings: Settings) -> None:
    """`jobs.run_forever` until SIGTERM or SIGINT: a job at work finishes its round first."""
    from orderhub.site import logs

    logs.install()  # tokens never reach the log, as in the server

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await jobs.run_forever(settings, system_clock, stop)

    asyncio.run(_with_engine(settings, run))


def cmd_jobs(settings: Settings, args) -> int:

    asyncio.run(migrate(settings))
    if args.once:
        asyncio.run(_with_engine(settings, lambda: jobs.run_once(settings, system_clock)))
    else:
        _run_jobs_until_stopped(settings)
    return 0


def cmd_demo(settings: Settings, args) -> int:
    print(database_line(settings), file=sys.stderr)
    asyncio.run(migrate(settings))
    ctx = asyncio.run(_with_engine(settings, lambda: demo.create(settings, system_clock())))
    if args.scale:
        added = asyncio.run(_with_engine(settings, lambda: scale.scale(
            args.scale, settings.key_for("hub-token"), system_clock(),
            progress=lambda n: print(f"  {n} orders", file=sys.stderr))))
        print(f"Scaled to {args.scale} orders ({added} copies of the demo orders added)", file=sys.stderr)
    print("Demo orders (open one in a browser):")
    for order in ctx.orders:
        print(f"  {order.merchant:9} {order.state:18} {settings.base_url}/o/{order.token}")
    print("Demo API keys and webhook secrets (a new key on every run):")
    for slug, merchant in ctx.merchants.items():
        print(f"  {slug:9} api_key={ctx.api_keys[slug]} webhook_secret={merchant.webhook_secret}")
    print("Demo sign-ins (merchant admin and store staff console):")
    for path, email, password in ctx.accounts:
        print(f"  {settings.base_url}{path}  {email}  {password}")
    return 0


def cmd_merchant_create(settings: Settings, args) -> int:

    asyncio.run(migrate(settings))
    try:
        created = asyncio.run(_with_engine(settings, lambda: create_merchant(
            args.slug, args.name, locale=args.locale, currency=args.currency, timezone=args.timezone,
            now=system_clock())))
    except ValidationFailed as exc:
        print(json.dumps({"errors": exc.errors}), file=sys.stderr)
        return 2
    except Conflict as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps({"slug": created.slug, "api_key": created.api_key, "webhook_secret": created.webhook_secret}))
    return 0


def cmd_user_create(settings: Settings, args) -> int:

    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    asyncio.run(migrate(settings))
    try:
        user_id = asyncio.run(_with_engine(settings, lambda: create_user(
            args.merchant, args.email, args.role, password, store_code=args.store, now=system_clock())))
    except ValidationFailed as exc:
        print(json.dumps({"errors": exc.errors}), file=sys.stderr)
        return 2
    except (NotFound, Conflict) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps({"id": user_id, "email": args.email.lower(), "role": args.role, "store": args.store}))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="orderhub", description="A branded hub page for every order.")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the app (migrations first) and run the background jobs")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--no-jobs", action="store_true")
    serve.set_defaults(fn=cmd_serve)
    jobs = sub.add_parser("jobs", help="run the background jobs alone")
    jobs.add_argument("--once", action="store_true", help="run each job once and exit")
    jobs.set_defaults(fn=cmd_jobs)
    demo_cmd = sub.add_parser("demo", help="create the demo merchants and orders")
    demo_cmd.add_argument("--scale", type=int, default=0, metavar="N",
                          help="then copy the demo orders until there are N orders (benchmarks, query plans)")
    demo_cmd.set_defaults(fn=cmd_demo)
    sub.add_parser("migrate", help="apply migrations to DATABASE_URL").set_defaults(fn=cmd_migrate)
    merchant = sub.add_parser("merchant").add_subparsers(dest="action", required=True)
    mc = merchant.add_parser("create", help="create a merchant; prints its API key and webhook secret")
    mc.add_argument("--slug", required=True)
    mc.add_argument("--name", required=True)
    mc.add_argument("--locale", default="en-US")
    mc.add_argument("--currency", default="USD")
    mc.add_argument("--timezone", default="UTC")
    mc.set_defaults(fn=cmd_merchant_create)
    user = sub.add_parser("user").add_subparsers(dest="action", required=True)
    uc = user.add_parser("create", help="create an owner or staff user; reads the password from stdin")
    uc.add_argument("--merchant", required=True)
    uc.add_argument("--email", required=True)
    uc.add_argument("--role", required=True, choices=["owner", "staff"])
    uc.add_argument("--store")
    uc.set_defaults(fn=cmd_user_create)
    email_preview.add_command(sub, _with_engine)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"orderhub: {exc}", file=sys.stderr)
        return 2
    return args.fn(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
