"""Group buys: open a group of an activity or join an open group at intake; paid members wait (held) until
the group is full; an unfilled group fails at its deadline and its paid members are refunded, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketing import groupbuy
from marketing.models import GroupBuy, GroupBuyGroup, GroupBuyMember
from orders import services
from orders.models import Order
from payments.models import Refund
from shop.errors import DomainError
from shop.models import AuditEntry
from tests.marketing.flash.conftest import make_group_buy, pay, place

pytestmark = pytest.mark.usefixtures("seeded")


def test_opening_a_group_prices_the_order_at_the_group_price(make_sku):
    sku = make_sku("GB-1", price="99.00")
    activity = make_group_buy(sku, size=2, price="59.00")
    order = place("GB-1", group_buy_id=activity.pk)
    group = GroupBuyGroup.objects.get()
    assert str(order.subtotal) == "59.00"
    assert order.group_buy_id == group.pk != activity.pk  # the order names its group
    assert (group.joined, group.size, group.status) == (1, 2, "open")
    assert GroupBuyMember.objects.get().is_leader


def test_joining_fills_the_group_and_a_full_group_refuses_more(make_sku):
    sku = make_sku("GB-2")
    activity = make_group_buy(sku, size=2)
    first = place("GB-2", group_buy_id=activity.pk)
    place("GB-2", group_buy_id=first.group_buy_id, phone="13900139001")
    with pytest.raises(DomainError) as caught:
        place("GB-2", group_buy_id=first.group_buy_id, phone="13900139002")
    assert (caught.value.code, caught.value.status) == ("group_full", 409)


def test_paid_members_wait_until_the_group_is_full_then_proceed(make_sku, django_capture_on_commit_callbacks):
    sku = make_sku("GB-3")
    activity = make_group_buy(sku, size=2)
    first = place("GB-3", group_buy_id=activity.pk)
    with django_capture_on_commit_callbacks(execute=True):
        pay(first)
    first.refresh_from_db()
    assert first.status == Order.Status.PAID
    assert (first.is_abnormal, first.abnormal_reason) == (True, Order.Abnormal.GROUP_BUY)
    with pytest.raises(DomainError) as caught:  # it must not go to the warehouse while the group is not full
        services.order_allocate(order=first, actor="test")
    assert caught.value.code == "on_hold"
    with pytest.raises(DomainError) as caught:
        services.order_clear_abnormal(order=first, actor="test")
    assert caught.value.code == "group_buy_waiting"
    second = place("GB-3", group_buy_id=first.group_buy_id, phone="13900139001")
    with django_capture_on_commit_callbacks(execute=True):
        pay(second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.is_abnormal and not second.is_abnormal
    services.order_allocate(order=first, actor="test")
    group = GroupBuyGroup.objects.get()
    assert (group.status, group.paid) == ("succeeded", 2)
    assert AuditEntry.objects.filter(action="marketing.group_succeeded").exists()


def test_an_unpaid_member_who_drops_out_gives_the_seat_back(make_sku):
    sku = make_sku("GB-4")
    activity = make_group_buy(sku, size=2)
    first = place("GB-4", group_buy_id=activity.pk)
    second = place("GB-4", group_buy_id=first.group_buy_id, phone="13900139001")
    services.order_cancel(order=second, actor="test", reason="不要了", by_customer=True)
    assert GroupBuyGroup.objects.get().joined == 1
    place("GB-4", group_buy_id=first.group_buy_id, phone="13900139002")  # the seat is free again


def test_the_deadline_fails_the_group_and_refunds_paid_members_once(make_sku, django_capture_on_commit_callbacks):
    sku = make_sku("GB-5")
    activity = make_group_buy(sku, size=3, hours=2)
    paid_one = place("GB-5", group_buy_id=activity.pk)
    paid_two = place("GB-5", group_buy_id=paid_one.group_buy_id, phone="13900139001")
    unpaid = place("GB-5", group_buy_id=paid_one.group_buy_id, phone="13900139002", method="wechat")
    with django_capture_on_commit_callbacks(execute=True):
        pay(paid_one)
        pay(paid_two)
    group = GroupBuyGroup.objects.get()
    later = group.deadline + timedelta(minutes=1)
    assert groupbuy.group_buys_fail_due(now=later - timedelta(hours=1)) == {"failed": 0, "orders": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert groupbuy.group_buys_fail_due(now=later) == {"failed": 1, "orders": 3}
    with django_capture_on_commit_callbacks(execute=True):
        assert groupbuy.group_buys_fail_due(now=later) == {"failed": 0, "orders": 0}  # idempotent
    group.refresh_from_db()
    assert group.status == "failed"
    statuses = dict(Order.objects.values_list("number", "status"))
    assert statuses[paid_one.number] == statuses[paid_two.number] == Order.Status.CANCELLED
    assert statuses[unpaid.number] == Order.Status.CLOSED
    refunds = Refund.objects.order_by("order_id")
    assert [(r.order_id, r.amount) for r in refunds] == [(paid_one.pk, paid_one.total), (paid_two.pk, paid_two.total)]
    assert AuditEntry.objects.filter(action="marketing.group_failed").count() == 1
    assert set(GroupBuyMember.objects.values_list("status", flat=True)) == {"failed"}


def test_a_paid_member_cancelled_again_is_refunded_once(make_sku, django_capture_on_commit_callbacks):
    sku = make_sku("GB-6")
    activity = make_group_buy(sku, size=2, hours=1)
    order = place("GB-6", group_buy_id=activity.pk)
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    deadline = GroupBuyGroup.objects.get().deadline + timedelta(seconds=1)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            groupbuy.group_buys_fail_due(now=deadline)
            groupbuy._fail_group(order.group_buy_id, deadline)  # run twice, even by hand
    assert Refund.objects.filter(order=order).count() == 1


def test_refusals_say_why(make_sku):
    sku = make_sku("GB-7")
    other = make_sku("GB-8")
    activity = make_group_buy(sku, size=2)
    for kwargs, code, status in [
        ({"group_buy_id": 987_654}, "group_buy_unknown", 422),
        ({"group_buy_id": activity.pk, "method": "cod"}, "group_buy_cod", 422),
    ]:
        with pytest.raises(DomainError) as caught:
            place("GB-7", **kwargs)
        assert (caught.value.code, caught.value.status) == (code, status)
    with pytest.raises(DomainError) as caught:
        place(other.code, group_buy_id=activity.pk)
    assert caught.value.code == "group_buy_sku"
    first = place("GB-7", group_buy_id=activity.pk)
    with pytest.raises(DomainError) as caught:
        place("GB-7", group_buy_id=first.group_buy_id)  # the same customer twice
    assert caught.value.code == "group_member_already"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"group_size": 1}, "group_size"),
        ({"group_price": "500.00"}, "group_price"),
        ({"ends_at": "before"}, "ends_at"),
        ({"name": ""}, "name"),
        ({"sku": "NOPE"}, "sku"),
    ],
)
def test_bad_activity_input_is_named_and_nothing_is_written(make_sku, change, field):
    sku = make_sku(price="100.00")
    now = timezone.now()
    args = {
        "name": "团",
        "sku": sku,
        "group_size": 2,
        "group_price": "50.00",
        "starts_at": now,
        "ends_at": now + timedelta(days=1),
        **change,
    }
    if args["ends_at"] == "before":
        args["ends_at"] = now - timedelta(hours=1)
    with pytest.raises(DomainError) as caught:
        groupbuy.group_buy_save(actor="test", **args)
    assert field in caught.value.data["fields"]
    assert not GroupBuy.objects.exists()


def test_the_api_opens_and_joins_a_group_and_documents_the_field(client, make_sku):
    from shop.services import apikey_create

    activity = make_group_buy(make_sku("GB-API"))
    _key, plain = apikey_create(actor=None, name="storefront", scopes=["orders:write", "orders:read"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}

    def post(group_buy_id, phone, external_id):
        data = {
            "external_id": external_id,
            "customer": {"phone": phone, "name": "买家"},
            "shipping_address": {
                "name": "张三",
                "phone": "13800138000",
                "province": "上海",
                "city": "上海市",
                "district": "浦东新区",
                "detail": "世纪大道100号",
            },
            "lines": [{"sku": activity.sku.code, "quantity": 1}],
            "payment_method": "alipay",
            "group_buy_id": group_buy_id,
        }
        return client.post("/api/v1/orders", data, content_type="application/json", **headers)

    opened = post(activity.pk, "13800138000", "API-1")
    assert opened.status_code == 201, opened.content
    group_id = opened.json()["group_buy_id"]
    assert group_id != activity.pk
    joined = post(group_id, "13900139001", "API-2")
    assert joined.status_code == 201 and joined.json()["group_buy_id"] == group_id
    full = post(group_id, "13900139002", "API-3")
    assert full.status_code == 409 and full.json()["error"]["code"] == "group_full"
    unknown = post(987_654_321, "13900139003", "API-4")
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "group_buy_unknown"
    schema = client.get("/api/v1/openapi.json").json()
    assert "opens a new group" in json_dump(schema)


def json_dump(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
