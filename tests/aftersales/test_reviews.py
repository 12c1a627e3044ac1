"""Reviews (评价): the storefront's post and every refusal, keyword flagging, moderation and replies (audited), the
rating summary, the low-rating alert, the default positive review of auto-completed orders, the pages."""

import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales import selectors, services
from aftersales.models import ModerationKeyword, Review, ReviewImage
from aftersales.services import reviews as review_services
from orders.models import Order
from orders.services import order_complete
from shop.models import AuditEntry, Notification
from shop.selectors import store_settings
from tests.aftersales import reviews_data
from tests.aftersales.reviews_data import Api, make_order, png_base64

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
api, english = reviews_data.api, reviews_data.english  # the shared fixtures
S = Review.Status


def body(order, **extra):
    data = {"order_number": order.number, "rating": 4, "text": "质量很好，穿着舒服"}
    data.update(extra)
    return data


def post(order=None, **extra) -> Review:
    order = order or make_order()
    return services.review_post(**{**body(order), **extra})


def test_a_delivered_order_line_is_reviewed_with_photos(api):
    order = make_order(lines=("RV-TEE-M",))
    response = api("post", "/reviews", body(order, images=[{"filename": "a.png", "content_base64": png_base64()}]))
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["rating"], data["status"], data["sku"], len(data["images"])) == (4, "pending", "RV-TEE-M", 1)
    review = Review.objects.get()
    assert review.order_line.order == order and review.product.code == "P-RV-TEE" and review.image_count == 1
    photo = ReviewImage.objects.get()
    assert os.path.exists(photo.image.path) and os.path.exists(photo.thumbnail.path)


def test_the_store_setting_publishes_without_moderation(api):
    settings = store_settings()
    settings.reviews_publish_unmoderated = True
    settings.save()
    response = api("post", "/reviews", body(make_order()))
    assert response.json()["status"] == "approved"


def test_a_completed_order_with_several_lines_is_reviewed_by_sku(api):
    order = make_order(Order.Status.COMPLETED, lines=("RV-TEE-M", "RV-TEE-L"))
    unnamed = api("post", "/reviews", body(order))
    assert unnamed.status_code == 400 and unnamed.json()["error"]["code"] == "line_required"
    response = api("post", "/reviews", body(order, sku="RV-TEE-L"))
    assert response.status_code == 201 and Review.objects.get().sku_code == "RV-TEE-L"
    line_m = order.lines.get(sku_code="RV-TEE-M")
    assert api("post", "/reviews", body(order, line=line_m.pk)).status_code == 201
    assert api("post", "/reviews", body(order, line=999999)).status_code == 404


@pytest.mark.parametrize(
    "case, status, code",
    [
        ("not_delivered", 409, "not_delivered"),
        ("unknown_order", 404, "order_not_found"),
        ("rating_zero", 400, "invalid_rating"),
        ("rating_six", 400, "invalid_rating"),
        ("rating_text", 400, None),
        ("not_an_image", 400, "not_an_image"),
        ("not_base64", 400, "not_an_image"),
        ("too_large", 400, "image_too_large"),
    ],
)
def test_every_refusal_answers_in_the_error_format_and_writes_nothing(api, monkeypatch, case, status, code):
    order = make_order(Order.Status.SHIPPED if case == "not_delivered" else Order.Status.DELIVERED)
    good = {"filename": "ok.png", "content_base64": png_base64()}
    data = {
        "not_delivered": body(order),
        "unknown_order": body(order, order_number="NOPE-1"),
        "rating_zero": body(order, rating=0),
        "rating_six": body(order, rating=6),
        "rating_text": body(order, rating="five"),
        "not_an_image": body(order, images=[good, {"filename": "a.png", "content_base64": "aGVsbG8gd29ybGQ="}]),
        "not_base64": body(order, images=[{"filename": "a.png", "content_base64": "%%%"}]),
        "too_large": body(order, images=[good, {"filename": "big.png", "content_base64": png_base64((900, 900))}]),
    }[case]
    if case == "too_large":
        monkeypatch.setattr(review_services, "IMAGE_MAX_BYTES", 4000)
    response = api("post", "/reviews", data)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code
    assert (Review.objects.count(), ReviewImage.objects.count()) == (0, 0)


