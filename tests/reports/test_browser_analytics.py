"""A real Chromium: a warehouse clerk switches the stock value report to per category; the owner schedules a
weekly report email through the form."""

from decimal import Decimal

import pytest

from catalog.models import Category, Product, Sku
from inventory.models import Warehouse
from inventory.services import stock_receive
from reports.models import ReportSchedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_switches_the_stock_value_per_category(make_staff, login_page):
    food = Category.objects.add_root({"name": "食品"})
    product = Product.objects.create(code="P-BR", name="饼干", category=food)
    sku = Sku.objects.create(product=product, code="BR-1", price=Decimal("9.90"), cost=Decimal("2.50"))
    stock_receive(
        sku=sku, warehouse=Warehouse.objects.create(code="BR", name="北京仓", province="北京"), quantity=4, actor=None
    )
    clerk = make_staff("warehouse")
    page = login_page(clerk.username)
    page.wait_for_url("**/")
    page.goto("/reports/inventory-stock-value/")
    page.wait_for_selector("[data-testid=report-table]")
    assert "北京仓" in page.locator("[data-testid=report-table]").inner_text()
    page.select_option("[data-testid=report-options] select[name=per]", "category")
    page.click("[data-testid=report-options] button[type=submit]")
    page.wait_for_url("**per=category**")
    table = page.locator("[data-testid=report-table]").inner_text()
    assert "食品" in table and "10.00" in page.locator("[data-testid=report-totals]").inner_text()


def test_owner_schedules_a_weekly_email(make_staff, login_page):
    owner = make_staff("owner")
    page = login_page(owner.username)
    page.wait_for_url("**/")
    page.goto("/reports/schedules/")
    page.click("[data-testid=schedule-create]")
    page.select_option("select[name=report]", "customers")
    page.select_option("select[name=frequency]", "weekly")
    page.select_option("select[name=weekday]", "4")
    page.check("input[name=roles][value=marketing]")
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/reports/schedules/")
    page.wait_for_selector("[data-testid=schedule-table]")
    schedule = ReportSchedule.objects.get()
    assert (schedule.frequency, schedule.weekday, sorted(schedule.roles)) == ("weekly", 4, ["marketing", "owner"])
