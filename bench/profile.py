"""Where a page's time goes: cProfile over N requests and EXPLAIN ANALYZE of its slowest queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houtai_bench python -m bench.profile /orders/ q=20261 [-n 10]

Runs as the logged-in owner through the in-process test client (as `python -m bench` does); prints the share of
time in SQL, the top functions by cumulative and by own time, and the plans of the three slowest statements.
"""

import argparse
import cProfile
import io
import pstats
import time


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("url")
    parser.add_argument("params", nargs="*", help="key=value query parameters")
    parser.add_argument("-n", type=int, default=10, help="requests to profile")
    parser.add_argument("--top", type=int, default=18)
    args = parser.parse_args(argv)
    from bench.generate import setup_django

    setup_django()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from bench.runner import Context

    params = dict(p.split("=", 1) for p in args.params)
    ctx = Context(size={}, runs=1)
    ctx.client.get(args.url, params)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        ctx.client.get(args.url, params)
        wall = (time.perf_counter() - started) * 1000
    captured = list(queries.captured_queries)  # before the next request's request_started empties the log
    sql = sum(float(q["time"]) for q in captured) * 1000
    print(f"{args.url} {params}: {wall:.1f} ms, {len(queries)} queries, SQL {sql:.1f} ms ({sql / wall:.0%})")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        ctx.client.get(args.url, params)
    profile.disable()
    stats = pstats.Stats(profile)
    calls, total_ms = stats.total_calls / args.n, stats.total_tt / args.n * 1000  # type: ignore[attr-defined]
    print(f"cProfile: {calls:,.0f} function calls, {total_ms:.1f} ms per request")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(f"-- by {order}\n" + "\n".join(out.getvalue().splitlines()[6:]))
    slowest = sorted(captured, key=lambda q: -float(q["time"]))[:3]
    with connection.cursor() as cursor:
        for q in slowest:
            print(f"-- {float(q['time']) * 1000:.1f} ms: {q['sql'][:300]}")
            if q["sql"].lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                print("\n".join(r[0] for r in cursor.fetchall()))


if __name__ == "__main__":
    main()
