"""The storefront's after-sales API: submit (idempotent, images checked), read, return parcel, cancel, reasons;
every refusal in the API's error format with nothing written."""

import base64

import pytest

from aftersales.models import AftersalesEvidence, AftersalesRequest
from orders.models import IntakeKey, OrderEvent
from tests.aftersales.conftest import png_base64

pytestmark = pytest.mark.django_db


def body(order, **extra):
    return {
        "order_number": order.number,
        "kind": "return",
        "lines": [{"sku": "AS-TEE-M", "quantity": 1}],
        "reason": "changed_mind",
        "note": "颜色不喜欢",
        "images": [{"filename": "photo.png", "content_base64": png_base64()}],
        **extra,
    }


def nothing_written():
    return (
        not AftersalesRequest.objects.exists()
        and not AftersalesEvidence.objects.exists()
        and not OrderEvent.objects.filter(kind="aftersales").exists()
    )


def test_submit_is_idempotent_and_readable(api, make_order):
    order = make_order()
    first = api("post", "/aftersales", body(order), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["status"] == "submitted" and data["kind"] == "return" and data["amount_asked"] == "96.00"
    again = api("post", "/aftersales", body(order), headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.json()["number"] == data["number"]
    assert AftersalesRequest.objects.count() == 1 and AftersalesEvidence.objects.count() == 1
    other = api("post", "/aftersales", body(order, note="另一个"), headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_mismatch"
    assert AftersalesRequest.objects.count() == 1
    # the order intake's keys and these never meet: the after-sales key is scoped apart and names the request
    assert IntakeKey.objects.get().reference == data["number"]
    read = api("get", f"/aftersales/{data['number']}")
    assert read.status_code == 200 and read.json()["lines"][0]["sku"] == "AS-TEE-M"


def test_return_shipment_and_cancel(api, make_order, carrier, owner):
    from aftersales import services

    order = make_order()
    number = api("post", "/aftersales", body(order, images=[])).json()["number"]
    early = api("post", f"/aftersales/{number}/return-shipment", {"carrier": "sf", "tracking_number": "SF1234567890"})
    assert early.status_code == 409 and early.json()["error"]["code"] == "illegal_transition"
    services.request_approve(request=AftersalesRequest.objects.get(number=number), actor=owner)
    approved = api("get", f"/aftersales/{number}").json()
    assert approved["return_address"] and approved["return_deadline"]
    bad = api("post", f"/aftersales/{number}/return-shipment", {"carrier": "sf", "tracking_number": "12"})
    assert bad.status_code == 400 and "tracking_number" in bad.json()["error"]["fields"]
    sent = api("post", f"/aftersales/{number}/return-shipment", {"carrier": "sf", "tracking_number": "SF1234567890"})
    assert sent.status_code == 200 and sent.json()["status"] == "awaiting_return"
    assert sent.json()["return_tracking"] == "SF1234567890"
    late = api("post", f"/aftersales/{number}/cancel")
    assert late.status_code == 409
    second = api("post", "/aftersales", body(order, images=[], lines=[{"sku": "AS-MUG", "quantity": 1}])).json()
    cancelled = api("post", f"/aftersales/{second['number']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_reasons_are_listed_in_order(api):
    response = api("get", "/aftersales/reasons")
    assert response.status_code == 200
    codes = [r["code"] for r in response.json()]
    assert codes[:2] == ["changed_mind", "wrong_size"] and "quality" in codes


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (base64.b64encode(b"%PDF-1.4 not an image").decode(), "not_an_image"),
        ("***not base64***", "not_an_image"),
    ],
)
def test_a_bad_image_is_refused_with_nothing_written(api, make_order, content, code):
    order = make_order()
    response = api("post", "/aftersales", body(order, images=[{"filename": "x.png", "content_base64": content}]))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert nothing_written()


def test_an_oversized_image_is_refused(api, make_order, settings):
    order = make_order()
    big = base64.b64encode(b"\x89PNG" + b"0" * (1024 * 1024)).decode()  # 1 MB: over a 512 KB evidence limit
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    from aftersales import services

    services.requests.MAX_IMAGE_BYTES, saved = 512 * 1024, services.requests.MAX_IMAGE_BYTES
    try:
        response = api("post", "/aftersales", body(order, images=[{"filename": "big.png", "content_base64": big}]))
    finally:
        services.requests.MAX_IMAGE_BYTES = saved
    assert response.status_code == 400 and response.json()["error"]["code"] == "image_too_large"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # a body over Django's limit: 413, not a 500
    response = api("post", "/aftersales", body(order, images=[{"filename": "big.png", "content_base64": big}]))
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"
    assert nothing_written()


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"order_number": "NOPE"}, 404, "not_found"),
        ({"kind": "steal"}, 400, "invalid_kind"),
        ({"reason": "no-such"}, 400, "unknown_reason"),
        ({"lines": [{"sku": "NOT-ON-ORDER", "quantity": 1}]}, 400, "invalid_lines"),
        ({"lines": [{"sku": "AS-TEE-M", "quantity": 3}]}, 422, "quantity_exceeded"),
        ({"lines": [{"sku": "AS-TEE-M", "quantity": 1, "amount": "96.01"}]}, 422, "refund_above_charged"),
        ({"lines": []}, 400, "validation"),
        ({"kind": "refund_only", "reason": "wrong_size"}, 422, "reason_not_for_kind"),
    ],
)
def test_refusals_use_the_error_format_and_write_nothing(api, make_order, change, status, code):
    order = make_order()
    response = api("post", "/aftersales", body(order, **change))
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and isinstance(error["fields"], dict)
    assert nothing_written()


def test_garbage_bodies_and_unknown_numbers_never_500(api):
    assert api("post", "/aftersales", "{not json").status_code == 400
    assert api("post", "/aftersales", {"order_number": 5}).status_code == 400
    assert api("get", "/aftersales/AS000").status_code == 404
    assert api("post", "/aftersales/AS000/cancel").status_code == 404
    assert api("post", "/aftersales/AS000/return-shipment", {"carrier": "sf"}).status_code == 400
    assert api("get", "/aftersales/reasons", scopes=("orders:read",)).status_code == 403
