"""Rate limits shared by every worker and kept across restarts (issue 18, item 8): two real app
processes on one database count one lookup budget together, and a restarted process still refuses.
The same with the counters in Redis (`ORDERHUB_REDIS_URL`; redis-server comes from the Makefile's
TEST_DEBS, the `redis` client from the test extra)."""

from __future__ import annotations

import contextlib
import re
import subprocess
import time
from pathlib import Path

import httpx

from tests.emails_support import free_port
from tests.servers_support import served

LIMIT = 4


def _lookups(base: str, n: int) -> list[int]:
    """n wrong lookups of one order number from one client; the answers' status codes."""
    with httpx.Client(base_url=base, timeout=10) as http:
        page = http.get("/lookup")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        return [http.post("/lookup", data={"_csrf_token": token, "number": "SHARED-1", "proof": "nobody@example.com"}
                          ).status_code for _ in range(n)]


def _two_servers_share_the_budget(tmp_path: Path, env: dict[str, str]) -> None:
    env = {"ORDERHUB_LOOKUP_LIMIT": str(LIMIT), **env}
    with served(tmp_path / "a.log", env=env) as a, served(tmp_path / "b.log", env=env) as b:
        answers = []
        for _ in range(3):
            answers += _lookups(a, 2) + _lookups(b, 2)
        assert answers.count(422) == LIMIT and answers.count(429) == len(answers) - LIMIT, answers
    with served(tmp_path / "c.log", env=env) as c:  # a restart forgets nothing
        assert _lookups(c, 1) == [429]


def test_two_processes_share_the_lookup_limit_in_the_database(database_url, tmp_path):
    _two_servers_share_the_budget(tmp_path, {})


@contextlib.contextmanager
def redis_server(folder: Path):
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_two_processes_share_the_lookup_limit_in_redis(database_url, tmp_path):
    with redis_server(tmp_path) as url:
        _two_servers_share_the_budget(tmp_path, {"ORDERHUB_REDIS_URL": url})
