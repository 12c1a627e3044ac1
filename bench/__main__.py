"""`python -m bench` (`make bench`): generate the store if needed, run every workload, the peer beside it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench python -m bench [--size tiny|small|full]
        [--only orders_list,exports] [--no-oscar] [--light] [--runs 15]

Prints one table (workload, median, p95, queries, goal, met?, oscar, Houtai / oscar) and writes it as JSON to
bench/results/<date>.json. django-oscar runs in its own interpreter (bench/oscar/run.py) on the same data.
Heavy workloads can be cut on a shared machine: BENCH_RESERVE_RUNS (20), BENCH_INTAKE_PER_CLIENT (4 x runs),
BENCH_FLASH_BUYERS (10,000), BENCH_FLASH_UNITS (500), BENCH_EXPORT_ALL=0 (skip the CSV of every order).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import traceback
from pathlib import Path

from bench.generate import add_size_arguments, create_database, generate, setup_django, sizes_from


def run_oscar(size: dict, runs: int) -> dict:
    """The peer's figures: bench/oscar/run.py in its own venv, as JSON on its last output line."""
    from django.db import connection

    from bench.runner import ROOT

    db = connection.settings_dict
    source = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    cmd = [sys.executable, str(ROOT / "bench" / "oscar" / "run.py"), "--source", source, "--runs", str(runs)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    sys.stderr.write(out.stderr[-3000:])
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"error": f"exit {out.returncode}", "figures": {}}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    add_size_arguments(parser)
    parser.add_argument("--only", help="comma-separated workload names")
    parser.add_argument("--no-oscar", action="store_true", help="skip the django-oscar peer")
    parser.add_argument("--light", action="store_true", help="skip gunicorn, pgbench and process pools")
    parser.add_argument("--results", help="directory of the JSON results (default bench/results)")
    parser.add_argument("--runs", type=int, help="requests per case (default 15; 3 at --size tiny)")
    args = parser.parse_args(argv)
    setup_django()
    from django.core.management import call_command

    from bench import runner

    size = sizes_from(args)
    runs = args.runs or (3 if size["orders"] <= 10_000 else 15)
    call_command("migrate", verbosity=0)
    generate(**size)
    registry = runner.collect()
    only = set(args.only.split(",")) if args.only else None
    if only and only - set(registry):
        parser.error(f"unknown workloads: {', '.join(sorted(only - set(registry)))}; known: {', '.join(registry)}")
    ctx = runner.Context(size=size, runs=runs, light=args.light)
    rows, started = [], time.time()
    for name, w in registry.items():
        if (only and name not in only) or (args.light and w.heavy):
            continue
        t = time.perf_counter()
        print(f"-- {name}", file=sys.stderr, flush=True)
        try:
            rows.extend(w.fn(ctx))
        except Exception as exc:  # a broken workload is a row that says so, not the end of the run
            traceback.print_exc()
            rows.append(runner.row(name, None, None, note=f"failed: {type(exc).__name__}: {str(exc)[:100]}"))
        print(f"   {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
        runner.write_json(rows, {"partial": True, "size": size}, Path(args.results) if args.results else None)
    peer = {}
    if not args.no_oscar and not args.light:
        print("-- oscar", file=sys.stderr, flush=True)
        peer = run_oscar(size, runs)
        runner.attach_oscar(rows, peer)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "machine": runner.machine(),
        "size": size,
        "runs": runs,
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "oscar": {k: v for k, v in peer.items() if k != "figures"},
        "oscar_figures": peer.get("figures", {}),
    }
    path = runner.write_json(rows, meta, Path(args.results) if args.results else None)
    print(runner.table(rows))
    print(f"\n{meta['machine']}; {size}; {runs} requests a case; JSON: {path}")
    return rows


if __name__ == "__main__":
    create_database()  # the command on a fresh machine (the tests call main() on their own database)
    main()
