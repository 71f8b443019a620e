"""A throwaway PostgreSQL cluster for the test suite: initdb as the `postgres` user (initdb
refuses root), listening on 127.0.0.1 on a free port, socket in a temp folder. Fails loudly
when PostgreSQL is not installed: `make test` installs it."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass


@dataclass
class Cluster:
    folder: str
    port: int
    bin: str
    user: str

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/orderhub_test"

    def stop(self) -> None:
        _as_postgres([f"{self.bin}/pg_ctl", "-D", f"{self.folder}/data", "-m", "immediate", "stop"], check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def _pg_bin() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `make test-deps`")
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str], check: bool = True) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


def start() -> Cluster:
    bin_dir = _pg_bin()
    folder = tempfile.mkdtemp(prefix="orderhub-pg-")
    user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    _as_postgres([f"{bin_dir}/initdb", "-D", f"{folder}/data", "-U", user, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync"])
    opts = (f"-c listen_addresses=127.0.0.1 -c port={port} -k {folder} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=300")
    _as_postgres([f"{bin_dir}/pg_ctl", "-D", f"{folder}/data", "-o", opts, "-l", f"{folder}/log", "-w", "start"])
    cluster = Cluster(folder, port, bin_dir, user)
    deadline = time.monotonic() + 30
    while True:
        done = _as_postgres([f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", user, "orderhub_test"], check=False)
        if done.returncode == 0:
            return cluster
        if time.monotonic() > deadline:
            cluster.stop()
            raise RuntimeError(f"PostgreSQL did not start: {done.stderr}")
        time.sleep(0.1)
