"""A real Chromium: customer service opens a complaint, finds the answer in the FAQ search box (htmx), replies,
resolves it (an empty resolution is stopped in the form)."""

import pytest

from aftersales.models import Complaint, FaqArticle, FaqCategory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_service_answers_a_complaint_with_the_faq(make_staff, login_page, make_complaint):
    agent = make_staff("customer_service", username="xiaowang")
    category = FaqCategory.objects.create(name="退换货")
    FaqArticle.objects.create(category=category, question="怎么退货", answer="<p>七天无理由退货</p>", published=True)
    complaint = make_complaint(category="product", description="衣服破洞，想退货")
    page = login_page(agent.username)
    page.wait_for_url("**/")
    page.goto(f"/aftersales/complaints/{complaint.pk}/")
    page.fill("[data-testid=faq-search]", "退货")
    page.wait_for_selector("[data-testid=faq-hit]")
    assert "怎么退货" in page.locator("[data-testid=faq-results]").inner_text()
    page.fill("form[data-testid=respond-form] textarea[name=text]", "可以七天无理由退货")
    page.click("form[data-testid=respond-form] button.primary")
    page.wait_for_selector("[data-testid=thread-reply]")
    resolution = page.locator("form[data-testid=resolve-form] textarea[name=resolution]")
    page.click("form[data-testid=resolve-form] button.primary")  # no resolution written: the browser stops it
    assert resolution.evaluate("e => e.validity.valueMissing")
    assert Complaint.objects.get().status == Complaint.Status.IN_PROGRESS
    page.fill("form[data-testid=resolve-form] textarea[name=resolution]", "已安排退货")
    page.click("form[data-testid=resolve-form] button.primary")
    page.wait_for_selector("[data-testid=resolution]")
    page.screenshot(path="/tmp/houtai-complaint.png", full_page=True)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.RESOLVED and complaint.first_response_at is not None
