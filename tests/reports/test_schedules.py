"""Scheduled report emails: the owner's pages, once per period, only to the chosen roles' active users with an
email, the key figures in the body and the framework's export attached."""

import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Product, Sku
from inventory.models import StockMovement, Warehouse
from inventory.services import stock_receive
from reports.models import ReportDelivery, ReportSchedule
from reports.schedules import schedulable_reports
from reports.services import report_schedule_save, scheduled_reports_send
from shop.errors import DomainError
from shop.jobs import load_jobs

pytestmark = pytest.mark.django_db
D = Decimal


def _local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def stock(db):
    product = Product.objects.create(code="P-1", name="纯棉T恤")
    sku = Sku.objects.create(product=product, code="TEE", price=D("99.00"), cost=D("1234.50"))
    warehouse = Warehouse.objects.create(code="SH", name="上海仓", province="上海")
    stock_receive(sku=sku, warehouse=warehouse, quantity=2, actor=None, reference="R-1")
    StockMovement.objects.filter(reference="R-1").update(created_at=timezone.now() - timedelta(days=30))
    return sku


@pytest.fixture
def people(make_staff):
    """An owner and a warehouse clerk with email; a clerk without one; an inactive clerk; finance with one."""
    return {
        "owner": make_staff("owner", username="boss", email="boss@example.com"),
        "clerk": make_staff("warehouse", username="clerk", email="clerk@example.com"),
        "blank": make_staff("warehouse", username="blank", email=""),
        "gone": make_staff("warehouse", username="gone", email="gone@example.com", is_active=False),
        "finance": make_staff("finance", username="money", email="money@example.com"),
    }


def _schedule(owner, created_days_ago=3, **values):
    values = {
        "report": "inventory-stock-value",
        "frequency": "daily",
        "weekday": 0,
        "send_at": time(8, 0),
        "roles": ["owner", "warehouse"],
        "format": "xlsx",
        "is_active": True,
        **values,
    }
    schedule = report_schedule_save(actor=owner, **values)
    ReportSchedule.objects.filter(pk=schedule.pk).update(created_at=timezone.now() - timedelta(days=created_days_ago))
    return ReportSchedule.objects.get(pk=schedule.pk)


def test_the_reports_declare_whether_they_can_be_scheduled():
    slugs = set(schedulable_reports())
    assert {"inventory-stock-value", "inventory-turnover", "staff-performance", "marketing-roi", "customers"} <= slugs
    assert "staff-mine" not in slugs  # a user's own figures: never emailed to a role


def test_sends_once_per_period_to_the_roles_active_users_with_an_email(people, stock):
    schedule = _schedule(people["owner"])
    today = timezone.localdate()
    assert scheduled_reports_send(now=_local(today, 7, 59)) == 1  # before 08:00: yesterday's slot is still due
    assert ReportDelivery.objects.get().period_start == today - timedelta(days=2)
    mail.outbox.clear()
    assert scheduled_reports_send(now=_local(today, 8, 0)) == 1  # today's slot: yesterday's figures
    assert scheduled_reports_send(now=_local(today, 8, 15)) == 0  # the job runs every 15 minutes: once
    assert scheduled_reports_send(now=_local(today, 23, 59)) == 0
    [message] = mail.outbox
    assert sorted(message.to) == ["boss@example.com", "clerk@example.com"]
    delivery = ReportDelivery.objects.get(period_start=today - timedelta(days=1))
    assert (delivery.period_end, delivery.sent_at is not None) == (today - timedelta(days=1), True)
    schedule.refresh_from_db()
    assert schedule.last_sent_at == delivery.sent_at
    assert scheduled_reports_send(now=_local(today + timedelta(days=1), 8, 1)) == 1  # the next day's period
    assert ReportDelivery.objects.count() == 3


def test_the_body_has_the_key_figures_and_the_export_is_attached(people, stock, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the store's language formats the figures
    _schedule(people["owner"])
    scheduled_reports_send(now=_local(timezone.localdate(), 9, 0))
    [message] = mail.outbox
    assert "¥2,469.00" in message.body  # 2 × 1,234.50, grouped
    [(name, content, mimetype)] = message.attachments
    assert name.endswith(".xlsx") and mimetype.startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0] == "上海仓" and D(str(values[1][1])) == D("2469.00")


def test_csv_format_and_weekly_on_its_weekday(people, stock):
    today = timezone.localdate()
    _schedule(
        people["owner"], frequency="weekly", weekday=today.weekday(), format="csv", roles=["owner"], created_days_ago=1
    )
    assert scheduled_reports_send(now=_local(today, 7, 0)) == 0  # last week's slot came before the schedule
    assert scheduled_reports_send(now=_local(today, 8, 30)) == 1
    delivery = ReportDelivery.objects.get()
    assert (delivery.period_start, delivery.period_end) == (today - timedelta(days=7), today - timedelta(days=1))
    [message] = mail.outbox
    assert message.to == ["boss@example.com"] and message.attachments[0][0].endswith(".csv")
    content = message.attachments[0][1]
    assert "上海仓" in (content.decode("utf-8-sig") if isinstance(content, bytes) else content)
    assert scheduled_reports_send(now=_local(today + timedelta(days=3), 8, 30)) == 0  # not its weekday


