"""HTML and script in every text field, escaped on every page that shows it; formulas escaped in every export.

Every text column (CharField / TextField without choices) of every row of the test world (tests/shop/world.py:
one object of each kind, plus the seeded rows) is overwritten with a payload that is at once HTML, script, an
attribute breaker and a spreadsheet formula. Then the owner opens every page of the URL table (the GET of every
back-office URL pattern, each `<int:pk>` a real object), each list page once more with the payload as its search,
and every list's CSV and XLSX export. No response may carry the payload's markup unescaped; no CSV cell may start
with the formula; no XLSX cell may be a formula. Rich text (product descriptions, FAQ answers) is shown through
shop.html.sanitize_html, whatever wrote it (a service, the import, the Django admin or a migration).
"""

import csv
import io
import re
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from tests.shop.world import OUR_APPS, PAGES, build_world, url

PAYLOAD = "=1+2<script>alert(1)</script><img src=x onerror=alert(1)>\"'"
SHORT = "=<s>x</s>\"'"  # for fields too short for the whole payload
# What must never reach a page: the markup as markup, or the quotes right after it left unescaped.
MARKERS = ("<script>alert(1)", "<img src=x onerror", "<s>x</s>", "onerror=alert(1)>\"'")
FORMULA = ("=1+2", "=<s>")

# Columns that are keys the code looks rows up by, or values it parses, rather than text a person wrote:
# overwriting them tests the lookup, not the escaping.
NOT_TEXT = {
    ("shop", "storesettings", "time_zone"),
    ("shop", "storesettings", "currency"),
    ("shop", "apikey", "prefix"),
    ("shop", "apikey", "key_hash"),
    ("shop", "jobrun", "kind"),
    ("shop", "jobrun", "output"),
    ("shop", "auditentry", "action"),
    ("shop", "auditentry", "object_type"),
    ("shop", "auditentry", "object_id"),
    ("shop", "notification", "url"),
    ("shop", "notification", "kind"),
    ("auth", "user", "password"),
    ("payments", "paymentmethod", "code"),
    ("orders", "carrier", "code"),
    ("orders", "carrier", "tracking_pattern"),
    ("orders", "order", "payment_method"),
    ("aftersales", "aftersalesreason", "code"),
    ("reports", "reportschedule", "report"),
}


def _text_fields(model):
    for field in model._meta.concrete_fields:
        key = (model._meta.app_label, model._meta.model_name, field.name)
        if key in NOT_TEXT or field.primary_key or field.choices or isinstance(field, models.FileField):
            continue
        if isinstance(field, (models.CharField, models.TextField)) and not isinstance(field, models.EmailField):
            yield field


def _fill_text_fields():
    """Overwrite every text column of every row with the payload (the row's pk after it keeps it unique);
    return (models, fields, rows) counts."""
    targets = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS and m._meta.managed]
    targets.append(get_user_model())
    touched_models = touched_fields = touched_rows = 0
    for model in targets:
        fields = list(_text_fields(model))
        if not fields:
            continue
        rows = list(model._base_manager.values_list("pk", flat=True)[:200])
        if not rows:
            continue
        touched_models += 1
        touched_fields += len(fields)
        for pk in rows:
            values = {}
            for field in fields:
                suffix = str(pk)  # unique columns and constraints over several columns stay unique
                limit = field.max_length or 10_000
                for text in (PAYLOAD + suffix, SHORT + suffix):
                    if len(text) <= limit:
                        values[field.attname] = text
                        break
            model._base_manager.filter(pk=pk).update(**values)
            touched_rows += 1
    return touched_models, touched_fields, touched_rows


def _unescaped(content: str):
    return [m for m in MARKERS if m in content]


GET_PAGES = [(r, n) for r, n, _v in PAGES]


def _export_problems(client, path, name, response):
    """The page's own exports (CSV and XLSX), or the page itself when it is a CSV download: no cell a formula."""
    problems, exported, cells_seen = [], 0, 0
    kind = response.get("Content-Type", "")
    if kind.startswith("text/csv"):
        answers = [("csv", response)]
    elif kind.startswith("text/html") and b"export=csv" in response.content:
        answers = [(fmt, client.get(path, {"export": fmt})) for fmt in ("csv", "xlsx")]
    else:
        return problems, 0, 0
    for fmt, answer in answers:
        if answer.status_code >= 500:
            problems.append(f"{name} export={fmt}: {answer.status_code}")
            continue
        kind = answer.get("Content-Type", "")
        if not (kind.startswith("text/csv") or "spreadsheet" in kind):
            continue  # this page exports CSV only (its xlsx link is absent)
        exported += 1
        data = b"".join(answer.streaming_content) if answer.streaming else answer.content
        if fmt == "csv":
            cells = [c for c in _csv_cells(data) if "1+2" in c or "<s>" in c]
            cells_seen += len(cells)
            bad = [c for c in cells if c.startswith(FORMULA)]
        else:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                sheet = archive.read("xl/worksheets/sheet1.xml").decode()
            bad = re.findall(r"<f>[^<]*</f>", sheet)
        if bad:
            problems.append(f"{name} export={fmt}: {bad[:3]}")
    return problems, exported, cells_seen


def _csv_cells(data: bytes):
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
        yield from row


@pytest.mark.django_db
def test_html_in_every_text_field_is_escaped_on_every_page_and_every_export_is_formula_escaped(client, owner, capsys):
    world = build_world(owner)
    client.force_login(owner)
    client.get("/")  # the store settings row
    n_models, n_fields, n_rows = _fill_text_fields()
    problems, opened, searched, exported, cells_seen = [], 0, 0, 0, 0
    for route, name in GET_PAGES:
        path = url(route, world)
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        if response.status_code >= 500:
            problems.append(f"{name} {path}: {response.status_code}")
            continue
        opened += 1
        if response.get("Content-Type", "").startswith("text/html"):
            found = _unescaped(response.content.decode())
            if found:
                problems.append(f"{name} {path}: unescaped {found}")
            if b'name="q"' in response.content or "search" in name:  # a search: the payload reflected back
                searched += 1
                for headers in ({}, {"HTTP_HX_REQUEST": "true"}):  # the page, and its htmx results partial
                    again = client.get(path, {"q": PAYLOAD}, HTTP_ACCEPT_LANGUAGE="en", **headers)
                    found = again.status_code >= 500 or _unescaped(again.content.decode())
                    if found:
                        problems.append(f"{name} {path}?q= {headers}: {again.status_code} {found}")
        more, n_exports, n_cells = _export_problems(client, path, name, response)
        problems += more
        exported += n_exports
        cells_seen += n_cells
    with capsys.disabled():
        print(
            f"\nescaping: {n_fields} text fields of {n_models} models ({n_rows} rows) filled; {opened} pages opened, "
            f"{searched} searched with the payload (page and htmx partial); {exported} CSV/XLSX exports, "
            f"{cells_seen} CSV cells carrying the payload"
        )
    assert exported > 50 and cells_seen > 50
    assert problems == []
