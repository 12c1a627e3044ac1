"""Bulk shipping from a CSV and the printed pages, as the warehouse clerk sees them: an oversize or unreadable
file is refused with a message (never silently cut, never a 500), a long one ships in the background from the
stored upload (its rows are not the job's arguments), and odd ids in a printing link are ignored."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders import services
from orders.models import Order
from shop.models import JobRun

pytestmark = pytest.mark.django_db
S = Order.Status


def _upload(text, name="ship.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_a_csv_over_the_row_limit_is_refused_not_cut(owner_client, paid, sku, carrier):
    order = paid(("TEE-W-M", 1))
    rows = [f"{order.number},sf,SF111111111111"] + [f"2026{i:014d},sf,SF{i:012d}" for i in range(20_000)]
    response = owner_client.post(reverse("orders:ship_csv"), {"file": _upload("\n".join(rows))})
    assert response.status_code == 200
    html = response.content.decode()
    assert "20001" in html and "20000" in html  # how many rows it has, and the limit
    assert not JobRun.objects.exists()
    assert Order.objects.get(pk=order.pk).status == S.PAID  # nothing of the file was shipped


def test_an_unreadable_csv_is_refused_with_a_message(owner_client, paid, sku, carrier):
    order = paid(("TEE-W-M", 1))
    text = f'{order.number},sf,SF111111111111\n"{"x" * 200_000}",sf,SF1\n'  # a cell past the csv field limit
    response = owner_client.post(reverse("orders:ship_csv"), {"file": _upload(text)})
    assert response.status_code == 200
    assert "CSV" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.PAID


def test_a_long_csv_is_stored_and_the_job_gets_no_rows(
    owner_client, paid, sku, carrier, django_capture_on_commit_callbacks
):
    order = paid(("TEE-W-M", 1))
    rows = [f"{order.number},sf,SF111111111111"] + [f"2026{i:014d},sf,SF{i:012d}" for i in range(150)]
    with django_capture_on_commit_callbacks() as callbacks:
        response = owner_client.post(reverse("orders:ship_csv"), {"file": _upload("\n".join(rows))})
    run = JobRun.objects.get()
    assert response["Location"] == reverse("jobrun_detail", args=[run.pk])
    assert run.state == JobRun.State.QUEUED and run.total == 151
    (job,) = callbacks
    assert len(repr(job.args)) < 300 and "SF111111111111" not in repr(job.args)  # a reference, not the rows
    job()
    run.refresh_from_db()
    assert run.state == JobRun.State.DONE and list(run.result.values()) == [1, 150]
    assert Order.objects.get(pk=order.pk).status == S.SHIPPED
    uploads = default_storage.listdir("imports")[1] if default_storage.exists("imports") else []
    assert [name for name in uploads if name.startswith("ship-")] == []  # the stored upload is removed


def test_the_stored_csv_job_run_twice_ships_once(owner, paid, sku, carrier, django_capture_on_commit_callbacks):
    order = paid(("TEE-W-M", 1))
    text = "\n".join([f"{order.number},sf,SF111111111111"] + [f"2026{i:014d},sf,SF{i:012d}" for i in range(150)])
    with django_capture_on_commit_callbacks() as callbacks:
        started = services.orders_ship_csv_upload(text=text, actor=owner)
    assert started.report is None and started.run is not None
    callbacks[0]()
    callbacks[0]()  # a redelivered task: the run is done already
    started.run.refresh_from_db()
    assert started.run.state == JobRun.State.DONE
    assert Order.objects.get(pk=order.pk).events.filter(kind="ship").count() == 1


def test_the_pick_list_counts_the_lines_of_merged_orders(owner_client, owner, paid, sku):
    a, b = paid(("TEE-W-M", 1)), paid(("TEE-W-M", 2))
    services.orders_merge(orders=[a, b], actor=owner)
    response = owner_client.get(reverse("orders:pick_list"), {"ids": [a.pk]})
    assert response.context["rows"] == [
        {"sku_code": "TEE-W-M", "name": "纯棉T恤", "options": "白 / M", "quantity": 3, "orders": [a.number, a.number]}
    ]


@pytest.mark.parametrize("junk", ["²", "-1", "0", "99999999999999999999", "9" * 5000, "1e3", ""])
def test_odd_ids_in_a_printing_link_are_ignored(owner_client, paid, sku, junk):
    order = paid(("TEE-W-M", 1))
    response = owner_client.get(reverse("orders:packing_slips"), {"ids": [order.pk, junk]})
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="packing-slip"') == 1
    assert owner_client.get(reverse("orders:merge"), {"ids": [junk]}).status_code == 200


def test_odd_ids_in_a_bulk_action_are_ignored(owner_client, paid, sku):
    order = paid(("TEE-W-M", 1))
    response = owner_client.post(reverse("orders:order_list"), {"action": "allocate", "ids": [order.pk, "²"]})
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).status == S.ALLOCATED