def test_inactive_schedules_and_roles_without_addresses_send_nothing(people, stock):
    _schedule(people["owner"], is_active=False)
    people["owner"].email = ""
    people["owner"].save()
    _schedule(people["owner"], roles=["owner"])
    assert scheduled_reports_send(now=_local(timezone.localdate(), 9, 0)) == 0
    assert mail.outbox == [] and ReportDelivery.objects.count() == 0


def test_a_role_that_may_not_see_the_report_is_refused(people):
    with pytest.raises(DomainError) as refused:
        report_schedule_save(
            actor=people["owner"],
            report="inventory-stock-value",
            frequency="daily",
            weekday=0,
            send_at=time(8),
            roles=["customer_service"],
            format="xlsx",
            is_active=True,
        )
    assert "roles" in refused.value.data["fields"]
    with pytest.raises(DomainError) as unknown:
        report_schedule_save(
            actor=people["owner"],
            report="staff-mine",
            frequency="daily",
            weekday=0,
            send_at=time(8),
            roles=["owner"],
            format="xlsx",
            is_active=True,
        )
    assert "report" in unknown.value.data["fields"]


def test_the_job_is_registered_and_runs(people, stock, capsys):
    assert "send_scheduled_reports" in load_jobs()
    _schedule(people["owner"])
    call_command("run_job", "send_scheduled_reports")
    call_command("run_job", "send_scheduled_reports")
    assert len(mail.outbox) == 1


def test_the_owner_creates_edits_and_deletes_a_schedule(client, people):
    client.force_login(people["owner"])
    form = {
        "report": "customers",
        "frequency": "weekly",
        "weekday": "4",
        "send_at": "07:30",
        "roles": ["owner"],
        "format": "csv",
        "is_active": "on",
    }
    assert client.post("/reports/schedules/new/", form)["Location"] == "/reports/schedules/"
    schedule = ReportSchedule.objects.get()
    assert (schedule.report, schedule.weekday, schedule.send_at, schedule.roles) == (
        "customers",
        4,
        time(7, 30),
        ["owner"],
    )
    refused = client.post("/reports/schedules/new/", {**form, "roles": ["warehouse"]})
    assert refused.status_code == 200 and "may not see this report" in refused.content.decode()
    page = client.get("/reports/schedules/")
    assert page.status_code == 200 and f'data-pk="{schedule.pk}"' in page.content.decode()
    client.post(f"/reports/schedules/{schedule.pk}/", {**form, "roles": ["owner", "marketing"], "is_active": ""})
    schedule.refresh_from_db()
    assert (schedule.roles, schedule.is_active) == (["owner", "marketing"], False)
    client.post(f"/reports/schedules/{schedule.pk}/delete/")
    assert ReportSchedule.objects.count() == 0


@pytest.mark.parametrize("role", ["operations", "finance", "marketing", "warehouse", "customer_service"])
def test_only_the_owner_manages_schedules(client_as, role):
    client = client_as(role)
    assert client.get("/reports/schedules/").status_code == 403
    assert client.post("/reports/schedules/new/", {"report": "customers"}).status_code == 403
    assert ReportSchedule.objects.count() == 0


def test_the_daily_sales_report_goes_to_finance(people):
    _schedule(people["owner"], report="sales-channel", roles=["finance"], format="csv")
    assert scheduled_reports_send(now=_local(timezone.localdate(), 8, 5)) == 1
    [message] = mail.outbox
    assert message.to == ["money@example.com"] and message.attachments[0][0].startswith("sales-channel-")
    assert "Net sales" in message.body


def test_a_failed_email_is_retried_next_run_and_stops_no_other_schedule(people, stock, monkeypatch):
    from django.core.mail import EmailMessage

    _schedule(people["owner"], roles=["owner"])
    _schedule(people["owner"], roles=["warehouse"], format="csv")
    real_send = EmailMessage.send
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(self.to)
        if len(calls) == 1:
            raise ConnectionError("smtp down")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    now = _local(timezone.localdate(), 9, 0)
    assert scheduled_reports_send(now=now) == 1  # the first failed, the second went
    assert ReportDelivery.objects.count() == 1
    assert scheduled_reports_send(now=now) == 1  # the failed one goes on the next run
    assert scheduled_reports_send(now=now) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@example.com", "clerk@example.com"]


@pytest.mark.parametrize("slug", sorted(schedulable_reports()))
def test_every_schedulable_report_builds_its_email(people, slug):
    _schedule(people["owner"], report=slug, roles=["owner"], format="xlsx")
    assert scheduled_reports_send(now=_local(timezone.localdate(), 8, 5)) == 1
    [message] = mail.outbox
    assert message.attachments[0][0].startswith(slug) and message.body.strip()
