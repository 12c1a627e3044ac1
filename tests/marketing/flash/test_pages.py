"""The flash-sale and group-buy staff pages: lists, forms with inline messages, live counts; nothing written on
bad input."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketing.models import FlashSaleItem, FlashSession, GroupBuy
from shop.models import AuditEntry
from tests.marketing.flash.conftest import make_group_buy, running_session

WHEN = "%Y-%m-%dT%H:%M"


def _times(start_in=timedelta(minutes=-5), length=timedelta(hours=1)):
    start = timezone.localtime() + start_in
    return {"starts_at": start.strftime(WHEN), "ends_at": (start + length).strftime(WHEN)}


def test_a_session_is_created_and_its_skus_added_with_live_counts(owner_client, make_sku):
    sku = make_sku("PG-1", stock=10)
    response = owner_client.post(reverse("marketing:flash_session_create"), {"name": "十点场", **_times()})
    session = FlashSession.objects.get()
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    add = reverse("marketing:flash_item_add", args=[session.pk])
    response = owner_client.post(add, {"sku": "PG-1", "sale_price": "9.90", "quantity": "4", "per_customer_limit": "1"})
    assert response.status_code == 302
    page = owner_client.get(session.get_absolute_url()).content.decode()
    assert "PG-1" in page and "every 5s" in page
    partial = owner_client.get(session.get_absolute_url() + "?partial=items").content.decode()
    assert "PG-1" in partial and "<html" not in partial
    listing = owner_client.get(reverse("marketing:flash_session_list")).content.decode()
    assert "十点场" in listing
    assert owner_client.get(reverse("marketing:flash_session_list") + "?status=running").status_code == 200
    assert AuditEntry.objects.filter(action="marketing.flash_session_save").exists()
    assert sku.pk == FlashSaleItem.objects.get().sku_id


def test_bad_session_and_sku_input_shows_messages_and_writes_nothing(owner_client, make_sku):
    make_sku("PG-2", stock=3)
    times = _times()
    response = owner_client.post(
        reverse("marketing:flash_session_create"),
        {"name": "场", "starts_at": times["ends_at"], "ends_at": times["starts_at"]},
    )
    assert response.status_code == 200 and "ends_at" in response.context["form"].errors
    assert not FlashSession.objects.exists()
    session, _item = running_session(make_sku("PG-3", stock=5), quantity=1)
    add = reverse("marketing:flash_item_add", args=[session.pk])
    response = owner_client.post(add, {"sku": "PG-2", "sale_price": "1.00", "quantity": "4", "per_customer_limit": "1"})
    assert response.status_code == 200 and "quantity" in response.context["item_form"].errors
    assert FlashSaleItem.objects.count() == 1


def test_group_buy_pages(owner_client, make_sku):
    make_sku("PG-4", price="100.00")
    data = {"name": "两人团", "sku": "PG-4", "group_price": "59.00", "fill_hours": "24", **_times()}
    response = owner_client.post(reverse("marketing:group_buy_create"), {**data, "group_size": "1"})
    assert response.status_code == 200 and "group_size" in response.context["form"].errors
    assert not GroupBuy.objects.exists()
    response = owner_client.post(reverse("marketing:group_buy_create"), {**data, "group_size": "2"})
    activity = GroupBuy.objects.get()
    assert response.status_code == 302
    page = owner_client.get(activity.get_absolute_url()).content.decode()
    assert "No groups yet." in page
    assert "两人团" in owner_client.get(reverse("marketing:group_buy_list")).content.decode()


@pytest.mark.usefixtures("seeded")
def test_the_group_page_lists_groups_and_members(owner_client, make_sku):
    from tests.marketing.flash.conftest import place

    sku = make_sku("PG-5")
    activity = make_group_buy(sku)
    order = place("PG-5", group_buy_id=activity.pk)
    page = owner_client.get(activity.get_absolute_url()).content.decode()
    assert order.number in page and str(order.group_buy_id) in page
