"""The customer record and its addresses, as staff edit them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Customer, CustomerAddress, CustomerTag
from customers.services import (
    customer_address_delete,
    customer_address_save,
    customer_address_set_default,
    customer_tag_set,
    customer_update,
    customer_upsert,
)
from shop.errors import DomainError
from shop.models import AuditEntry

ADDRESS = {"name": "张三", "phone": "138 0013 8000", "province": "上海", "city": "上海市", "district": "浦东新区"}


def _address(customer, owner, detail, **extra):
    return customer_address_save(customer=customer, actor=owner, detail=detail, **ADDRESS, **extra)


def _defaults(customer):
    return list(CustomerAddress.objects.filter(customer=customer, is_default=True).values_list("detail", flat=True))


def test_a_duplicate_phone_is_refused_on_the_phone_field_and_nothing_is_written(owner):
    customer_upsert(phone="13900000000", name="李四")
    customer = customer_upsert(phone="13800138000", name="张三")
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as e:
        customer_update(customer=customer, actor=owner, name="张三丰", phone="139 0000 0000")
    assert "phone" in e.value.data["fields"]
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("张三", "13800138000")
    assert AuditEntry.objects.count() == audits


def test_the_edit_page_shows_the_duplicate_phone_beside_the_field(client_as):
    customer_upsert(phone="13900000000", name="李四")
    customer = customer_upsert(phone="13800138000", name="张三")
    response = client_as("customer_service").post(
        f"/customers/{customer.pk}/edit/",
        {"name": "张三", "phone": "13900000000", "gender": "male", "source": "web"},
    )
    assert response.status_code == 200
    assert "该手机号已属于其他客户" in response.content.decode()
    customer.refresh_from_db()
    assert customer.phone == "13800138000" and customer.gender == "unknown"


@pytest.mark.parametrize(
    "fields, key",
    [
        ({"birthday": timezone.localdate() + timedelta(days=1)}, "birthday"),
        ({"phone": "12345"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"blacklisted": True, "blacklist_reason": ""}, "blacklist_reason"),
    ],
)
def test_bad_profile_values_are_refused(owner, fields, key):
    customer = customer_upsert(phone="13800138000", name="张三")
    with pytest.raises(DomainError) as e:
        customer_update(customer=customer, actor=owner, gender="female", **fields)
    assert key in e.value.data["fields"]
    customer.refresh_from_db()
    assert customer.gender == "unknown" and customer.birthday is None and not customer.blacklisted


def test_a_profile_edit_is_saved_and_audited(owner):
    customer = customer_upsert(phone="13800138000", name="张三")
    birthday = timezone.localdate() - timedelta(days=365 * 30)
    customer_update(
        customer=customer,
        actor=owner,
        phone="+86 139 1234 5678",
        gender="male",
        birthday=birthday,
        source="mini_program",
        blacklisted=True,
        blacklist_reason="恶意退货",
    )
    customer.refresh_from_db()
    assert (customer.phone, customer.gender, customer.birthday, customer.source) == (
        "13912345678",
        "male",
        birthday,
        "mini_program",
    )
    assert customer.blacklisted and customer.blacklist_reason == "恶意退货"
    assert AuditEntry.objects.filter(action="customers.update", object_id=str(customer.pk)).exists()


def test_the_first_address_is_the_default_and_set_default_keeps_exactly_one(owner):
    customer = customer_upsert(phone="13800138000", name="张三")
    first = _address(customer, owner, "一号")
    second = _address(customer, owner, "二号")
    assert first.phone == "13800138000"
    assert _defaults(customer) == ["一号"]
    customer_address_set_default(address=second, actor=owner)
    assert _defaults(customer) == ["二号"]
    _address(customer, owner, "三号", is_default=True)
    assert _defaults(customer) == ["三号"]


def test_deleting_the_default_promotes_another(owner):
    customer = customer_upsert(phone="13800138000", name="张三")
    first = _address(customer, owner, "一号")
    _address(customer, owner, "二号")
    _address(customer, owner, "三号")
    customer_address_delete(address=first, actor=owner)
    assert _defaults(customer) == ["二号"]
    assert CustomerAddress.objects.filter(customer=customer).count() == 2


def test_a_bad_address_phone_is_refused_and_nothing_is_written(owner):
    customer = customer_upsert(phone="13800138000", name="张三")
    with pytest.raises(DomainError) as e:
        customer_address_save(customer=customer, actor=owner, detail="一号", **{**ADDRESS, "phone": "abc"})
    assert "phone" in e.value.data["fields"]
    assert not CustomerAddress.objects.exists()


def test_address_pages_add_make_default_and_delete(client_as):
    customer = customer_upsert(phone="13800138000", name="张三")
    client = client_as("operations")
    data = {**ADDRESS, "postcode": "200120"}
    assert client.post(f"/customers/{customer.pk}/addresses/new/", {**data, "detail": "一号"}).status_code == 302
    assert client.post(f"/customers/{customer.pk}/addresses/new/", {**data, "detail": "二号"}).status_code == 302
    second = CustomerAddress.objects.get(detail="二号")
    assert client.post(f"/customers/addresses/{second.pk}/default/").status_code == 302
    assert _defaults(customer) == ["二号"]
    assert client.post(f"/customers/addresses/{second.pk}/delete/").status_code == 302
    assert _defaults(customer) == ["一号"]
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "一号" in html and f"/customers/addresses/{second.pk}/edit/" not in html


def test_tags_are_set_by_name_and_filter_the_list(owner, client_as):
    vip = customer_upsert(phone="13800138000", name="张三")
    other = customer_upsert(phone="13900000000", name="李四")
    customer_tag_set(customer=vip, actor=owner, tags="VIP, 老客户，VIP")
    customer_tag_set(customer=other, actor=owner, tags=["老客户"])
    assert sorted(vip.tags.values_list("name", flat=True)) == ["VIP", "老客户"]
    assert CustomerTag.objects.count() == 2
    tag = CustomerTag.objects.get(name="VIP")
    html = client_as("marketing").get("/customers/", {"tags": tag.pk}).content.decode()
    assert "张三" in html and "李四" not in html


def test_the_list_filters_by_gender_source_and_blacklist(owner, client_as):
    a = customer_upsert(phone="13800138000", name="张三")
    customer_upsert(phone="13900000000", name="李四")
    customer_update(customer=a, actor=owner, gender="female", source="app", blacklisted=True, blacklist_reason="刷单")
    client = client_as("operations")
    for query in ({"gender": "female"}, {"source": "app"}, {"blacklisted": "true"}):
        html = client.get("/customers/", query).content.decode()
        assert "张三" in html and "李四" not in html, query


@pytest.mark.parametrize(
    "role, status",
    [("owner", 200), ("operations", 200), ("customer_service", 200), ("marketing", 403), ("warehouse", 403)],
)
def test_the_edit_page_per_role(client_as, role, status):
    customer = customer_upsert(phone="13800138000", name="张三")
    client = client_as(role)
    assert client.get(f"/customers/{customer.pk}/edit/").status_code == status
    assert client.get(f"/customers/{customer.pk}/tags/").status_code == status


def test_one_default_per_customer_is_enforced_by_the_database(db):
    from django.db import IntegrityError, transaction

    customer = Customer.objects.create(phone="13800138000", name="张三")
    CustomerAddress.objects.create(customer=customer, is_default=True, detail="一号", **ADDRESS)
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerAddress.objects.create(customer=customer, is_default=True, detail="二号", **ADDRESS)


def test_the_csv_export_carries_the_new_columns(owner, client_as):
    customer = customer_upsert(phone="13800138000", name="张三")
    customer_update(customer=customer, actor=owner, gender="female", source="app")
    customer_tag_set(customer=customer, actor=owner, tags="VIP")
    response = client_as("marketing").get("/customers/", {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming else response.content.decode()
    assert "女" in body and "App" in body and "VIP" in body
