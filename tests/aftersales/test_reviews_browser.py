"""A real Chromium: customer service finds a low review, answers it in place (htmx) and publishes it; the survey
results page draws its chart."""

import pytest

from aftersales import services
from aftersales.models import Review, Survey
from tests.aftersales.reviews_data import make_order, png_base64

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_service_replies_to_a_low_review_and_publishes_it(make_staff, login_page):
    agent = make_staff("customer_service", username="xiaoli")
    services.keyword_add(actor=None, word="假货")
    review = services.review_post(
        order_number=make_order().number,
        rating=1,
        text="感觉是假货，线头很多",
        images=[{"filename": "a.png", "content_base64": png_base64((300, 200))}],
    )
    services.review_post(order_number=make_order(lines=("RV-TEE-L",)).number, rating=5, text="很好")
    page = login_page(agent.username)
    page.wait_for_url("**/")
    page.goto("/aftersales/reviews/?keyword_hits=true")
    assert page.locator("[data-testid=review-status]").count() == 1
    page.click(f"[data-testid=review-{review.pk}]")
    page.wait_for_url(f"**/aftersales/reviews/{review.pk}/")
    page.fill("textarea[name=text]", "非常抱歉，已安排客服联系您退换")
    page.click("#review-reply button.primary")
    page.wait_for_selector("[data-testid=reply]")
    assert "已安排客服" in page.locator("[data-testid=reply]").inner_text()
    assert page.url.endswith(f"/aftersales/reviews/{review.pk}/")  # answered in place
    page.screenshot(path="/tmp/houtai-review.png", full_page=True)
    page.click("[data-testid=moderate-approve]")
    page.wait_for_load_state()
    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED and review.replied_by == agent


def test_the_survey_results_page_draws_its_chart(make_staff, login_page):
    owner = make_staff("owner", username="laoban")
    for csat, nps in ((5, 10), (3, 6)):
        survey, _created = services.survey_invite(kind=Survey.Kind.ORDER, order=make_order())
        services.survey_answer(token=survey.token, csat=csat, nps=nps, comment="还不错")
    page = login_page(owner.username)
    page.wait_for_url("**/")
    page.goto("/aftersales/surveys/")
    page.wait_for_function("(document.querySelector('canvas.chart') || {dataset: {}}).dataset.drawn")
    assert page.locator("[data-testid=nps]").inner_text() == "0.0"
    page.screenshot(path="/tmp/houtai-surveys.png", full_page=True)
