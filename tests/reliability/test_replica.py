"""Reports read from a streaming replica (DATABASE_REPLICA_URL, reports/routers.py) and show the primary's figures;
no write goes to it.

The test builds the two servers itself with Debian's tools: a primary cluster (wal_level=replica) and a hot standby
made from it by `pg_basebackup -R`, both small and without fsync, on ports 5452/5453 (the range this project's
helpers may use), and drops both at the end. A child process runs the store against them
(tests/reliability/replica_child.py) — its DATABASE_URL is the primary and its DATABASE_REPLICA_URL the standby.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
VERSION, PRIMARY, STANDBY = "15", "houtai_repl_primary", "houtai_repl_standby"
PRIMARY_PORT, STANDBY_PORT = 5452, 5453
SETTINGS = ["fsync = off", "full_page_writes = off", "shared_buffers = 32MB",
            "max_connections = 30", "wal_level = replica", "max_wal_senders = 4", "hot_standby = on"]  # fmt: skip


def _tools_missing():
    needed = ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_basebackup", "pg_lsclusters")
    missing = [tool for tool in needed if shutil.which(tool) is None]
    if missing:
        return f"needs Debian's PostgreSQL tools ({', '.join(missing)} not found)"
    if os.geteuid() != 0:
        return "needs root to create PostgreSQL clusters (pg_createcluster)"
    return None


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def drop(name):
    subprocess.run(["pg_dropcluster", "--stop", VERSION, name], capture_output=True)


def ready(port, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL on {port} did not start")


def create(name, port):
    drop(name)  # left by an interrupted run
    run("pg_createcluster", VERSION, name, "--port", str(port), "--", "--auth=trust", "--no-sync")
    with open(f"/etc/postgresql/{VERSION}/{name}/postgresql.conf", "a") as conf:
        conf.write("\n" + "\n".join(SETTINGS) + "\n")


@pytest.fixture
def primary_and_standby():
    reason = _tools_missing()
    if reason:
        pytest.skip(reason)
    try:
        create(PRIMARY, PRIMARY_PORT)
        run("pg_ctlcluster", "--skip-systemctl-redirect", VERSION, PRIMARY, "start")
        ready(PRIMARY_PORT)
        create(STANDBY, STANDBY_PORT)  # its configuration; the data directory is the primary's base backup
        data = Path(f"/var/lib/postgresql/{VERSION}/{STANDBY}")
        shutil.rmtree(data)
        run("pg_basebackup", "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres", "-D", str(data),
            "-R", "-X", "stream", "--no-sync", "-c", "fast")  # fmt: skip
        run("chown", "-R", "postgres:postgres", str(data))
        data.chmod(0o700)
        run("pg_ctlcluster", "--skip-systemctl-redirect", VERSION, STANDBY, "start")
        ready(STANDBY_PORT)
        run("psql", "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres", "-qc", "CREATE DATABASE houtai_repl")
        yield (
            f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/houtai_repl",
            f"postgres://postgres@127.0.0.1:{STANDBY_PORT}/houtai_repl",
        )
    finally:
        drop(STANDBY)
        drop(PRIMARY)


def test_reports_read_the_replica_and_show_the_primary_figures(primary_and_standby):
    primary, standby = primary_and_standby
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": primary,
        "DATABASE_REPLICA_URL": standby,
        "PAYMENT_SECRET_ALIPAY": "replica-test-secret",
        "REDIS_URL": "",
        "ALLOWED_HOSTS": "testserver",
    }
    child = subprocess.run(
        [sys.executable, "-m", "tests.reliability.replica_child"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in child.stdout.splitlines() if line.startswith("RESULT ")]
    assert child.returncode == 0 and lines, child.stderr[-3000:]
    out = json.loads(lines[-1][len("RESULT ") :])
    print(json.dumps(out, ensure_ascii=False))  # the figures RELIABILITY.md quotes (pytest -s)

    assert out["router"] == {"read": "replica", "write": "default"}
    assert out["replica_in_recovery"] is True  # a real standby, fed by streaming replication
    assert out["replica_queries_during_writes"] == 0  # orders, payments and their rollups all went to the primary
    assert out["replica_refuses_writes"] is True
    assert out["replica_queries_for_report"] > 0 and out["page"]["replica_queries"] > 0
    assert out["page"]["status"] == 200
    assert out["replica"] == out["primary"] and int(out["replica"]["orders_placed"]) == 20
    assert int(out["replica"]["orders_paid"]) == 10 and out["by_method_match"]
