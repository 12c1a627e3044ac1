"""Exports of every list (issue 15): escaped cells in CSV and XLSX, the same rows as the page, big exports in the
background with progress, a notification, an owner-only download that expires and is purged."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from orders.lists import OrderList
from shop import exports, tasks
from shop.lists import Column, ListPage
from shop.models import AuditEntry, JobRun, Notification
from tests.orders.conftest import api, body, make_sku, place  # noqa: F401  (fixtures)

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path  # each test's own export files


def _csv(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _sheet(content):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _column(rows, label):
    return [row[rows[0].index(label)] for row in rows[1:]]


@pytest.fixture
def background(django_capture_on_commit_callbacks):
    """GET an export whose task starts when the request's transaction commits (in-process, eagerly)."""

    def get(client, url, params, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.get(url, params, **headers)

    return get


def _export_files():
    try:
        return default_storage.listdir(exports.FOLDER)[1]
    except FileNotFoundError:
        return []


@pytest.fixture
def formula_order(api, make_sku):  # noqa: F811
    """An order sent through the integration API by a customer whose name is a spreadsheet formula."""
    sku = make_sku("FX-1", price="10.00", stock=5)
    data = body(("FX-1", 1), customer={"phone": "13900139000", "name": FORMULA})
    data["shipping_address"]["name"] = FORMULA
    response = api("post", "/orders", data)
    assert response.status_code == 201, response.content
    return sku, response.json()["number"]


def test_a_formula_sent_through_the_api_is_escaped_in_the_csv_of_orders_and_customers(owner_client, formula_order):
    rows = _csv(owner_client.get("/orders/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert _column(rows, "Recipient") == ["'" + FORMULA]
    assert _column(rows, "Total") == ["10.00"]  # numbers are not text: never prefixed
    rows = _csv(owner_client.get("/customers/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert "'" + FORMULA in _column(rows, "Name")


def test_a_formula_sent_through_the_api_is_a_plain_string_in_the_xlsx_of_orders_and_customers(
    owner_client, formula_order
):
    for url, label in (("/orders/", "Recipient"), ("/customers/", "Name")):
        response = owner_client.get(url, {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
        sheet = _sheet(response.content)
        header = [c.value for c in sheet[1]]
        cells = [row[header.index(label)] for row in sheet.iter_rows(min_row=2)]
        cell = next(c for c in cells if c.value == FORMULA)
        assert cell.data_type == "s"  # a shared string, not a formula ("f")
        assert b"<f>" not in _sheet_xml(response.content)


def _sheet_xml(content):
    import zipfile

    return zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")


class _Figures(ListPage):
    """Cells of every kind: text that starts like a formula or a negative number, and real negative numbers."""

    export_name = "figures"
    columns = [
        Column("pk", "n"),
        Column("text", "text", value=lambda r: "-12.50 off"),
        Column("amount", "amount", value=lambda r: Decimal("-12.50")),
        Column("count", "count", value=lambda r: -3),
        Column("tab", "tab", value=lambda r: "\tx"),
        Column("at", "at", value=lambda r: "@SUM(A1)"),
        Column("plus", "plus", value=lambda r: "+1"),
        Column("cr", "cr", value=lambda r: "\rx"),
        Column("plain", "plain", value=lambda r: "a=b"),
    ]

    def scope(self):
        return JobRun.objects.all()


def test_negative_numbers_stay_numbers_and_every_dangerous_text_is_escaped(owner):
    JobRun.objects.create(kind="x", label="x")
    request = RequestFactory().get("/")
    request.user = owner
    rows = _csv(_Figures(request).csv_response())
    assert rows[1][1:] == ["'-12.50 off", "-12.50", "-3", "'\tx", "'@SUM(A1)", "'+1", "'\rx", "a=b"]
    sheet = _sheet(_Figures(request).xlsx_response().content)
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert cells[1].value == "-12.50 off" and cells[1].data_type == "s"
    assert cells[2].value == Decimal("-12.50") or cells[2].value == -12.5
    assert cells[2].data_type == "n" and cells[3].value == -3
    assert cells[5].value == "@SUM(A1)" and cells[5].data_type == "s"


# -- the same rows as the page --------------------------------------------------------------------------
@pytest.fixture
def orders(place, make_sku):  # noqa: F811
    make_sku("EX-1", price="10.00", stock=50)
    made = []
    for i in range(7):
        made.append(place(("EX-1", 1 + i % 3), external_id=f"EXP-{i}"))
    return made


def _list_request(user, **params):
    request = RequestFactory().get("/orders/", params)
    request.user = user
    return request


def test_the_fast_reader_writes_exactly_what_the_column_readers_write(owner, orders, monkeypatch):
    params = {"o": "-total", "q": ""}
    fast = b"".join(OrderList(_list_request(owner, **params)).csv_response().streaming_content)
    xlsx_fast = [[c.value for c in r] for r in _sheet(OrderList(_list_request(owner)).xlsx_response().content).rows]
    monkeypatch.setattr(exports, "_fast_plan", lambda *a, **k: None)
    slow = b"".join(OrderList(_list_request(owner, **params)).csv_response().streaming_content)
    xlsx_slow = [[c.value for c in r] for r in _sheet(OrderList(_list_request(owner)).xlsx_response().content).rows]
    assert fast == slow and fast.count(b"\n") == 8
    assert xlsx_fast == xlsx_slow


def test_a_background_export_keeps_the_filters_search_and_sort_of_the_page(
    owner_client, owner, orders, settings, background
):
    settings.EXPORT_SYNC_ROWS = 2
    params = {"o": "-total", "total_min": "20"}
    page_rows = [o.number for o in OrderList(_list_request(owner, **params)).results]
    assert 2 < len(page_rows) < len(orders)
    response = background(owner_client, "/orders/", {**params, "export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    run = JobRun.objects.get(kind=exports.KIND)
    assert response.status_code == 302 and response.url == reverse("jobrun_detail", args=[run.pk])
    download = owner_client.get(reverse("jobrun_download", args=[run.pk]))
    rows = _csv(download)
    assert _column(rows, "Order number") == page_rows
    assert download["Content-Disposition"] == 'attachment; filename="orders.csv"'
    small = owner_client.get("/orders/", {**params, "export": "csv", "per_page": 50}, HTTP_ACCEPT_LANGUAGE="en")
    assert small.status_code == 302  # the same count decides, whatever the page size


def test_a_big_export_runs_in_the_background_with_progress_and_a_notification(client_as, orders, settings, background):
    settings.EXPORT_SYNC_ROWS = 5
    client = client_as("operations")
    response = background(
        client, "/orders/", {"export": "xlsx", "status": "pending_payment"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    run = JobRun.objects.get(kind=exports.KIND)
    assert response.status_code == 302
    progress = client.get(reverse("jobrun_detail", args=[run.pk]), {"format": "json"}).json()
    assert progress["state"] == "done" and progress["percent"] == 100 and progress["done"] == progress["total"] == 7
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="download"' in page and 'data-testid="expires"' in page
    note = Notification.objects.get(recipient__username="operations_user", kind="export")
    assert note.url == reverse("jobrun_download", args=[run.pk])
    sheet = _sheet(client.get(note.url).getvalue())
    assert sheet.max_row == 8 and sheet.cell(1, 1).value == "Order number"


def test_only_the_user_who_asked_or_the_owner_downloads_the_file(client, make_staff, orders, settings, background):
    settings.EXPORT_SYNC_ROWS = 5
    asker, other, boss = make_staff("operations"), make_staff("operations", "other_ops"), make_staff("owner")
    client.force_login(asker)
    background(client, "/orders/", {"export": "csv"})
    url = reverse("jobrun_download", args=[JobRun.objects.get(kind=exports.KIND).pk])
    assert client.get(url).status_code == 200
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(boss)
    assert client.get(url).status_code == 200


def test_expired_files_are_gone_and_the_job_purges_them(owner_client, orders, settings, background):
    settings.EXPORT_SYNC_ROWS = 5
    background(owner_client, "/orders/", {"export": "csv"})
    run = JobRun.objects.get(kind=exports.KIND)
    url = reverse("jobrun_download", args=[run.pk])
    assert default_storage.exists(run.output.name)
    JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    assert owner_client.get(url).status_code == 404  # expired, even before the purge
    page = owner_client.get(reverse("jobrun_detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="expired"' in page
    call_command("run_job", "purge_exports")
    run.refresh_from_db()
    assert not run.output and not default_storage.exists(run.output.name or "x")
    assert _export_files() == []


def test_a_fresh_export_is_kept_by_the_purge(owner_client, orders, settings, background):
    settings.EXPORT_SYNC_ROWS = 5
    background(owner_client, "/orders/", {"export": "csv"})
    assert exports.exports_purge() == 0
    assert len(_export_files()) == 1


def test_the_export_task_run_twice_leaves_one_file(owner_client, owner, orders, settings, background):
    settings.EXPORT_SYNC_ROWS = 5
    background(owner_client, "/orders/", {"export": "csv", "o": "-total"})
    run = JobRun.objects.get(kind=exports.KIND)
    first = run.output.name
    query = "o=-total&export=csv"
    tasks.export_list(run.pk, owner.pk, "/orders/", query, "en")  # a finished run is left alone
    JobRun.objects.filter(pk=run.pk).update(state=JobRun.State.RUNNING)  # a worker died half-way: again
    tasks.export_list(run.pk, owner.pk, "/orders/", query, "en")
    run.refresh_from_db()
    assert run.state == JobRun.State.DONE and run.output.name == first
    assert len(_export_files()) == 1
    assert len(_csv(owner_client.get(reverse("jobrun_download", args=[run.pk])))) == 8


def test_the_background_export_masks_phones_and_respects_permissions_as_the_page_does(
    client, make_staff, orders, settings, background
):
    settings.EXPORT_SYNC_ROWS = 5
    warehouse = make_staff("warehouse")
    client.force_login(warehouse)
    background(client, "/orders/", {"export": "csv"})
    run = JobRun.objects.get(kind=exports.KIND)
    assert run.state == JobRun.State.DONE
    phones = _column(_csv(client.get(reverse("jobrun_download", args=[run.pk]))), "Phone")
    assert phones and all("****" in p for p in phones)
    assert not AuditEntry.objects.filter(action="customers.phones_exported").exists()
    # The permission is read again when the task runs: one lost in between fails the run.
    JobRun.objects.filter(pk=run.pk).update(state=JobRun.State.QUEUED, output="")
    warehouse.groups.clear()
    tasks.export_list(run.pk, warehouse.pk, "/orders/", "export=csv", "en")
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED and not run.output


def test_a_full_phone_export_in_the_background_is_audited_for_the_user(
    client, make_staff, orders, settings, background
):
    settings.EXPORT_SYNC_ROWS = 5
    ops = make_staff("operations")
    client.force_login(ops)
    background(client, "/orders/", {"export": "csv"})
    phones = _column(_csv(client.get(reverse("jobrun_download", args=[JobRun.objects.get().pk]))), "Phone")
    assert phones and "****" not in phones[0]
    entry = AuditEntry.objects.get(action="customers.phones_exported")
    assert entry.actor_id == ops.pk and entry.after["rows"] == 7


def test_the_background_file_has_the_very_bytes_of_the_download_at_once(owner_client, orders, settings, background):
    """On PostgreSQL the background file is written by COPY, the download at once by Python's csv."""
    orders[0].ship_name = 'line one\nline "two"'
    orders[0].note = ""
    orders[0].save()
    params = {"o": "-total", "export": "csv"}
    at_once = b"".join(owner_client.get("/orders/", params, HTTP_ACCEPT_LANGUAGE="en").streaming_content)
    settings.EXPORT_SYNC_ROWS = 2
    background(owner_client, "/orders/", params, HTTP_ACCEPT_LANGUAGE="en")
    run = JobRun.objects.get(kind=exports.KIND)
    assert run.done == run.total == 7
    assert owner_client.get(reverse("jobrun_download", args=[run.pk])).getvalue() == at_once


def test_an_export_that_breaks_fails_its_run_and_the_page_still_answers(
    owner_client, orders, settings, background, monkeypatch
):
    settings.EXPORT_SYNC_ROWS = 2

    def broken(*args, **kwargs):
        raise ValueError("disk full")

    monkeypatch.setattr(exports, "write_csv", broken)
    monkeypatch.setattr(exports, "_write_csv_copy", broken)
    response = background(owner_client, "/orders/", {"export": "csv"})
    run = JobRun.objects.get(kind=exports.KIND)
    assert response.status_code == 302 and run.state == JobRun.State.FAILED and "disk full" in run.error
    assert not Notification.objects.filter(kind="export").exists() and _export_files() == []


def test_an_xlsx_export_past_excels_row_limit_fails_with_a_message(
    owner_client, orders, settings, background, monkeypatch
):
    from shop import xlsx

    settings.EXPORT_SYNC_ROWS = 2
    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)
    background(owner_client, "/orders/", {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    run = JobRun.objects.get(kind=exports.KIND)
    assert run.state == JobRun.State.FAILED and "export it as CSV" in run.error and not run.output
