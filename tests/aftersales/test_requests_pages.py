"""The after-sales pages: staff entry from the order page, the list (filters, search, export, bulk actions), a
request's steps with inline validation, who may do which step, the reasons and policy pages, and the order
page / order list showing the after-sales status."""

import pytest
from django.urls import reverse

from aftersales import services
from aftersales.models import AftersalesReason, AftersalesRequest, AutoApprovalRule
from shop.models import StoreSettings
from tests.aftersales.conftest import png_bytes

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def submit(order, kind="return", sku="AS-TEE-M", quantity=1, code="changed_mind"):
    return services.request_submit(
        order=order,
        kind=kind,
        reason=AftersalesReason.objects.get(code=code),
        lines=[{"sku": sku, "quantity": quantity}],
        actor="api:shop",
    )[0]


def test_customer_service_enters_a_request_from_the_order_page(client_as, make_order):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("customer_service")
    order = make_order()
    page = client.get(reverse("orders:order_detail", args=[order.pk]), **EN)
    assert b'data-testid="request-aftersales"' in page.content
    tee = order.lines.get(sku_code="AS-TEE-M")
    url = reverse("aftersales:request_new", args=[order.pk])
    assert client.get(url, **EN).status_code == 200
    empty = client.post(url, {"kind": "return", "reason": AftersalesReason.objects.get(code="changed_mind").pk}, **EN)
    assert empty.status_code == 400 and b"Enter a quantity for at least one line." in empty.content
    bad_photo = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    data = {"kind": "return", "reason": AftersalesReason.objects.get(code="changed_mind").pk, f"qty_{tee.pk}": 2}
    refused = client.post(url, {**data, "images": bad_photo}, **EN)
    assert refused.status_code == 400 and not AftersalesRequest.objects.exists()
    photo = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    response = client.post(url, {**data, "images": photo}, **EN)
    request = AftersalesRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    assert (request.channel, request.lines.get().quantity, request.evidence.count()) == ("staff", 2, 1)
    detail = client.get(request.get_absolute_url(), **EN)
    assert b'data-testid="approve-form"' in detail.content and b'data-testid="evidence"' in detail.content
    evidence = request.evidence.get()
    image = client.get(reverse("aftersales:evidence_image", args=[request.pk, evidence.pk]))
    assert image.status_code == 200 and image["Content-Type"].startswith("image/")
    order_page = client.get(reverse("orders:order_detail", args=[order.pk]), **EN)
    assert b'data-testid="aftersales-status"' in order_page.content and request.number.encode() in order_page.content
    more = client.post(url, {**data, f"qty_{tee.pk}": 1}, **EN)  # both tees are already asked for
    assert more.status_code == 400 and AftersalesRequest.objects.count() == 1


def test_a_step_refused_shows_its_message_beside_the_form(client_as, make_order):
    client = client_as("customer_service")
    request = submit(make_order())
    response = client.post(reverse("aftersales:request_reject", args=[request.pk]), {"refusal_reason": ""}, **EN)
    assert response.status_code == 400 and b"This field is required." in response.content
    early = client.post(reverse("aftersales:request_close", args=[request.pk]), **EN, follow=True)
    assert b"it cannot be closed" in early.content
    request.refresh_from_db()
    assert request.status == "submitted"


