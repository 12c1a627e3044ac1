"""A real Chromium: the owner opens a sales report, changes the period, sees both charts drawn (Chart.js from our
static files under the CSP) and downloads the CSV export."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.models import SalesDay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_changes_the_period_and_downloads_the_export(make_staff, login_page):
    today = timezone.localdate()
    for days_ago, gross in ((2, "300.00"), (40, "120.00")):
        SalesDay.objects.create(
            day=today - timedelta(days=days_ago),
            channel="app",
            province="上海",
            payment_method="alipay",
            orders_paid=3,
            gross=Decimal(gross),
            paid=Decimal(gross),
        )
    owner = make_staff("owner")
    errors = []
    page = login_page(owner.username)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.wait_for_url("**/")
    page.goto("/reports/sales-channel/")
    page.wait_for_selector("[data-testid=report-table]")
    assert "300.00" in page.locator("[data-testid=report-totals]").inner_text()
    page.select_option("[data-testid=period-form] select[name=preset]", "90d")
    page.select_option("[data-testid=period-form] select[name=group]", "month")
    page.click("[data-testid=period-form] button[type=submit]")
    page.wait_for_url("**preset=90d**")
    assert "420.00" in page.locator("[data-testid=report-totals]").inner_text()
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn]').length === 2")
    with page.expect_download() as download:
        page.click("[data-testid=export-csv]")
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert "420.00" in content and "preset=90d" in download.value.url
    assert errors == []  # no CSP refusal, no script error
