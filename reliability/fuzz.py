"""python -m reliability.fuzz --examples 500: the schemathesis run of tests/shop/test_api_schemathesis.py, long.

Runs that test under pytest (its own test database, in-process WSGI) with FUZZ_EXAMPLES cases per operation,
then prints what was tried: cases per operation, the statuses they got, and every distinct failure
(a 5xx, a 4xx outside the DESIGN §4 error format, a response the schema does not declare). Exit status 1
when anything failed. Give DATABASE_URL (PostgreSQL finds what SQLite lets through, e.g. NUL characters).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m reliability.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500, help="cases per operation (default 500)")
    parser.add_argument("--report", help="also keep the JSON report at this path")
    args = parser.parse_args(argv)
    report_path = args.report or tempfile.mktemp(prefix="houtai-fuzz-", suffix=".json")
    env = {**os.environ, "FUZZ_EXAMPLES": str(args.examples), "FUZZ_REPORT": report_path}
    started = time.monotonic()
    pytest = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/shop/test_api_schemathesis.py", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    if not Path(report_path).exists():
        noise = ("WARNING ", "Unauthorized:", "Bad Request:", "Not Found:", "Conflict:", "Unprocessable")
        lines = [ln for ln in (pytest.stdout + pytest.stderr).splitlines() if not ln.startswith(noise)]
        print("\n".join(lines[-200:]))
        print("the run made no report (see pytest's output above)")
        return 2
    report = json.loads(Path(report_path).read_text())
    operations = report["operations"]
    total = sum(op["cases"] for op in operations.values())
    print(
        f"schemathesis: {len(operations)} operations, {total} cases, {args.examples} per operation asked, "
        f"{seconds:.0f} s, database {os.environ.get('DATABASE_URL', 'sqlite')}"
    )
    width = max(len(label) for label in operations)
    for label, op in operations.items():
        statuses = " ".join(f"{code}×{n}" for code, n in op["statuses"].items())
        print(
            f"  {label:<{width}}  {op['cases']:>6} cases  {op['failures']} failures  {op['seconds']:>6} s  {statuses}"
        )
    server_errors = sum(int(n) for op in operations.values() for c, n in op["statuses"].items() if c[:1] == "5")
    print(f"5xx responses: {server_errors}; distinct failures: {len(report['failures'])}")
    for failure in report["failures"]:
        print(
            f"\n{failure['operation']} [{failure['check']}] {failure['status']}\n{failure['detail']}\n"
            f"{failure['body']}\n{failure['curl']}"
        )
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
