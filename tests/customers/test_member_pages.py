"""The customer list's member filters and sorts, the customer page's figures, and the RFM page."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Customer, CustomerAddress, RfmSegment
from customers.services import rfm_and_tiers_recompute
from orders.models import Order
from tests.customers.tiers_data import make_customer, make_order, make_tiers

pytestmark = pytest.mark.django_db


def names(response):
    return [row.name for row in response.context["page"].rows]


@pytest.fixture
def members():
    tiers = make_tiers()
    big = make_customer("大客户")
    make_order(big, "15000", days_ago=2)
    mid = make_customer("中客户")
    make_order(mid, "1500", days_ago=100)
    make_order(mid, "900", days_ago=500)
    small = make_customer("小客户")
    make_order(small, "20", days_ago=300)
    never = make_customer("新客户")
    for customer, province in ((big, "广东省"), (mid, "浙江"), (small, "广东")):
        CustomerAddress.objects.create(
            customer=customer,
            name="张三",
            phone="13800138000",
            province=province,
            city="市",
            district="区",
            detail="路1号",
            is_default=True,
        )
    CustomerAddress.objects.create(  # not the default address: does not count
        customer=never, name="李四", phone="13800138001", province="广东", city="市", district="区", detail="路2号"
    )
    rfm_and_tiers_recompute()
    return {"tiers": tiers, "big": big, "mid": mid, "small": small, "never": never}


def test_filter_by_tier_and_by_no_tier(owner_client, members):
    tiers = members["tiers"]
    assert names(owner_client.get("/customers/", {"tier": tiers["diamond"].pk})) == [members["big"].name]
    assert names(owner_client.get("/customers/", {"tier": tiers["silver"].pk})) == [members["mid"].name]
    assert set(names(owner_client.get("/customers/", {"tier": "null"}))) == {
        members["small"].name,
        members["never"].name,
    }


def test_filter_by_segment_province_spend_and_last_order(owner_client, members):
    # big: the latest, one order, the most spent (R5 F1 M5); mid: two orders (R3 F5 M3); small (R1 F1 M1).
    big, mid = (Customer.objects.get(pk=members[k].pk) for k in ("big", "mid"))
    assert (big.rfm_r, big.rfm_f, big.rfm_m, big.rfm_segment) == (5, 1, 5, RfmSegment.DEVELOP)
    assert (mid.rfm_r, mid.rfm_f, mid.rfm_m, mid.rfm_segment) == (3, 5, 3, RfmSegment.CHAMPION)
    assert names(owner_client.get("/customers/", {"rfm_segment": "develop"})) == [big.name]
    assert names(owner_client.get("/customers/", {"rfm_segment": "champion"})) == [mid.name]
    assert set(names(owner_client.get("/customers/", {"province": "广东"}))) == {big.name, members["small"].name}
    assert names(owner_client.get("/customers/", {"spend_12m_min": "1000", "spend_12m_max": "2000"})) == [
        members["mid"].name
    ]
    assert names(owner_client.get("/customers/", {"spend_min": "2000", "spend_max": "3000"})) == [members["mid"].name]
    small_day = timezone.localdate(Customer.objects.get(pk=members["small"].pk).last_order_at)
    response = owner_client.get("/customers/", {"last_order_from": small_day, "last_order_to": small_day})
    assert names(response) == [members["small"].name]


def test_bad_filter_values_show_a_message_not_an_error(owner_client, members):
    response = owner_client.get("/customers/", {"spend_min": "-5", "tier": "999999", "last_order_from": "x"})
    assert response.status_code == 200
    assert names(response) == []


def test_sort_by_spend_and_by_last_order(owner_client, members):
    assert names(owner_client.get("/customers/", {"o": "-lifetime_spend"}))[:3] == [
        members["big"].name,
        members["mid"].name,
        members["small"].name,
    ]
    by_last = names(owner_client.get("/customers/", {"o": "-last_order_at"}))
    assert by_last == [members[k].name for k in ("big", "mid", "small", "never")]  # no order: last
    second = owner_client.get("/customers/", {"o": "-spend_12m", "per_page": "20"})
    assert names(second)[0] == members["big"].name


def test_the_csv_carries_tier_segment_and_spend(owner_client, members):
    response = owner_client.get("/customers/", {"export": "csv", "tier": members["tiers"]["diamond"].pk})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2
    assert "钻石" in rows[1] and "15000.00" in rows[1]
    assert str(Customer.objects.get(pk=members["big"].pk).get_rfm_segment_display()) in rows[1]


def _queries(client, path, params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return len(captured)


def test_the_filtered_list_costs_the_same_queries_at_20_and_200_rows(owner_client):
    tiers = make_tiers()
    Customer.objects.bulk_create(
        Customer(phone=f"137{i:08d}", name=f"会员{i}", tier=tiers["gold"], rfm_segment="keep") for i in range(210)
    )
    params = {"tier": tiers["gold"].pk, "rfm_segment": "keep", "o": "-spend_12m"}
    owner_client.get("/customers/")  # the first request creates the store settings row
    small = _queries(owner_client, "/customers/", {**params, "per_page": 20})
    large = _queries(owner_client, "/customers/", {**params, "per_page": 200})
    assert small == large


def test_the_customer_page_figures_are_read_in_a_bounded_query(owner_client):
    make_tiers()
    customer = make_customer()
    make_order(customer, "100.00", days_ago=400)
    make_order(customer, "300.01", days_ago=10)
    make_order(customer, "77", days_ago=1, status=Order.Status.CANCELLED)
    response = owner_client.get(f"/customers/{customer.pk}/")
    figures = response.context["figures"]
    assert figures["order_count"] == 2 and figures["orders_12m"] == 1
    assert figures["spend"] == Decimal("400.01") and figures["spend_12m"] == Decimal("300.01")
    assert figures["average_order"] == Decimal("200.01")  # 200.005 rounds half-up
    for _ in range(25):  # past the orders panel's first page, which counts its rows from then on
        make_order(customer, "10", days_ago=5)
    few = _queries(owner_client, f"/customers/{customer.pk}/", {})
    for _ in range(60):
        make_order(customer, "10", days_ago=5)
    assert _queries(owner_client, f"/customers/{customer.pk}/", {}) == few


def test_the_rfm_page_sums_each_segment_and_links_to_its_customers(owner_client, members):
    response = owner_client.get("/customers/rfm/")
    segments = {s["code"]: s for s in response.context["segments"]}
    assert len(segments) == 8
    champion, develop = segments["champion"], segments["develop"]
    assert (champion["customers"], champion["total"], champion["average"]) == (1, Decimal("2400"), Decimal("2400.00"))
    assert (develop["customers"], develop["average"]) == (1, Decimal("15000.00"))
    assert sum(s["customers"] for s in segments.values()) == 3
    assert segments["keep"]["average"] is None
    assert "/customers/?rfm_segment=champion" in response.content.decode()
    assert 'data-testid="rfm-recompute"' in response.content.decode()


def test_recompute_now_runs_the_job_for_those_who_may(owner_client, client_as, members):
    customer = make_customer()
    make_order(customer, "50000", days_ago=1)
    response = owner_client.post("/customers/rfm/recompute/", follow=True)
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.tier.name == "钻石"
    marketing = client_as("marketing")
    assert 'data-testid="rfm-recompute"' not in marketing.get("/customers/rfm/").content.decode()
    assert marketing.post("/customers/rfm/recompute/").status_code == 403
