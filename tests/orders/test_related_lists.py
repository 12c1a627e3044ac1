"""Related lists on the order and customer pages are bounded: the first rows and a link to all of them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import services

pytestmark = pytest.mark.django_db


def _section(html, key):
    return html.split(f'data-testid="related-{key}"', 1)[1].split("</section>", 1)[0]


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_order_timeline_shows_the_latest_twenty_and_links_to_the_full_timeline(owner_client, owner, place, sku):
    order = place((sku.code, 1))
    before = order.events.count()
    for n in range(30):
        services.order_note_add(order=order, actor=owner, text=f"备注{n:02d}")
    total = before + 30
    html = owner_client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    timeline = _section(html, "timeline")
    assert timeline.count("<li") == 20
    assert "备注29" in timeline and "备注09" not in timeline  # the latest first
    full = reverse("orders:order_timeline", args=[order.pk])
    assert f'href="{full}"' in timeline and f"({total})" in timeline
    page = owner_client.get(full + "?per_page=50").content.decode()
    for n in range(30):
        assert f"备注{n:02d}" in page


def test_order_page_query_count_does_not_grow_with_its_timeline(owner_client, owner, place, sku):
    order = place((sku.code, 1))
    url = reverse("orders:order_detail", args=[order.pk])
    for n in range(25):
        services.order_note_add(order=order, actor=owner, text=f"n{n}")
    owner_client.get(url)
    few = _queries(owner_client, url)
    for n in range(40):
        services.order_note_add(order=order, actor=owner, text=f"m{n}")
    assert _queries(owner_client, url) == few


def test_customer_page_shows_twenty_orders_and_links_to_the_order_list_filtered_by_the_customer(
    owner_client, place, sku, make_sku
):
    stocked = make_sku("MANY", stock=100)
    orders = [place((stocked.code, 1)) for _n in range(30)]
    other = place((sku.code, 1), customer={"phone": "13900139000", "name": "李四"})
    customer = orders[0].customer
    html = owner_client.get(reverse("customers:customer_detail", args=[customer.pk])).content.decode()
    section = _section(html, "customer-orders")
    numbers = re.findall(r">(\d{10,})<", section)
    assert len(numbers) == 20
    assert orders[-1].number in numbers  # newest first
    link = f"{reverse('orders:order_list')}?customer={customer.pk}"
    assert f'href="{link}"' in section and "(30)" in section
    page = owner_client.get(link + "&per_page=50").content.decode()
    for order in orders:
        assert order.number in page
    assert other.number not in page


def test_customer_page_query_count_does_not_grow_with_the_orders(owner_client, place, make_sku):
    stocked = make_sku("MANY", stock=100)
    orders = [place((stocked.code, 1)) for _n in range(22)]
    url = reverse("customers:customer_detail", args=[orders[0].customer.pk])
    owner_client.get(url)
    few = _queries(owner_client, url)
    for _n in range(20):
        place((stocked.code, 1))
    assert _queries(owner_client, url) == few


def test_customer_page_shows_no_orders_to_a_role_that_cannot_view_orders(client, make_staff, place, sku):
    order = place((sku.code, 1))
    user = make_staff("marketing")
    assert not user.has_perm("orders.view_order")
    client.force_login(user)
    html = client.get(reverse("customers:customer_detail", args=[order.customer.pk])).content.decode()
    assert "related-customer-orders" not in html
