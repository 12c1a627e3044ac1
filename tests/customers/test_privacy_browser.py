"""A real Chromium: customer service sees a masked phone on the customer page, clicks "show" and gets the full
number in place, and the reveal is in the audit log."""

import pytest

from customers.services import customer_upsert
from shop.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_service_reveals_a_phone_in_place_and_it_is_audited(make_staff, login_page):
    customer = customer_upsert(phone="13912345678", name="王小明")
    agent = make_staff("customer_service")
    page = login_page(agent.username)
    page.wait_for_url("**/")
    page.goto(f"/customers/{customer.pk}/")
    phone = page.locator("dd .phone").first
    assert phone.inner_text().startswith("139****5678")
    assert "13912345678" not in page.content()
    phone.locator("button.reveal").click()
    page.wait_for_selector("dd .phone.revealed")
    assert page.locator("dd .phone.revealed").inner_text() == "13912345678"
    entry = AuditEntry.objects.get(action="customers.phone_revealed")
    assert entry.actor == agent and entry.object_id == str(customer.pk)
