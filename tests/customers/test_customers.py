import pytest

from customers.models import Customer
from customers.services import customer_upsert
from shop.errors import DomainError


@pytest.mark.parametrize("raw", ["13800138000", "+86 138 0013 8000", "138-0013-8000", "0086 13800138000"])
def test_the_same_mobile_written_many_ways_is_one_customer(db, raw):
    first = customer_upsert(phone="13800138000", name="张三")
    assert customer_upsert(phone=raw, name="张三") == first
    assert Customer.objects.count() == 1


def test_a_new_name_updates_the_customer(db):
    customer_upsert(phone="13800138000", name="张三")
    customer = customer_upsert(phone="13800138000", name="张三丰", email="z@example.com")
    assert customer.name == "张三丰" and customer.email == "z@example.com"


@pytest.mark.parametrize("phone", ["12345", "23800138000", "1380013800a", "", "138001380001"])
def test_malformed_phones_are_refused(db, phone):
    with pytest.raises(DomainError) as e:
        customer_upsert(phone=phone, name="x")
    assert e.value.code == "invalid_phone"
    assert not Customer.objects.exists()


def test_customer_list_searches_by_phone_prefix_and_masks_it(client_as):
    customer_upsert(phone="13912345678", name="李四")
    customer_upsert(phone="13800000000", name="王五")
    html = client_as("customer_service").get("/customers/", {"q": "139"}).content.decode()
    assert "李四" in html and "王五" not in html and "139****5678" in html


def test_customer_list_finds_a_phone_by_its_whole_number_or_last_4_digits_for_everyone(client_as):
    customer_upsert(phone="13912345678", name="李四")
    customer_upsert(phone="13856780000", name="王五")
    customer_upsert(phone="13800005678", name="张三")

    def names(client, q):
        return {c.name for c in client.get("/customers/", {"q": q}).context["page"].rows}

    marketing = client_as("marketing")  # sees masked numbers
    assert names(marketing, "139 1234 5678") == {"李四"}
    assert names(marketing, "5678") == {"李四", "张三"}  # 尾号: the masked number shows them anyway
    assert names(marketing, "1385678") == set()  # no prefix: typing on cannot spell out a number
    service = client_as("customer_service")  # sees full numbers
    assert names(service, "139 1234 5678") == {"李四"}
    assert names(service, "5678") == {"李四", "张三"}
    assert names(service, "1385678") == {"王五"}
    assert names(service, "李") == {"李四"}


def test_the_dashboard_counts_new_customers_for_roles_that_see_customers(client_as, make_staff, client):
    customer_upsert(phone="13912345678", name="李四")
    html = client_as("customer_service").get("/").content.decode()
    assert 'data-figure="new_customers"' in html
    client.force_login(make_staff("warehouse", username="wh"))
    assert 'data-figure="new_customers"' not in client.get("/").content.decode()
