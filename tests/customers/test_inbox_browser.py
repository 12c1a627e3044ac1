"""A real Chromium: customer service opens the inbox, answers a message, and sees it on the customer's timeline."""

import pytest

from customers.models import Customer, CustomerMessage, OutboundMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_service_replies_from_the_inbox_and_sees_it_on_the_timeline(make_staff, login_page):
    agent = make_staff("customer_service", username="xiaowang")
    customer = Customer.objects.create(phone="13800138000", name="张三")
    message = CustomerMessage.objects.create(customer=customer, subject="什么时候发货", text="下单三天了")
    page = login_page(agent.username)
    page.wait_for_url("**/")
    page.goto("/customers/messages/")
    page.click(f"a[href='/customers/messages/{message.pk}/']")
    page.select_option("select[name=assignee]", str(agent.pk))
    page.click(f"form[action='/customers/messages/{message.pk}/assign/'] button")
    page.wait_for_load_state()
    page.fill("textarea[name=text]", "今天已发货，请留意物流")
    page.click("form[action$='/reply/'] button.primary")
    page.wait_for_load_state()
    assert "今天已发货" in page.locator("[data-testid=reply]").inner_text()
    page.screenshot(path="/tmp/houtai-message.png", full_page=True)
    sent = OutboundMessage.objects.get()
    assert (sent.channel, sent.status) == ("sms", "sent")
    message.refresh_from_db()
    assert (message.status, message.assignee) == ("waiting", agent)
    page.goto(f"/customers/{customer.pk}/")
    timeline = page.locator("[data-testid=related-customer-timeline]")
    assert "今天已发货" in timeline.inner_text() and "什么时候发货" in timeline.inner_text()
    page.screenshot(path="/tmp/houtai-customer-timeline.png", full_page=True)
