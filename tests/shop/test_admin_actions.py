"""Operators' repairs in the Django admin, each through the admin's own views (changelist POST with the
action -> confirmation page -> POST with the reason -> the result): the service's effect, its audit entry,
and objects in the wrong state refused one by one while the rest are applied. Also: every scheduled job's run
is recorded, a failed one with its traceback and a notification to the owners."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from catalog.models import Product, Sku
from customers.models import Customer, OutboundMessage
from inventory.models import SkuStock, Warehouse
from inventory.services import stock_receive
from shop import jobs
from shop.models import ApiKey, AuditEntry, JobRun, Notification
from shop.services import apikey_create
from tests.shop.adminflow import EN, make_operator, run_action, summary

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def operator(make_staff):
    return make_operator(make_staff)


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


def test_an_api_key_is_revoked_and_a_revoked_one_refused(operator_client, owner):
    live = apikey_create(actor=owner, name="erp", scopes=["stock:write"])[0]
    gone = apikey_create(actor=owner, name="old", scopes=["orders:read"])[0]
    gone.revoked_at = timezone.now() - timedelta(days=1)
    gone.save()

    _c, _r, messages = run_action(operator_client, ApiKey, "revoke_keys", [live, gone])

    live.refresh_from_db()
    assert live.revoked_at is not None
    assert summary(messages).endswith("1 done, 1 refused.")
    assert any("already revoked" in m for m in messages)
    entry = AuditEntry.objects.get(action="settings.apikey_revoke")
    assert (entry.object_id, entry.after["reason"], entry.actor.username) == (
        str(live.pk),
        "顾客来电核实",
        "operator_user",
    )


def test_a_locked_out_account_is_unlocked_and_an_unlocked_one_refused(operator_client, make_staff):
    from django.contrib.auth import get_user_model

    locked = make_staff("warehouse", username="locked_user")
    free = make_staff("finance", username="free_user")
    AccessAttempt.objects.create(
        username="locked_user", ip_address="10.0.0.1", failures_since_start=5, get_data="", post_data=""
    )

    _c, _r, messages = run_action(operator_client, get_user_model(), "unlock", [locked, free])

    assert not AccessAttempt.objects.filter(username="locked_user").exists()
    assert summary(messages).endswith("1 done, 1 refused.")
    assert any("free_user is not locked out" in m for m in messages)
    entry = AuditEntry.objects.get(action="settings.staff_unlock")
    assert (entry.object_id, entry.after["attempts_cleared"]) == (str(locked.pk), 1)


@pytest.fixture
def sku(db):
    product = Product.objects.create(code="P-ADM-1", name="帆布鞋")
    sku = Sku.objects.create(product=product, code="ADM-SHOE-40", price="199.00", cost="80.00")
    warehouse = Warehouse.objects.create(code="GZ", name="广州仓", province="广东", city="广州")
    stock_receive(sku=sku, warehouse=warehouse, quantity=12, actor=None)
    return sku


def test_a_drifted_stock_rollup_is_rebuilt_from_the_stock_rows(operator_client, sku):
    SkuStock.objects.filter(sku=sku).update(on_hand=999, available=999)  # drifted
    rollup = SkuStock.objects.get(sku=sku)

    _c, _r, messages = run_action(operator_client, SkuStock, "rebuild_rollup", [rollup])

    rollup.refresh_from_db()
    assert (rollup.on_hand, rollup.reserved, rollup.available) == (12, 0, 12)
    assert summary(messages).endswith("1 done, 0 refused.")
    entry = AuditEntry.objects.get(action="inventory.rollup_rebuild")
    assert (entry.before["on_hand"], entry.after["on_hand"], entry.object_id) == (999, 12, str(sku.pk))


def test_a_failed_text_is_sent_again_and_a_sent_one_refused(operator_client):
    customer = Customer.objects.create(phone="13812345678", name="王五")
    failed = OutboundMessage.objects.create(
        customer=customer, channel="sms", to="13812345678", text="您的订单已发货", status="failed", error="timeout"
    )
    sent = OutboundMessage.objects.create(customer=customer, channel="sms", to="13812345678", text="x", status="sent")

    _c, _r, messages = run_action(operator_client, OutboundMessage, "resend_message", [failed, sent])

    again = OutboundMessage.objects.exclude(pk__in=[failed.pk, sent.pk]).get()
    assert (again.text, again.status, again.to) == ("您的订单已发货", "sent", "13812345678")
    failed.refresh_from_db()
    assert failed.status == "failed"  # the history stays as it was
    assert summary(messages).endswith("1 done, 1 refused.")
    entry = AuditEntry.objects.get(action="customers.outbound_resend")
    assert entry.after["resent_as"] == again.pk


# -- jobs ----------------------------------------------------------------------------------------------------
def test_every_scheduled_run_is_recorded_with_what_it_processed(db):
    task, _schedule = jobs.load_jobs()["purge_intake_keys"]
    task.apply(throw=True)
    run = JobRun.objects.get(kind="job:purge_intake_keys")
    assert run.state == JobRun.State.DONE and run.finished_at >= run.created_at
    assert run.created_by is None and run.traceback == ""


@pytest.fixture
def failing_job():
    def explode():
        raise RuntimeError("warehouse API said no")

    task = jobs.job("test_failing_job", jobs.schedule(3600))(explode)
    yield task
    jobs.REGISTRY.pop("test_failing_job", None)


def test_a_failed_run_keeps_its_traceback_for_operators_and_notifies_the_owners(failing_job, owner, operator_client):
    with pytest.raises(RuntimeError):
        failing_job.apply(throw=True)
    run = JobRun.objects.get(kind="job:test_failing_job")
    assert run.state == JobRun.State.FAILED and run.error == "warehouse API said no"
    assert "Traceback" in run.traceback and "explode" in run.traceback
    notice = Notification.objects.get(recipient=owner, kind="job_failed")
    assert notice.url == f"/admin/shop/jobrun/{run.pk}/change/"
    # The operator finds it by job and outcome, and sees the traceback on the run's admin page.
    listing = operator_client.get("/admin/shop/jobrun/?job=test_failing_job&state__exact=failed", **EN)
    assert f"/admin/shop/jobrun/{run.pk}/change/" in listing.content.decode()
    page = operator_client.get(f"/admin/shop/jobrun/{run.pk}/change/", **EN).content.decode()
    assert "explode" in page
    # The staff page of the run shows the error, never the traceback.
    owner_page = operator_client.get(f"/jobs/{run.pk}/", **EN)
    assert owner_page.status_code in (200, 403, 404) and "Traceback (most recent" not in owner_page.content.decode()


def test_a_job_is_run_again_from_its_runs_and_from_the_job_page(operator_client, operator):
    task, _schedule = jobs.load_jobs()["purge_intake_keys"]
    task.apply(throw=True)
    earlier = JobRun.objects.get(kind="job:purge_intake_keys")
    export = JobRun.objects.create(kind="export", label="导出商品", state=JobRun.State.DONE)

    _c, _r, messages = run_action(operator_client, JobRun, "run_again", [earlier, export])

    again = JobRun.objects.filter(kind="job:purge_intake_keys").exclude(pk=earlier.pk).get()
    assert (again.state, again.created_by) == (JobRun.State.DONE, operator)
    assert summary(messages).endswith("1 done, 1 refused.")
    assert AuditEntry.objects.get(action="settings.job_run_now").after == {
        "job": "purge_intake_keys",
        "reason": "顾客来电核实",
    }

    page = operator_client.get("/admin/shop/jobrun/run/", **EN)
    content = page.content.decode()
    assert page.status_code == 200
    for name in ("close_unpaid_orders", "settle_payments", "backup", "complaint_sla", "low_stock_alerts"):
        assert f">{name}<" in content
    response = operator_client.post("/admin/shop/jobrun/run/", {"job": "purge_intake_keys", "reason": "补跑"}, **EN)
    assert response.status_code == 302
    assert JobRun.objects.filter(kind="job:purge_intake_keys").count() == 3
    refused = operator_client.post("/admin/shop/jobrun/run/", {"job": "purge_intake_keys", "reason": ""}, **EN)
    assert refused.status_code == 200 and JobRun.objects.filter(kind="job:purge_intake_keys").count() == 3


def test_a_staff_user_without_the_repair_permission_gets_no_action(client, make_staff):
    finance = make_staff("finance", username="finance_admin", is_staff=True)
    client.force_login(finance)
    response = client.get("/admin/payments/refund/", **EN)
    assert response.status_code == 200
    assert "resend_refund" not in response.content.decode()
    assert client.get("/admin/shop/jobrun/run/", **EN).status_code == 403


def test_old_scheduled_runs_are_pruned_and_staff_runs_kept(db):
    now = timezone.now()

    def run(kind, days, state=JobRun.State.DONE):
        made = JobRun.objects.create(kind=kind, label=kind, state=state)
        JobRun.objects.filter(pk=made.pk).update(created_at=now - timedelta(days=days))
        return made.pk

    old, recent = run("job:close_unpaid_orders", 40), run("job:close_unpaid_orders", 3)
    old_failed, older_failed = run("job:backup", 40, JobRun.State.FAILED), run("job:backup", 100, JobRun.State.FAILED)
    export = run("export", 400)
    assert jobs.job_runs_prune(now=now, batch=1) == 2
    assert set(JobRun.objects.values_list("pk", flat=True)) == {recent, old_failed, export}
    assert {old, older_failed}.isdisjoint(JobRun.objects.values_list("pk", flat=True))


def test_an_orders_page_shows_at_most_its_inlines_rows(client, make_staff, monkeypatch):
    from orders.admin import LineInline
    from tests.shop.world import build_world

    owner = make_staff("owner", is_staff=True, is_superuser=True)
    client.force_login(owner)
    build_world(owner)
    from orders.models import Order, OrderLine

    order = Order.objects.get(number="W000000000001")
    line = order.lines.get()
    OrderLine.objects.create(
        order=order, sku=line.sku, sku_code="EXTRA-LINE", name="袜子", quantity=1, unit_price="5.00", line_total="5.00"
    )
    monkeypatch.setattr(LineInline, "max_rows", 1)
    page = client.get(f"/admin/orders/order/{order.pk}/change/", **EN).content.decode()
    assert line.sku_code in page and "EXTRA-LINE" not in page
    assert f"/admin/orders/orderline/?order__id__exact={order.pk}" in page  # the rest: the filtered list


def test_the_confirmation_page_renders_in_chinese(operator_client, owner):
    key = apikey_create(actor=owner, name="erp", scopes=["stock:write"])[0]
    data = {"action": "revoke_keys", "_selected_action": [key.pk]}
    page = operator_client.post("/admin/shop/apikey/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and 'data-testid="repair-confirm"' in page.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None  # nothing happens before the confirmation
