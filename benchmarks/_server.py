"""The app under uvicorn for the load benchmarks: a free loopback port, a temporary migrated SQLite database,
start, readiness, shutdown; and the percentile their reports print."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    port: int, database_url: str, workers: int, extra_env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "YIBAO_DATABASE_URL": database_url,
        "YIBAO_ENV": "development",
        "YIBAO_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    command = [
        sys.executable, "-m", "uvicorn", "api.main:app_factory", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning",
        "--no-access-log",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not become ready")


@contextmanager
def running_server(
    workers: int,
    *,
    ready_timeout: float,
    stop_timeout: float,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """The base URL of a ready server over a fresh database; terminated (killed if it lingers) on exit."""
    from bot.store.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="yibao-bench-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(database_url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, database_url, workers, extra_env)
        try:
            wait_ready(base, server, ready_timeout)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                server.kill()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]