def test_a_second_review_of_the_line_is_refused(api):
    order = make_order()
    assert api("post", "/reviews", body(order)).status_code == 201
    again = api("post", "/reviews", body(order, rating=1, text="再来一次"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reviewed"
    assert Review.objects.get().rating == 4


def test_a_key_without_the_scope_is_refused(client, owner):
    response = Api(client, owner, scopes=("orders:read",))("post", "/reviews", body(make_order()))
    assert response.status_code == 403 and Review.objects.count() == 0


def test_a_review_containing_a_keyword_is_flagged():
    services.keyword_add(actor=None, word="假货")
    services.keyword_add(actor=None, word="Fake")
    flagged = post(text="这是假货！totally FAKE")
    clean = post(text="很好")
    assert flagged.status == S.FLAGGED and sorted(flagged.flagged_keywords) == ["Fake", "假货"]
    assert clean.status == S.PENDING and clean.flagged_keywords == []


def test_a_duplicate_keyword_is_refused_on_the_page(owner_client):
    assert owner_client.post("/aftersales/reviews/keywords/", {"word": "假货"}).status_code == 302
    response = owner_client.post("/aftersales/reviews/keywords/", {"word": "假货"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "already a keyword" in response.content.decode()
    keyword = ModerationKeyword.objects.get()
    assert owner_client.post(f"/aftersales/reviews/keywords/{keyword.pk}/delete/").status_code == 302
    assert ModerationKeyword.objects.count() == 0
    actions = list(AuditEntry.objects.filter(module="aftersales").values_list("action", flat=True))
    assert sorted(actions) == ["aftersales.keyword_add", "aftersales.keyword_delete"]


def test_moderation_and_reply_are_audited(owner_client, owner):
    review = post()
    url = f"/aftersales/reviews/{review.pk}/"
    assert owner_client.post(url + "moderate/", {"action": "approve"}).status_code == 302
    review.refresh_from_db()
    assert review.status == S.APPROVED
    # an illegal move is a message, not a change
    response = owner_client.post(url + "moderate/", {"action": "approve"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "cannot be" in response.content.decode()
    response = owner_client.post(url + "reply/", {"text": "感谢您的支持！"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "感谢您的支持" in response.content.decode()
    review.refresh_from_db()
    assert review.reply == "感谢您的支持！" and review.replied_by == owner and review.replied_at is not None
    empty = owner_client.post(url + "reply/", {"text": "  "}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 200
    review.refresh_from_db()
    assert review.reply == "感谢您的支持！"
    entries = AuditEntry.objects.filter(object_id=str(review.pk), module="aftersales").order_by("pk")
    assert [(e.action, e.actor) for e in entries] == [
        ("aftersales.review_approve", owner),
        ("aftersales.review_reply", owner),
    ]
    assert entries[0].before == {"status": "pending"} and entries[0].after == {"status": "approved"}
    page = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "感谢您的支持" in page and 'data-testid="moderate-hide"' in page


def test_bulk_publish_and_hide_from_the_list(owner_client):
    first, second, hidden = post(), post(), post()
    services.review_hide(review=hidden, actor=None)
    ids = [first.pk, second.pk, hidden.pk]
    owner_client.post("/aftersales/reviews/", {"action": "approve", "ids": ids})
    assert set(Review.objects.values_list("status", flat=True)) == {S.APPROVED}
    owner_client.post("/aftersales/reviews/", {"action": "hide", "ids": [first.pk]})
    assert Review.objects.get(pk=first.pk).status == S.HIDDEN
    assert AuditEntry.objects.filter(action="aftersales.review_approve").count() == 3


def _published(rating, images=0, order=None):
    review = post(order=order or make_order(lines=("RV-SUM-M",)), rating=rating)
    Review.objects.filter(pk=review.pk).update(status=S.APPROVED, image_count=images)
    return review


def test_the_rating_summary_counts_published_reviews(owner_client):
    for rating, images in ((5, 2), (5, 0), (4, 1), (1, 0)):
        _published(rating, images)
    post(order=make_order(lines=("RV-SUM-M",)), rating=1)  # pending: not counted
    product = Review.objects.first().product
    summary = selectors.rating_summary(product=product)
    assert (summary["count"], summary["average"], summary["with_images"]) == (4, 3.75, 2)
    assert {d["rating"]: d["count"] for d in summary["distribution"]} == {5: 2, 4: 1, 3: 0, 2: 0, 1: 1}
    assert [d["percent"] for d in summary["distribution"]] == [50, 25, 0, 0, 25]
    page = owner_client.get(f"/catalog/products/{product.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="related-reviews"' in page and 'data-testid="rating-average">3.75<' in page


def test_product_ratings_rank_the_lowest_average_first(owner_client):
    _published(5, order=make_order(lines=("RV-GOOD-M",)))
    _published(2, order=make_order(lines=("RV-BAD-M",)))
    _published(3, order=make_order(lines=("RV-BAD-L",)))
    rows = selectors.product_ratings()
    assert [(r["product__code"], r["average"], r["count"], r["low"]) for r in rows] == [
        ("P-RV-BAD", 2.5, 2, 1),
        ("P-RV-GOOD", 5.0, 1, 0),
    ]
    html = owner_client.get("/aftersales/reviews/products/").content.decode()
    assert html.index("P-RV-BAD") < html.index("P-RV-GOOD")


def test_a_low_rating_alerts_customer_service_once(make_staff):
    agent = make_staff("customer_service", username="kefu")
    make_staff("warehouse", username="cangku")
    low = post(rating=2, text="太差了")
    post(rating=3)
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [("kefu", "review_low_rating")]
    review_services._alert_low_rating(Review.objects.get(pk=low.pk))  # asked again: no second notice
    assert Notification.objects.filter(recipient=agent).count() == 1
    settings = store_settings()
    settings.review_low_rating_threshold = 0
    settings.save()
    post(rating=1)
    assert Notification.objects.count() == 1


def _complete_by_job(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_job", "auto_complete_orders")


def _settings(**values):
    settings = store_settings()
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()


def test_no_default_review_unless_the_store_asks(django_capture_on_commit_callbacks):
    order = make_order(lines=("RV-TEE-M", "RV-TEE-L"), delivered_days_ago=10)
    _complete_by_job(django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED and Review.objects.count() == 0


def test_the_job_posts_one_default_review_per_unreviewed_line(django_capture_on_commit_callbacks):
    _settings(auto_review_enabled=True, auto_review_text="系统默认好评")
    order = make_order(lines=("RV-TEE-M", "RV-TEE-L", "RV-TEE-S"), delivered_days_ago=10)
    own = post(order=order, sku="RV-TEE-S", rating=2)
    _complete_by_job(django_capture_on_commit_callbacks)
    _complete_by_job(django_capture_on_commit_callbacks)
    services.reviews_default_post(order=order)  # the receiver delivered twice: still one per line
    rows = Review.objects.filter(order=order).order_by("sku_code")
    assert [(r.sku_code, r.rating, r.is_default) for r in rows] == [
        ("RV-TEE-L", 5, True),
        ("RV-TEE-M", 5, True),
        ("RV-TEE-S", 2, False),
    ]
    assert rows[0].text == "系统默认好评" and rows[0].status == S.APPROVED
    assert Review.objects.get(pk=own.pk).text == "质量很好，穿着舒服"


def test_no_default_review_inside_the_review_window_or_for_staff_completions(django_capture_on_commit_callbacks, owner):
    _settings(auto_review_enabled=True, auto_review_days=15)
    early = make_order(delivered_days_ago=10)  # past the 7-day after-sales window, inside the review window
    _complete_by_job(django_capture_on_commit_callbacks)
    early.refresh_from_db()
    assert early.status == Order.Status.COMPLETED and Review.objects.count() == 0
    by_staff = make_order(delivered_days_ago=20)
    with django_capture_on_commit_callbacks(execute=True):
        order_complete(order=by_staff, actor=owner)
    assert Review.objects.count() == 0


def test_the_review_list_filters_searches_and_exports(owner_client):
    with_photo = _published(5, images=1)
    low = post(rating=1, text="尺码偏小")
    services.keyword_add(actor=None, word="偏小")
    flagged = post(rating=3, text="颜色偏小")

    def ids(query):
        html = owner_client.get("/aftersales/reviews/?" + query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        return {r.pk for r in (with_photo, low, flagged) if f'data-testid="review-{r.pk}"' in html}

    assert ids("") == {with_photo.pk, low.pk, flagged.pk}
    assert ids("rating=1") == {low.pk}
    assert ids("has_images=true") == {with_photo.pk}
    assert ids("status=flagged") == {flagged.pk}
    assert ids("keyword_hits=true") == {flagged.pk}
    assert ids("q=尺码") == {low.pk}
    assert ids(f"q={low.order_number}") == {low.pk}
    assert ids(f"product={low.product_id}") == {low.pk, flagged.pk}  # the photo review is of another product
    today = timezone.localdate()
    assert ids(f"posted_from={today + timedelta(days=1)}") == set()
    assert ids("rating=9") == set()  # an invalid filter shows no rows, not an error
    export = owner_client.get("/aftersales/reviews/?export=csv&rating=1")
    content = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "尺码偏小" in content and "颜色偏小" not in content


def test_the_review_list_costs_the_same_queries_at_any_size(owner_client):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert owner_client.get("/aftersales/reviews/?per_page=50").status_code == 200
        return len(ctx)

    post()
    few = queries()
    for _ in range(12):
        post()
    assert queries() == few


def test_the_storefront_lists_published_reviews_of_a_sku(api):
    published = _published(5, images=0)
    post(order=make_order(lines=("RV-SUM-M",)), rating=1)  # pending
    response = api("get", "/reviews?sku=RV-SUM-M")
    assert response.status_code == 200
    data = response.json()
    assert [r["id"] for r in data["reviews"]] == [published.pk] and data["summary"]["count"] == 1
    assert api("get", "/reviews?sku=NOPE").status_code == 404
    assert api("get", "/reviews").status_code == 400
    assert api("get", "/reviews?product=P-RV-SUM").json()["summary"]["average"] == 5.0


def test_a_body_past_the_upload_limit_is_refused_in_the_error_format(api):
    huge = "A" * (3 * 1024 * 1024)
    response = api("post", "/reviews", body(make_order(), images=[{"filename": "big.png", "content_base64": huge}]))
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"
    assert Review.objects.count() == 0


def test_the_review_settings_are_edited_on_the_store_settings_page(owner_client):
    from tests.shop.test_staff_and_settings import _settings_post

    page = owner_client.get("/settings/").content.decode()
    assert 'name="auto_review_enabled"' in page and 'name="reviews_publish_unmoderated"' in page
    data = _settings_post(
        auto_review_enabled="on",
        auto_review_text="好评！",
        auto_review_days=10,
        review_low_rating_threshold=1,
        survey_text_customers="on",
        survey_link="https://m.example.com/s/{token}",
    )
    assert owner_client.post("/settings/", data).status_code == 302
    settings = store_settings()
    assert (settings.auto_review_enabled, settings.auto_review_text, settings.auto_review_days) == (True, "好评！", 10)
    assert settings.review_low_rating_threshold == 1 and settings.survey_text_customers is True
    bad = owner_client.post("/settings/", {**data, "review_low_rating_threshold": 6})
    assert bad.status_code == 200 and store_settings().review_low_rating_threshold == 1


def test_the_hourly_job_posts_default_reviews_when_a_longer_review_window_ends(
    django_capture_on_commit_callbacks, owner
):
    from shop.jobs import beat_schedule

    assert beat_schedule()["default_reviews"]["task"] == "houtai.default_reviews"
    _settings(auto_review_enabled=True, auto_review_days=15)
    auto = make_order(lines=("RV-TEE-M", "RV-TEE-L"), delivered_days_ago=10)
    _complete_by_job(django_capture_on_commit_callbacks)  # completed at 7 days: the review window is still open
    by_staff = make_order(delivered_days_ago=10)
    order_complete(order=by_staff, actor=owner)
    call_command("run_job", "default_reviews")
    assert Review.objects.count() == 0
    Order.objects.filter(pk__in=[auto.pk, by_staff.pk]).update(delivered_at=timezone.now() - timedelta(days=16))
    call_command("run_job", "default_reviews")
    call_command("run_job", "default_reviews")
    assert sorted(Review.objects.values_list("order_id", "sku_code", "is_default")) == [
        (auto.pk, "RV-TEE-L", True),
        (auto.pk, "RV-TEE-M", True),
    ]
    _settings(auto_review_enabled=False)
    Review.objects.all().delete()
    call_command("run_job", "default_reviews")
    assert Review.objects.count() == 0


def test_the_customer_page_lists_their_reviews(owner_client, client_as):
    review = post(rating=3, text="物流有点慢")
    url = f"/customers/{review.customer_id}/"
    page = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="related-customer-reviews"' in page and "物流有点慢" in page
    listed = owner_client.get(f"/aftersales/reviews/?customer={review.customer_id}").content.decode()
    assert f'data-testid="review-{review.pk}"' in listed
    marketing = client_as("marketing").get(url).content.decode()  # may see customers, not reviews
    assert "物流有点慢" not in marketing