def test_warehouse_receives_and_inspects_but_never_approves(client, make_staff, make_order, warehouse):
    request = submit(make_order())
    services.request_approve(request=request, actor=make_staff("owner"))
    client.force_login(make_staff("warehouse"))
    assert client.post(reverse("aftersales:request_approve", args=[request.pk])).status_code == 403
    detail = client.get(request.get_absolute_url(), **EN)
    assert b'data-testid="receive-form"' in detail.content and b'data-testid="reject-form"' not in detail.content
    received = client.post(reverse("aftersales:request_receive", args=[request.pk]), {"note": "外箱完好"})
    assert received.status_code == 302
    line = request.lines.get()
    missing = client.post(
        reverse("aftersales:request_inspect", args=[request.pk]), {f"line_{line.pk}_outcome": "write_off"}, **EN
    )
    assert missing.status_code == 400 and b"Give the reason for the write-off." in missing.content
    done = client.post(
        reverse("aftersales:request_inspect", args=[request.pk]),
        {f"line_{line.pk}_outcome": "restock", f"line_{line.pk}_warehouse": warehouse.pk},
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == "inspected"
    assert client.post(reverse("aftersales:request_refund", args=[request.pk])).status_code == 403


def test_list_filters_search_export_and_bulk_actions(client_as, make_order, make_staff):
    client = client_as("customer_service")
    first = submit(make_order())
    second = submit(make_order(phone="13700137000"), kind="exchange", code="wrong_size")
    url = reverse("aftersales:request_list")
    assert client.get(url, {"kind": "exchange"}, **EN).content.count(b'data-testid="request-link"') == 1
    assert second.number.encode() in client.get(url, {"q": second.number.lower()}, **EN).content
    assert first.number.encode() not in client.get(url, {"q": "137001"}, **EN).content
    assert client.get(url, {"q": "1370013"}, **EN).content.count(b'data-testid="request-link"') == 1
    assert client.get(url, {"overdue": "true"}, **EN).content.count(b'data-testid="request-link"') == 0
    csv = client.get(url, {"export": "csv"}, **EN)
    assert csv.status_code == 200 and first.number in b"".join(csv.streaming_content).decode("utf-8-sig")
    assert client.get(url, {"export": "xlsx"}).status_code == 200
    colleague = make_staff("customer_service", username="cs_colleague")
    client.post(url, {"action": "assign", "ids": [first.pk, second.pk], "assignee": colleague.pk})
    assert set(AftersalesRequest.objects.values_list("assignee", flat=True)) == {colleague.pk}
    client.post(url, {"action": "approve", "ids": [first.pk, second.pk]})
    assert set(AftersalesRequest.objects.values_list("status", flat=True)) == {"approved"}


def test_order_list_filters_by_after_sales_status(client_as, make_order):
    client = client_as("customer_service")
    with_request, without = make_order(), make_order(phone="13700137000")
    submit(with_request)
    page = client.get(reverse("orders:order_list"), {"aftersales": "requested"}, **EN)
    assert with_request.number.encode() in page.content and without.number.encode() not in page.content


def test_reasons_page_edits_and_orders_reasons(client_as):
    client = client_as("customer_service")
    assert client.get(reverse("aftersales:reason_list"), **EN).status_code == 200
    response = client.post(
        reverse("aftersales:reason_create"),
        {"name": "包装破损", "code": "damaged-box", "kinds": ["return", "exchange"], "freight_payer": "seller"}
        | {"position": 9},
    )
    assert response.status_code == 302
    reason = AftersalesReason.objects.get(code="damaged-box")
    assert (reason.kinds, reason.no_reason, reason.is_active) == (["return", "exchange"], False, False)
    same_code = {"name": "x", "code": "damaged-box", "freight_payer": "buyer", "position": 1}
    duplicate = client.post(reverse("aftersales:reason_create"), same_code, **EN)
    assert duplicate.status_code == 200 and b"already exists" in duplicate.content
    first = AftersalesReason.objects.order_by("position", "id").first()
    second = AftersalesReason.objects.order_by("position", "id")[1]
    client.post(reverse("aftersales:reasons_reorder"), {"move": f"up:{second.pk}"})
    assert AftersalesReason.objects.order_by("position", "id").first() == second
    assert AftersalesReason.objects.order_by("position", "id")[1] == first
    client.post(reverse("aftersales:reason_delete", args=[reason.pk]))
    assert not AftersalesReason.objects.filter(code="damaged-box").exists()


def test_policy_page_sets_rules_and_settings_for_owner_not_customer_service(client, make_staff, category):
    client.force_login(make_staff("customer_service"))
    assert client.get(reverse("aftersales:policy"), **EN).status_code == 200
    assert client.post(reverse("aftersales:rule_create"), {"name": "x"}).status_code == 403
    client.force_login(make_staff("owner"))
    response = client.post(
        reverse("aftersales:rule_create"),
        {"name": "未发货小额", "kind": "refund_only", "max_amount": "100", "only_unshipped": "on"}
        | {"is_active": "on", "position": 0},
    )
    assert response.status_code == 302 and AutoApprovalRule.objects.get().max_amount == 100
    bad = client.post(reverse("aftersales:policy_settings"), {"aftersales_window_days": "-1"}, **EN)
    assert bad.status_code == 400
    fields = {
        "aftersales_window_days": 10,
        "aftersales_quality_days": 20,
        "aftersales_return_days": 5,
        "aftersales_return_address": "上海市浦东新区退货仓 张三 13800138000",
        "aftersales_respond_hours": 12,
        "aftersales_refund_hours": 24,
        "aftersales_escalate_hours": 6,
    }
    assert client.post(reverse("aftersales:policy_settings"), fields).status_code == 302
    assert StoreSettings.objects.get().aftersales_respond_hours == 12
    assert client.post(reverse("aftersales:excluded_category_add"), {"category": category.pk}).status_code == 302
    again = client.post(reverse("aftersales:excluded_category_add"), {"category": category.pk}, **EN)
    assert again.status_code == 400 and b"already excluded" in again.content


def test_the_list_costs_the_same_queries_at_any_page_size(client_as, make_order):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("customer_service")
    order = make_order()
    reason = AftersalesReason.objects.get(code="changed_mind")
    url = reverse("aftersales:request_list")

    def add(n, start):
        for i in range(start, start + n):
            AftersalesRequest.objects.create(number=f"AS20260101{i:05d}", order=order, kind="return", reason=reason)

    def queries(per_page):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"per_page": per_page}, **EN).status_code == 200
        return len(ctx)

    add(3, 1)
    queries(20)  # the first request of the session reads what later ones have cached
    few = queries(20)
    add(60, 100)
    assert queries(50) == few and queries(20) == few


def test_a_decompression_bomb_or_a_disguised_page_as_a_photo_is_refused_by_name(client_as, make_order):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.shop.test_bad_uploads import BOMBS, DISGUISED

    client = client_as("customer_service")
    order = make_order()
    tee = order.lines.get(sku_code="AS-TEE-M")
    url = reverse("aftersales:request_new", args=[order.pk])
    data = {"kind": "return", "reason": AftersalesReason.objects.get(code="changed_mind").pk, f"qty_{tee.pk}": 1}
    for name, content, words in [
        ("bomb-50000.png", BOMBS["bomb-50000.png"], b"has too many pixels"),
        ("vector.jpg", DISGUISED["vector.jpg"], b"is not an image"),
    ]:
        photo = SimpleUploadedFile(name, content, content_type="image/png")
        refused = client.post(url, {**data, "images": photo}, **EN)
        assert refused.status_code == 400 and name.encode() + b" " + words in refused.content
    assert not AftersalesRequest.objects.exists()
