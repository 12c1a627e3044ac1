"""The benchmark runner's pieces: the workload registry, timing helpers, the table and the JSON file.

Adding a workload is one registration in any module listed in `MODULES`:

    @workload("reports", group="reports")
    def reports(ctx):
        median, p95, queries = ctx.time_get("/reports/")
        return [row("reports: index", median, p95, queries, goal_ms=25, oscar="dashboard")]

A workload gets a `Context` (size, request counts, a logged-in owner's test client, the generated store's marker)
and returns rows; `oscar=KEY` names the peer's figure (bench/oscar/run.py) that the row is compared with.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Modules whose @workload functions the runner collects, in table order.
MODULES = ["bench.workloads"]
REGISTRY: dict[str, Workload] = {}


@dataclass
class Row:
    workload: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    goal: str = ""
    met: bool | None = None
    oscar: str | None = None  # key of the peer's figure
    oscar_ms: float | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.oscar_ms and self.median_ms is not None:
            return self.median_ms / self.oscar_ms
        return None


def row(name, median, p95, queries=None, *, goal_ms=None, goal="", oscar=None, note="", met=None, **extra) -> Row:
    """One table row; with goal_ms the goal is 'p95 <= goal_ms' and met is computed."""
    if goal_ms is not None:
        goal = goal or f"p95 ≤ {goal_ms:g} ms"
        met = p95 is not None and p95 <= goal_ms
    return Row(name, median, p95, queries, goal, met, oscar, None, note, extra)


@dataclass
class Workload:
    name: str
    fn: Callable
    group: str
    heavy: bool = False  # gunicorn / pgbench / processes: skipped by --light (the tests)


def workload(name: str, *, group: str = "", heavy: bool = False):
    def register(fn):
        REGISTRY[name] = Workload(name, fn, group or name, heavy)
        return fn

    return register


class Context:
    def __init__(self, *, size: dict, runs: int, light: bool = False):
        from django.contrib.auth import get_user_model
        from django.test import Client

        self.size, self.runs, self.light = size, runs, light
        self.owner, _ = get_user_model().objects.get_or_create(
            username="bench_owner", defaults={"is_superuser": True, "is_staff": True}
        )
        if not self.owner.is_superuser:
            self.owner.is_superuser = self.owner.is_staff = True
            self.owner.save()
        self.client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.client.force_login(self.owner)

    def time_get(self, url, params=None, *, runs=None, status=200):
        """(median ms, p95 ms, queries) of GET url through the in-process client, after one warm-up."""
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        self.client.get(url, params or {})  # warm-up (the first request may reconnect, losing the count)
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, params or {})
            if response.streaming:
                b"".join(response.streaming_content)
        count = len(queries)  # now: the next request's request_started signal empties the log
        assert response.status_code == status, (url, params, response.status_code)
        return (*self.time(lambda: self.client.get(url, params or {}), runs=runs), count)

    def time(self, fn, *, runs=None):
        """(median ms, p95 ms) of fn over `runs` calls."""
        times = []
        for _ in range(runs or self.runs):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        return median_p95(times)


def median_p95(times):
    times = sorted(times)
    if not times:
        return None, None
    return statistics.median(times), times[max(0, round(len(times) * 0.95 + 0.5) - 1)]


def collect():
    import importlib

    for module in MODULES:
        importlib.import_module(module)
    return REGISTRY


def attach_oscar(rows: list[Row], peer: dict):
    for r in rows:
        if r.oscar and r.oscar in peer.get("figures", {}):
            r.oscar_ms = peer["figures"][r.oscar]["median_ms"]


def _fmt(value, digits=1):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def table(rows: list[Row]) -> str:
    lines = [
        "| workload | median ms | p95 ms | queries | goal | met? | oscar ms | Houtai / oscar |",
        "|---|---:|---:|---:|---|---|---:|---:|",
    ]
    for r in rows:
        met = "—" if r.met is None else ("yes" if r.met else "**no**")
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "—"
        name = r.workload + (f" ({r.note})" if r.note else "")
        lines.append(
            f"| {name} | {_fmt(r.median_ms)} | {_fmt(r.p95_ms)} | {_fmt(r.queries, 0)} | {r.goal} | {met} | "
            f"{_fmt(r.oscar_ms)} | {ratio} |"
        )
    return "\n".join(lines)


def write_json(rows: list[Row], meta: dict, directory: Path | None = None) -> Path:
    directory = directory or ROOT / "bench" / "results"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{time.strftime('%Y-%m-%d', time.gmtime())}.json"
    payload = {"meta": meta, "rows": [asdict(r) | {"ratio": r.ratio} for r in rows]}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
    return path


def machine() -> str:
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    cpu = next((x.split(":")[1].strip() for x in open("/proc/cpuinfo") if x.startswith("model name")), "?")
    return f"{os.cpu_count()} cores ({cpu}), load {' '.join(load)}"
