"""The owner manages staff, store settings and announcements; every change lands in the audit log."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from shop.models import Announcement, AuditEntry, StoreSettings
from shop.selectors import store_settings
from tests.conftest import can_log_in

User = get_user_model()


def _settings_post(**overrides):
    data = {
        "name": "新名字小店",
        "contact_phone": "13800138000",
        "address": "杭州市西湖区",
        "currency": "CNY",
        "time_zone": "Asia/Shanghai",
        "unpaid_order_minutes": 30,
        "flash_sale_unpaid_minutes": 10,
        "low_stock_default_threshold": 5,
        "refund_remind_hours": 24,
        "refund_escalate_hours": 48,
        "auto_confirm_receipt_days": 15,
        "aftersales_window_days": 7,
        # after-sales requests
        "aftersales_quality_days": 15,
        "aftersales_return_days": 7,
        "aftersales_respond_hours": 24,
        "aftersales_refund_hours": 48,
        "aftersales_escalate_hours": 24,
        "points_per_yuan": "1.00",
        "points_valid_days": 365,
        "points_per_yuan_redeemed": 100,
        "points_max_percent": 50,
        "complaint_sla_hours": 24,
        "anomaly_threshold_percent": 50,
        "backup_keep": 14,
        "intake_key_retention_days": 30,
        # aftersales: reviews and surveys
        "review_low_rating_threshold": 2,
        "auto_review_days": 7,
    }
    for day in range(7):
        data.update({f"opens_{day}": "09:00", f"closes_{day}": "21:00"})
    data["closed_6"] = "on"
    data.update(overrides)
    return data


def test_owner_creates_staff_with_a_role_and_they_can_log_in(owner_client, client):
    response = owner_client.post(
        "/settings/staff/new/",
        {"username": "xiaowang", "first_name": "小王", "roles": ["warehouse"], "password": "Strong-Pass-2026"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="xiaowang")
    assert [g.name for g in user.groups.all()] == ["warehouse"]
    assert AuditEntry.objects.filter(action="settings.staff_create", object_id=str(user.pk)).exists()
    owner_client.logout()
    assert can_log_in(client, "xiaowang", "Strong-Pass-2026")


def test_weak_password_and_duplicate_username_are_refused_inline(owner_client, owner):
    response = owner_client.post(
        "/settings/staff/new/", {"username": owner.username, "roles": ["finance"], "password": "Strong-Pass-2026"}
    )
    assert "已被使用" in response.content.decode()
    response = owner_client.post(
        "/settings/staff/new/", {"username": "newbie", "roles": ["finance"], "password": "123"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="newbie").exists()


def test_deactivating_staff_stops_their_login_and_is_audited(owner_client, make_staff, client):
    clerk = make_staff("customer_service")
    response = owner_client.post(
        f"/settings/staff/{clerk.pk}/", {"first_name": "", "email": "", "roles": ["customer_service"]}
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert not clerk.is_active
    entry = AuditEntry.objects.get(action="settings.staff_update", object_id=str(clerk.pk))
    assert entry.before["is_active"] is True and entry.after["is_active"] is False
    assert not can_log_in(Client(), clerk.username)


def test_the_last_owner_cannot_be_demoted(owner_client, owner):
    response = owner_client.post(f"/settings/staff/{owner.pk}/", {"roles": ["finance"], "is_active": "on"})
    assert "至少需要一位启用的店主" in response.content.decode()
    assert owner.groups.filter(name="owner").exists()


def test_owner_resets_a_password(owner_client, make_staff, client):
    clerk = make_staff("finance")
    owner_client.post(f"/settings/staff/{clerk.pk}/password/", {"password": "Brand-New-Pass-9"})
    assert can_log_in(Client(), clerk.username, "Brand-New-Pass-9")
    assert AuditEntry.objects.filter(action="settings.staff_password_reset").exists()


def test_store_settings_save_with_business_hours_and_logo(owner_client):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(buffer, "PNG")
    logo = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
    response = owner_client.post("/settings/", {**_settings_post(), "logo_upload": logo})
    assert response.status_code == 302
    settings = store_settings()
    assert settings.name == "新名字小店" and settings.low_stock_default_threshold == 5
    assert settings.business_hours[6]["closed"] is True and settings.business_hours[0]["opens"] == "09:00"
    assert settings.logo.name.startswith("store/")
    entry = AuditEntry.objects.get(action="settings.store_update")
    assert entry.after["name"] == "新名字小店"


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"unpaid_order_minutes": "-5"}, ""),
        ({"time_zone": "Mars/Olympus"}, "未知时区"),
        ({"opens_2": "22:00", "closes_2": "08:00"}, "开门时间须早于关门时间"),
        ({"refund_escalate_hours": "12"}, "升级时间须晚于提醒时间"),
        ({"points_per_yuan": "abc"}, ""),
        ({"points_max_percent": "101"}, ""),
        ({"points_valid_days": "0"}, ""),
    ],
)
def test_invalid_settings_show_inline_errors_and_save_nothing(owner_client, overrides, message):
    before = store_settings().name
    response = owner_client.post("/settings/", _settings_post(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error"' in html and message in html
    assert StoreSettings.objects.get(pk=1).name == before


def test_a_non_image_logo_is_refused(owner_client):
    fake = SimpleUploadedFile("logo.png", b"<?php echo 'x'; ?>", content_type="image/png")
    response = owner_client.post("/settings/", {**_settings_post(), "logo_upload": fake})
    assert response.status_code == 200
    assert not store_settings().logo


def test_scheduled_announcement_shows_on_the_dashboard_only_in_its_window(owner_client):
    owner_client.post(
        "/settings/announcements/new/",
        {"title": "双十一预热", "body": "备货", "starts_at": "2020-01-01T08:00", "published": "on"},
    )
    owner_client.post(
        "/settings/announcements/new/",
        {"title": "明年的公告", "body": "", "starts_at": "2099-01-01T08:00", "published": "on"},
    )
    html = owner_client.get("/").content.decode()
    shown = html.split('data-testid="announcements"')[1].split("</section>")[0]
    assert "双十一预热" in shown and "明年的公告" not in shown
    assert Announcement.objects.count() == 2


def test_announcement_ending_before_it_starts_is_refused(owner_client):
    response = owner_client.post(
        "/settings/announcements/new/",
        {"title": "x", "starts_at": "2026-05-02T08:00", "ends_at": "2026-05-01T08:00", "published": "on"},
    )
    assert "结束时间须晚于开始时间" in response.content.decode()
    assert not Announcement.objects.exists()


def test_audit_log_filters_by_user_module_object_and_date(owner_client, owner, make_staff):
    clerk = make_staff("finance")
    owner_client.post(f"/settings/staff/{clerk.pk}/password/", {"password": "Brand-New-Pass-9"})
    owner_client.post("/settings/", _settings_post())
    html = owner_client.get(
        "/settings/audit/", {"actor": owner.pk, "module": "settings", "object_repr": clerk.username}
    ).content.decode()
    assert "重置员工密码" in html and "修改店铺设置" not in html
    html = owner_client.get("/settings/audit/", {"since": "2099-01-01"}).content.decode()
    assert "重置员工密码" not in html


def test_lists_keep_the_same_query_count_at_20_and_200_rows(owner_client, owner):
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(actor=owner, actor_label="owner", action="settings.x", module="settings", object_repr=f"o{i}")
            for i in range(250)
        ]
    )
    owner_client.get("/settings/audit/")  # first load creates the store settings row
    counts = []
    for size in (20, 200):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = owner_client.get("/settings/audit/", {"per_page": size})
        assert response.status_code == 200 and len(response.context["page"].rows) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_csv_export_streams_every_matching_row(owner_client, owner):
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(actor=owner, actor_label="owner", action="settings.x", module="settings", object_repr=f"对象{i}")
            for i in range(30)
        ]
    )
    response = owner_client.get("/settings/audit/", {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("时间,操作人") and len(lines) == 31


def test_junk_in_list_parameters_is_not_an_error(owner_client):
    for params in ({"page": "abc"}, {"per_page": "-1"}, {"o": "password"}, {"since": "yesterday"}, {"q": "x" * 500}):
        assert owner_client.get("/settings/audit/", params).status_code == 200


def test_xlsx_export_opens_in_excel_with_the_same_rows(owner_client, owner):
    import openpyxl

    AuditEntry.objects.bulk_create(
        [
            AuditEntry(actor=owner, actor_label="owner", action="settings.x", module="settings", object_repr=f"对象{i}")
            for i in range(12)
        ]
    )
    response = owner_client.get("/settings/audit/", {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("时间", "操作人") and len(rows) == 13


def test_editing_an_announcement_needs_the_change_permission_and_creating_the_add_one(client, db):
    from django.contrib.auth.models import Permission

    announcement = Announcement.objects.create(title="春节放假通知")
    editor = get_user_model().objects.create_user("editor", password="Correct-Horse-42")
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_settings", "change_announcement", "view_announcement"])
    )
    client.force_login(editor)
    assert client.get(f"/settings/announcements/{announcement.pk}/").status_code == 200
    assert client.get("/settings/announcements/new/").status_code == 403
    page = client.get("/settings/announcements/").content.decode()
    assert f"/settings/announcements/{announcement.pk}/" in page and "/settings/announcements/new/" not in page
