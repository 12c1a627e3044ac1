"""A real Chromium: log in, the Chinese dashboard, the switch to English, a role refused a page."""

import pytest

from shop.services import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_logs_in_sees_chinese_dashboard_and_switches_to_english(make_staff, login_page):
    owner = make_staff("owner")
    notify(users=[owner], title="库存不足：T恤 白色 M")
    page = login_page(owner.username)
    page.wait_for_url("**/")
    assert page.locator("h1").first.inner_text() == "仪表盘"
    nav = page.locator(".sidebar nav").inner_text()
    for label in ("商品", "库存", "订单", "支付", "营销", "客户", "售后", "报表", "设置"):
        assert label in nav
    assert page.locator(".bell .badge").inner_text() == "1"
    page.screenshot(path="/tmp/houtai-dashboard-zh.png")
    page.click("[data-testid=lang-en]")
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == "Dashboard"
    assert "Payments" in page.locator(".sidebar nav").inner_text()


def test_warehouse_user_is_refused_the_finance_pages(make_staff, login_page):
    clerk = make_staff("warehouse")
    page = login_page(clerk.username)
    page.wait_for_url("**/")
    assert "支付" not in page.locator(".sidebar nav").inner_text()
    response = page.goto("/modules/payments/")
    assert response.status == 403
    assert "无权访问" in page.content()


def test_wrong_password_shows_a_message_in_the_page(make_staff, login_page):
    make_staff("finance")
    page = login_page("finance_user", "not-the-password")
    assert "用户名或密码不正确" in page.locator(".form-errors").inner_text()


def test_the_navigation_folds_away_at_phone_width(make_staff, login_page):
    page = login_page(make_staff("owner").username)
    page.wait_for_url("**/")
    page.set_viewport_size({"width": 390, "height": 800})
    assert not page.locator(".sidebar").is_visible() or page.locator(".sidebar").bounding_box()["x"] < 0
    page.click(".nav-button")
    page.wait_for_timeout(400)
    assert page.locator(".sidebar").bounding_box()["x"] >= 0
