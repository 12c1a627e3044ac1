"""Benchmark: XLSX and CSV exports of the list pages on the demo store (a few hundred to a few thousand rows).

    DEBUG=true DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python manage.py migrate
    DEBUG=true DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python manage.py seed_demo
    DEBUG=true DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/exports.py

Times each export through the in-process test client as the demo owner (median of 5 after one warm-up) and
prints rows, bytes and milliseconds. Not a pass/fail test.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

PAGES = ["/orders/", "/catalog/", "/inventory/", "/payments/", "/customers/", "/settings/audit/"]
RUNS = 5


def fetch(client, url, fmt):
    response = client.get(url, {"export": fmt})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, (url, response.status_code)
    return body


def main():
    client = Client()
    client.force_login(get_user_model().objects.get(username="owner"))
    print(f"{'page':<20}{'format':<8}{'bytes':>10}{'rows':>8}{'median ms':>11}")
    for url in PAGES:
        for fmt in ("csv", "xlsx"):
            body = fetch(client, url, fmt)
            times = []
            for _ in range(RUNS):
                start = time.perf_counter()
                fetch(client, url, fmt)
                times.append((time.perf_counter() - start) * 1000)
            rows = body.count(b"\n") - 1 if fmt == "csv" else "-"
            print(f"{url:<20}{fmt:<8}{len(body):>10}{rows:>8}{statistics.median(times):>11.0f}")


if __name__ == "__main__":
    main()
