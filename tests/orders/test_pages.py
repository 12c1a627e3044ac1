"""The staff pages: a keyset-paged list whose query count does not grow with the page, search and filters,
the detail page and its actions, printing, queues, merging and bulk shipping from a CSV."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from orders import services
from orders.models import Carrier, DispatchRule, FreightTemplate, Order, Shipment
from shop.models import AuditEntry

pytestmark = pytest.mark.django_db
S = Order.Status


@pytest.fixture
def many_orders(db, carrier):
    customer = Customer.objects.create(phone="13900000000", name="王五")
    now = timezone.now()
    day = timezone.localtime(now).strftime("%Y%m%d")  # a number starts with the day it was placed (intake)
    orders = Order.objects.bulk_create(
        [
            Order(
                number=f"{day}{i:010d}",
                customer=customer,
                payment_method="alipay" if i % 2 else "wechat",
                ship_name=f"收件人{i}",
                ship_phone=f"139{i:08d}",
                ship_province="广东" if i % 3 else "上海",
                ship_city="市",
                ship_district="区",
                ship_detail="路1号",
                total=Decimal(i),
                status=S.PAID if i % 4 else S.PENDING_PAYMENT,
                placed_at=now - timedelta(minutes=i),
            )
            for i in range(1, 251)
        ]
    )
    Shipment.objects.bulk_create(
        [Shipment(order=o, carrier=carrier, tracking_number=f"SF{o.pk:012d}") for o in orders[:220]]
    )
    return orders


def _list(client, **params):
    return client.get(reverse("orders:order_list"), params)


def test_list_query_count_is_the_same_at_20_and_200_rows(owner_client, many_orders):
    _list(owner_client)  # warm caches (content types, store settings)
    counts = []
    for per_page in (20, 200):
        with CaptureQueriesContext(connection) as ctx:
            response = _list(owner_client, per_page=per_page)
        assert response.status_code == 200
        assert len(response.context["page"].rows) == per_page
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert not any("COUNT(" in q["sql"].upper() and "orders_order" in q["sql"] for q in ctx.captured_queries)


def test_keyset_pages_walk_forwards_and_back_without_gaps(owner_client, many_orders):
    seen, after = [], None
    while True:
        response = _list(owner_client, per_page=50, **({"after": after} if after else {}))
        page = response.context["page"]
        seen += [o.number for o in page.rows]
        after = page.next_cursor
        if not after:
            break
    expected = [o.number for o in sorted(many_orders, key=lambda o: (o.placed_at, o.pk), reverse=True)]
    assert seen == expected
    second = _list(owner_client, per_page=50, after=_list(owner_client, per_page=50).context["page"].next_cursor)
    back = _list(owner_client, per_page=50, before=second.context["page"].previous_cursor).context["page"]
    assert [o.number for o in back.rows] == expected[:50] and back.is_first


def test_sort_by_total_pages_by_keyset_too(owner_client, many_orders):
    first = _list(owner_client, o="-total", per_page=20).context["page"]
    nxt = _list(owner_client, o="-total", per_page=20, after=first.next_cursor).context["page"]
    assert [o.total for o in first.rows + nxt.rows] == [Decimal(i) for i in range(250, 210, -1)]


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"q": "{day}000000001"}, 10),  # an order-number prefix: ...010 to ...019
        ({"q": "13900000007"}, 1),  # a recipient's mobile
        ({"q": "收件人5"}, 1),  # a recipient's name
        ({"status": "pending_payment"}, 62),
        ({"payment_method": "wechat"}, 125),
        ({"province": "上海"}, 83),
        ({"total_min": "10", "total_max": "19.5"}, 10),
        ({"after": "garbage", "placed_from": "2020-01-01"}, 250),
    ],
)
def test_filters_and_search(owner_client, many_orders, params, expected):
    if "q" in params:
        params = {**params, "q": params["q"].replace("{day}", many_orders[0].number[:8])}
    response = _list(owner_client, per_page=200, **params)
    page = response.context["page"]
    assert len(page.rows) + (200 if page.next_cursor else 0) >= expected
    if expected < 200:
        assert len(page.rows) == expected, [o.number for o in page.rows]


def test_search_by_tracking_number(owner_client, many_orders):
    order = many_orders[3]
    rows = _list(owner_client, q=f"SF{order.pk:012d}").context["page"].rows
    assert [o.pk for o in rows] == [order.pk]


def test_bad_filter_values_do_not_break_the_list(owner_client, many_orders):
    for params in (
        {"total_min": "1e309"},
        {"placed_from": "2026-13-45"},
        {"status": "x"},
        {"per_page": "1e9"},
        {"before": "2026-01-01T00:00:00|x"},
        {"after": "9e99|1", "o": "-total"},
        {"q": "1" * 60},
    ):
        assert _list(owner_client, **params).status_code == 200


def test_csv_export_streams_the_filtered_orders(owner_client, many_orders):
    response = _list(owner_client, export="csv", status="pending_payment")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.count("\n") == 63


def test_detail_page_shows_lines_timeline_and_allowed_actions(owner_client, paid, sku):
    order = paid(("TEE-W-M", 2))
    html = owner_client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert order.number in html and "TEE-W-M" in html and "世纪大道100号" in html
    assert reverse("orders:order_ship", args=[order.pk]) in html
    assert reverse("orders:order_price", args=[order.pk]) not in html  # paid: no price change


def test_staff_ships_cancels_and_edits_through_the_pages(owner_client, owner, paid, sku, carrier):
    order = paid(("TEE-W-M", 1))
    url = reverse("orders:order_ship", args=[order.pk])
    response = owner_client.post(url, {"carrier": carrier.pk, "tracking_number": "YT999"})
    assert response.status_code == 400 and "顺丰" in response.content.decode()
    response = owner_client.post(url, {"carrier": carrier.pk, "tracking_number": "SF123456789012"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == S.SHIPPED
    other = paid(("TEE-W-M", 1), note="x")
    response = owner_client.post(reverse("orders:order_cancel", args=[other.pk]), {"reason": ""})
    assert response.status_code == 400
    owner_client.post(reverse("orders:order_cancel", args=[other.pk]), {"reason": "客户来电取消"})
    other.refresh_from_db()
    assert other.status == S.CANCELLED
    response = owner_client.post(
        reverse("orders:order_address", args=[order.pk]),
        {
            "name": "李四",
            "phone": "13900139000",
            "province": "浙江",
            "city": "杭州",
            "district": "西湖",
            "detail": "路",
        },
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Order.objects.get(pk=order.pk).ship_name == "张三"  # shipped: the address stays


def test_price_adjustment_needs_its_own_permission(client_as, place, sku):
    order = place(("TEE-W-M", 1))
    url = reverse("orders:order_price", args=[order.pk])
    assert client_as("customer_service").post(url, {"adjustment": "-5", "reason": "x"}).status_code == 403
    ops = client_as("operations")
    assert ops.post(url, {"adjustment": "-5", "reason": "议价"}).status_code == 302
    order.refresh_from_db()
    assert order.total == Decimal("94.50")
    assert AuditEntry.objects.filter(action="orders.adjust_price", actor__username="operations_user").exists()


def test_warehouse_can_ship_but_not_cancel(client_as, paid, sku, carrier):
    order = paid(("TEE-W-M", 1))
    warehouse = client_as("warehouse")
    assert warehouse.post(reverse("orders:order_cancel", args=[order.pk]), {"reason": "x"}).status_code == 403
    assert warehouse.post(reverse("orders:order_allocate", args=[order.pk])).status_code == 302
    order.refresh_from_db()
    assert order.status == S.ALLOCATED


def test_packing_slips_and_pick_list_for_many_orders(owner_client, paid, sku, make_sku):
    make_sku("MUG-1", price="35.00")
    a, b = paid(("TEE-W-M", 1), ("MUG-1", 2)), paid(("TEE-W-M", 3), note="b")
    html = owner_client.get(reverse("orders:packing_slips"), {"ids": [a.pk, b.pk, "x"]}).content.decode()
    assert html.count('data-testid="packing-slip"') == 2 and "print.css" in html
    response = owner_client.get(reverse("orders:pick_list"), {"ids": [a.pk, b.pk]})
    rows = {r["sku_code"]: r["quantity"] for r in response.context["rows"]}
    assert rows == {"TEE-W-M": 4, "MUG-1": 2}
    bulk = owner_client.post(reverse("orders:order_list"), {"action": "print_slips", "ids": [a.pk, b.pk]})
    assert bulk.status_code == 302 and "packing-slips" in bulk["Location"]


def test_work_queue_is_ordered_by_priority_with_the_reason(owner_client, owner, paid, sku, carrier):
    DispatchRule.objects.create(name="大客户", min_total=Decimal("150"), priority_boost=24, carrier=carrier)
    small = paid(("TEE-W-M", 1))
    big = paid(("TEE-W-M", 2))
    response = owner_client.get(reverse("orders:work_queue", args=["allocate"]))
    rows = response.context["rows"]
    assert [o.pk for o, _p in rows] == [big.pk, small.pk]
    assert rows[0][1]["boost"] == 24 and "大客户" in response.content.decode()
    big.refresh_from_db()
    assert big.preferred_carrier == carrier
    assert owner_client.get(reverse("orders:work_queue", args=["nope"])).status_code == 404


def test_hold_rule_sends_paid_orders_to_the_abnormal_queue(owner_client, owner, paid, sku):
    DispatchRule.objects.create(name="新疆人工审核", provinces="新疆", hold=True)
    order = paid(("TEE-W-M", 1))
    assert not Order.objects.get(pk=order.pk).is_abnormal
    services.order_address_change(
        order=order,
        actor=owner,
        name="A",
        phone="13900139000",
        province="新疆",
        city="乌鲁木齐",
        district="天山区",
        detail="人民路1号",
    )
    held = paid(("TEE-W-M", 1), note="b")
    Order.objects.filter(pk=held.pk).update(ship_province="新疆维吾尔自治区", status=S.PENDING_PAYMENT)
    held.refresh_from_db()
    services.order_mark_paid(order=held, amount=held.total, paid_at=timezone.now())
    response = owner_client.get(reverse("orders:abnormal_list"))
    assert [o.pk for o in response.context["page"].rows] == [held.pk]
    owner_client.post(reverse("orders:order_resolve", args=[held.pk]), {"note": "已核实"})
    assert not Order.objects.get(pk=held.pk).is_abnormal


def test_merge_preview_then_merge(owner_client, paid, sku):
    a, b = paid(("TEE-W-M", 1)), paid(("TEE-W-M", 2))
    preview = owner_client.get(reverse("orders:merge"))
    assert [[o.pk for o in g] for g in preview.context["candidates"]] == [[a.pk, b.pk]]
    preview = owner_client.get(reverse("orders:merge"), {"ids": [a.pk, b.pk]})
    assert preview.context["problems"] == []
    owner_client.post(reverse("orders:merge"), {"ids": [a.pk, b.pk]})
    assert Order.objects.get(pk=b.pk).merged_into_id == a.pk


def test_bulk_ship_from_csv_reports_each_row(owner_client, paid, sku, carrier):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a, b = paid(("TEE-W-M", 1)), paid(("TEE-W-M", 2))
    text = (
        f"订单号,快递,单号\n{a.number},sf,SF111111111111\n{b.number},sf,BAD\n999,sf,SF222222222222\n"
        f"{b.number},zz,SF333333333333\n"
    )
    upload = SimpleUploadedFile("ship.csv", text.encode("gb18030"), content_type="text/csv")
    response = owner_client.post(reverse("orders:ship_csv"), {"file": upload})
    report = response.context["report"]
    assert [r["ok"] for r in report] == [True, False, False, False]
    assert Order.objects.get(pk=a.pk).status == S.SHIPPED and Order.objects.get(pk=b.pk).status == S.PAID


def test_logistics_setup_pages_save_with_audit(owner_client):
    response = owner_client.post(
        reverse("orders:carrier_create"),
        {"name": "圆通", "code": "yto", "tracking_pattern": "YT\\d{13}", "tracking_url": "", "is_active": "on"},
    )
    assert response.status_code == 302 and Carrier.objects.filter(code="yto").exists()
    response = owner_client.post(
        reverse("orders:carrier_create"), {"name": "坏", "code": "bad", "tracking_pattern": "([", "is_active": "on"}
    )
    assert response.status_code == 200 and not Carrier.objects.filter(code="bad").exists()
    response = owner_client.post(
        reverse("orders:freight_create"),
        {
            "name": "默认运费",
            "basis": "weight",
            "first_units": "1",
            "first_fee": "10",
            "additional_units": "1",
            "additional_fee": "5",
            "remote_provinces": "新疆",
            "remote_surcharge": "15",
            "is_default": "on",
            "is_active": "on",
            "regions": "广东,广西; 8; 3\n",
        },
    )
    assert response.status_code == 302
    template = FreightTemplate.objects.get()
    assert [(r.provinces, r.first_fee) for r in template.regions.all()] == [("广东,广西", Decimal("8.00"))]
    assert AuditEntry.objects.filter(action__in=["orders.carrier_save", "orders.freight_template_save"]).count() == 2


def test_a_long_csv_ships_in_the_background_with_a_report(
    owner_client, paid, sku, carrier, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shop.models import JobRun

    order = paid(("TEE-W-M", 1))
    lines = [f"{order.number},sf,SF111111111111"] + [f"2026{i:014d},sf,SF{i:012d}" for i in range(150)]
    upload = SimpleUploadedFile("ship.csv", "\n".join(lines).encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("orders:ship_csv"), {"file": upload})
    run = JobRun.objects.get()
    assert response["Location"] == reverse("jobrun_detail", args=[run.pk])
    assert run.state == JobRun.State.DONE and run.done == run.total == 151
    assert list(run.result.values()) == [1, 150]
    assert run.output.read().decode("utf-8-sig").count("\n") == 152
    assert Order.objects.get(pk=order.pk).status == S.SHIPPED


def test_dashboard_shows_todays_paid_sales_and_what_waits(client_as, sku, paid):
    order = paid(("TEE-W-M", 2))
    response = client_as("finance").get("/")  # paid sales is finance's figure (issue 11, item 17)
    figures = {f["key"]: f["value"] for f in response.context["figures"]}
    assert figures["gmv"] == order.total and figures["paid_orders"] == 1
    from shop.templatetags.houtai import money

    assert money(order.total) in response.content.decode()
    work = {w["key"]: w["count"] for w in response.context["work"]}
    assert work["orders_allocate"] == 1 and work["orders_abnormal"] == 0


def test_a_number_prefix_finds_orders_placed_around_midnight_and_new_year(owner_client):
    """A prefix search bounds the placement time by the day in the number (orders.selectors._placed_near):
    an order placed at 00:01 on 1 January in Shanghai (still 31 December in UTC) is found by its year, and the
    one a minute before it by the previous year's last day."""
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    customer = Customer.objects.create(phone="13900000001", name="赵六")
    placed = {
        "202512310000000001": datetime(2025, 12, 31, 23, 59, tzinfo=shanghai),
        "202601010000000002": datetime(2026, 1, 1, 0, 1, tzinfo=shanghai),
    }
    for number, at in placed.items():
        Order.objects.create(
            number=number,
            customer=customer,
            payment_method="alipay",
            ship_name="赵六",
            ship_phone="13900000001",
            ship_province="上海",
            ship_city="市",
            ship_district="区",
            ship_detail="路1号",
            total=Decimal("1.00"),
            placed_at=at,
        )
    found = {
        q: {o.number for o in _list(owner_client, q=q).context["page"].rows}
        for q in ("2025", "2026", "20251231", "202601")
    }
    assert found == {
        "2025": {"202512310000000001"},
        "2026": {"202601010000000002"},
        "20251231": {"202512310000000001"},
        "202601": {"202601010000000002"},
    }
