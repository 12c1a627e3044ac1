"""Privacy (issue 12): phone numbers masked per role on every page and export, audited reveals and exports,
one customer's data file, and erasure on request that keeps orders, payments and ledgers consistent."""

import csv
import importlib
import io
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db.models import Sum

from catalog.models import Product, Sku
from customers import privacy
from customers.models import Customer, CustomerAddress, CustomerErasure
from customers.services import (
    customer_address_save,
    customer_data_export,
    customer_erase,
    customer_tag_set,
    customer_update,
    customer_upsert,
)
from customers.signals import customer_erased
from inventory.models import StockMovement, Warehouse
from inventory.services import stock_receive
from orders import services as order_services
from orders.models import Carrier, Order, OrderEvent, OrderLine
from orders.services import order_address_change, order_place
from payments.gateways import sign
from payments.models import Payment
from shop.china import mask_phone
from shop.errors import DomainError
from shop.models import AuditEntry

CUSTOMER_PHONE, ADDRESS_PHONE, SHIP_PHONE = "13912345678", "13712345678", "13612345678"
PHONES = (CUSTOMER_PHONE, ADDRESS_PHONE, SHIP_PHONE)
REVEALERS = {"owner", "operations", "customer_service"}  # who holds customers.reveal_phone
CUSTOMER_READERS = {"owner", "operations", "customer_service", "marketing"}
ORDER_READERS = {"owner", "operations", "warehouse", "customer_service", "finance"}
SECRET = "test-secret-alipay"


@pytest.fixture
def shop_data(db, owner, monkeypatch):
    """One customer with an address and a tag, and two paid orders of theirs (one paid by callback)."""
    monkeypatch.setenv("PAYMENT_SECRET_ALIPAY", SECRET)
    importlib.import_module("payments.migrations.0002_seed").seed(apps, None)
    product = Product.objects.create(code="P-PRIV", name="纯棉T恤", status=Product.Status.PUBLISHED)
    sku = Sku.objects.create(product=product, code="PRIV-M", price=Decimal("99.50"))
    warehouse = Warehouse.objects.create(code="SH", name="上海仓", province="上海", city="上海")
    stock_receive(sku=sku, warehouse=warehouse, quantity=50, actor=None)
    customer = customer_upsert(phone=CUSTOMER_PHONE, name="王小明", email="wang@example.com")
    customer_address_save(
        customer=customer,
        actor=owner,
        name="王小明",
        phone=ADDRESS_PHONE,
        province="上海",
        city="上海市",
        district="徐汇区",
        detail="漕溪北路 88 号",
    )
    customer_tag_set(customer=customer, actor=owner, tags="VIP")
    orders = []
    for n in (1, 2):
        order, _created = order_place(
            customer={"phone": CUSTOMER_PHONE, "name": "王小明"},
            shipping_address={
                "name": "王小明",
                "phone": SHIP_PHONE,
                "province": "上海",
                "city": "上海市",
                "district": "徐汇区",
                "detail": "漕溪北路 88 号",
                "postcode": "200030",
            },
            lines=[(sku.code, n)],
            payment_method="alipay",
            note="请放门口",
        )
        orders.append(order)
    from payments.services import payment_callback_handle

    body = json.dumps(
        {
            "order_number": orders[0].number,
            "transaction_id": "TX-PRIV-1",
            "amount": str(orders[0].total),
            "status": "success",
            "paid_at": orders[0].placed_at.isoformat(),
        }
    ).encode()
    payment_callback_handle(provider="alipay", body=body, signature=sign(SECRET, body))
    for order in orders:
        order.refresh_from_db()
    return {"customer": customer, "orders": orders, "sku": sku}


def _login(client, make_staff, role):
    client.force_login(make_staff(role, username=f"{role}_privacy"))
    return client


def _text(response):
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def _no_full_phone(html):
    return [p for p in PHONES if p in html]


def _exports():
    return AuditEntry.objects.filter(action="customers.phones_exported")


# -- the masking rule ----------------------------------------------------------------------------------
def test_mask_phone_keeps_the_first_three_and_last_four():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("021-6288 8888") == "021****8888"
    assert mask_phone("12345") == "****"
    assert mask_phone("") == ""
    assert mask_phone("erased-12") == "erased-12"  # an erased customer's placeholder is no phone


def test_who_may_see_full_phone_numbers_and_who_erases(make_staff):
    """The role decisions: warehouse prints masked labels (隐私面单), finance and marketing never call customers;
    a customer's data file is the owner's and customer service's; erasure the owner's alone."""
    for role, reveal, data, erase in [
        ("owner", True, True, True),
        ("operations", True, False, False),
        ("customer_service", True, True, False),
        ("warehouse", False, False, False),
        ("finance", False, False, False),
        ("marketing", False, False, False),
    ]:
        user = make_staff(role, username=f"rules_{role}")
        held = (user.has_perm(privacy.REVEAL), user.has_perm(privacy.EXPORT_DATA), user.has_perm(privacy.ERASE))
        assert held == (reveal, data, erase), role
    assert Group.objects.get(name="operations").permissions.filter(codename="change_customer").exists()


# -- every page and export, per role ---------------------------------------------------------------------
@pytest.mark.parametrize("role", sorted(CUSTOMER_READERS))
def test_the_customer_page_and_list_show_masked_numbers_with_a_reveal_button_for_revealers(
    client, make_staff, shop_data, role
):
    client = _login(client, make_staff, role)
    customer = shop_data["customer"]
    for path in (f"/customers/{customer.pk}/", "/customers/"):
        html = _text(client.get(path))
        assert _no_full_phone(html) == [], f"{role} {path}"
        assert "139****5678" in html
        assert ('hx-post="/customers/phones/reveal/"' in html) == (role in REVEALERS), f"{role} {path}"
    assert "137****5678" in _text(client.get(f"/customers/{customer.pk}/"))
    assert not AuditEntry.objects.filter(action="customers.phone_revealed").exists()


@pytest.mark.parametrize("role", sorted(CUSTOMER_READERS))
def test_the_customer_export_carries_full_numbers_only_for_revealers_and_audits_it(client, make_staff, shop_data, role):
    client = _login(client, make_staff, role)
    text = _text(client.get("/customers/?export=csv"))
    row = next(r for r in csv.reader(io.StringIO(text)) if "王小明" in r)
    assert (CUSTOMER_PHONE in row) == (role in REVEALERS)
    assert ("139****5678" in row) == (role not in REVEALERS)
    entries = list(_exports())
    if role in REVEALERS:
        assert len(entries) == 1
        assert entries[0].actor.username == f"{role}_privacy"
        assert entries[0].after["list"] == "customers" and entries[0].after["rows"] == 1
    else:
        assert entries == []


def test_an_xlsx_export_is_masked_for_marketing(client, make_staff, shop_data):
    from openpyxl import load_workbook

    client = _login(client, make_staff, "marketing")
    response = client.get("/customers/?export=xlsx")
    values = [c.value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row]
    assert "139****5678" in values and CUSTOMER_PHONE not in values
    assert not _exports().exists()


@pytest.mark.parametrize("role", sorted(ORDER_READERS))
def test_order_pages_and_packing_slips_are_masked_and_the_order_export_follows_the_role(
    client, make_staff, shop_data, role
):
    client = _login(client, make_staff, role)
    order = shop_data["orders"][0]
    for path in (f"/orders/{order.pk}/", "/orders/", f"/orders/{order.pk}/packing-slip/"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = _text(response)
        assert _no_full_phone(html) == [], f"{role} {path}"
        assert "136****5678" in html, f"{role} {path}"
    assert "139****5678" in _text(client.get(f"/orders/{order.pk}/"))
    slips = _text(client.get(f"/orders/print/packing-slips/?ids={order.pk}"))
    assert "136****5678" in slips and _no_full_phone(slips) == []
    assert "reveal" not in _text(client.get(f"/orders/{order.pk}/packing-slip/"))  # printed: masked for all

    text = _text(client.get("/orders/?export=csv"))
    assert (SHIP_PHONE in text) == (role in REVEALERS)
    assert ("136****5678" in text) == (role not in REVEALERS)
    assert _exports().count() == (1 if role in REVEALERS else 0)
    if role in REVEALERS:
        assert _exports().get().after["rows"] == 2


def test_the_risk_review_export_is_masked_for_finance(client, make_staff, shop_data):
    client = _login(client, make_staff, "finance")
    response = client.get("/payments/risk/?export=csv")
    assert response.status_code == 200
    assert _no_full_phone(_text(response)) == []
    assert not _exports().exists()


def test_the_audit_log_never_shows_a_full_phone(owner_client, owner, shop_data):
    customer = shop_data["customer"]
    customer_update(customer=customer, actor=owner, phone="13511112222")
    html = _text(owner_client.get(f"/customers/{customer.pk}/"))
    assert "139****5678" in html and "135****2222" in html
    assert CUSTOMER_PHONE not in html and "13511112222" not in html


# -- reveals ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source, key, number",
    [("customer", "customer", CUSTOMER_PHONE), ("order", "order", SHIP_PHONE), ("address", "address", ADDRESS_PHONE)],
)
def test_a_reveal_answers_the_number_and_writes_one_audit_entry(client, make_staff, shop_data, source, key, number):
    client = _login(client, make_staff, "customer_service")
    objects = {
        "customer": shop_data["customer"],
        "order": shop_data["orders"][0],
        "address": CustomerAddress.objects.get(customer=shop_data["customer"]),
    }
    obj = objects[key]
    response = client.post("/customers/phones/reveal/", {"source": source, "pk": obj.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert number in response.content.decode()
    entries = AuditEntry.objects.filter(action="customers.phone_revealed")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor.username == "customer_service_privacy"
    assert entry.object_id == str(obj.pk) and entry.after["source"] == source
    assert number not in json.dumps([entry.before, entry.after, entry.object_repr])  # the log keeps no number
    client.post("/customers/phones/reveal/", {"source": source, "pk": obj.pk})
    assert entries.count() == 2  # every reveal is its own entry


def test_a_reveal_is_refused_without_the_permission_and_for_junk(client, make_staff, shop_data):
    order = shop_data["orders"][0]
    client = _login(client, make_staff, "warehouse")
    assert client.post("/customers/phones/reveal/", {"source": "order", "pk": order.pk}).status_code == 403
    client = _login(client, make_staff, "owner")
    assert client.post("/customers/phones/reveal/", {"source": "nope", "pk": order.pk}).status_code == 404
    assert client.post("/customers/phones/reveal/", {"source": "order", "pk": "x"}).status_code == 404
    assert client.post("/customers/phones/reveal/", {"source": "order", "pk": 999999}).status_code == 404
    assert client.get("/customers/phones/reveal/").status_code == 405
    assert not AuditEntry.objects.filter(action="customers.phone_revealed").exists()


def test_opening_an_edit_form_with_the_full_number_is_audited_and_saving_keeps_it(client, make_staff, shop_data):
    customer, order = shop_data["customer"], shop_data["orders"][1]
    client = _login(client, make_staff, "customer_service")
    assert CUSTOMER_PHONE in _text(client.get(f"/customers/{customer.pk}/edit/"))
    assert SHIP_PHONE in _text(client.get(f"/orders/{order.pk}/address/"))
    reveals = AuditEntry.objects.filter(action="customers.phone_revealed")
    assert sorted(e.after["where"] for e in reveals) == ["form", "form"]
    response = client.post(
        f"/customers/{customer.pk}/edit/",
        {"name": "王小明", "phone": CUSTOMER_PHONE, "gender": "male", "source": "web"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.phone == CUSTOMER_PHONE and customer.gender == "male"


def test_a_masked_number_posted_back_keeps_the_stored_one():
    assert privacy.kept_phone("139****5678", CUSTOMER_PHONE) == CUSTOMER_PHONE
    assert privacy.kept_phone("13511112222", CUSTOMER_PHONE) == "13511112222"


# -- the customer's data file ----------------------------------------------------------------------------
def test_the_data_file_holds_every_section_and_is_audited(client, make_staff, shop_data):
    customer = shop_data["customer"]
    client = _login(client, make_staff, "customer_service")
    response = client.get(f"/customers/{customer.pk}/data/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="customer-{customer.pk}-')
    data = json.loads(response.content)
    assert {"customer", "addresses", "tags", "orders"} <= set(data)
    assert data["customer"]["phone"] == CUSTOMER_PHONE and data["customer"]["email"] == "wang@example.com"
    assert [a["phone"] for a in data["addresses"]] == [ADDRESS_PHONE]
    assert data["tags"] == ["VIP"]
    assert sorted(o["number"] for o in data["orders"]) == sorted(o.number for o in shop_data["orders"])
    first = next(o for o in data["orders"] if o["number"] == shop_data["orders"][0].number)
    assert first["ship_phone"] == SHIP_PHONE and first["lines"][0]["sku_code"] == "PRIV-M"
    assert Decimal(first["total"]) == shop_data["orders"][0].total
    entry = AuditEntry.objects.get(action="customers.data_exported")
    assert entry.object_id == str(customer.pk) and "orders" in entry.after["sections"]
    assert f"/customers/{customer.pk}/data/" in _text(client.get(f"/customers/{customer.pk}/"))


def test_the_data_file_is_refused_without_its_permission(client, make_staff, shop_data):
    customer = shop_data["customer"]
    for role in ("operations", "marketing", "warehouse"):
        client = _login(client, make_staff, role)
        assert client.get(f"/customers/{customer.pk}/data/").status_code == 403, role
    assert not AuditEntry.objects.filter(action="customers.data_exported").exists()


def test_a_data_section_comes_from_every_app_offering_the_hook(shop_data, owner, monkeypatch):
    config = apps.get_app_config("orders")
    monkeypatch.setattr(type(config), "customer_data_export", lambda self, c: {"orders": [], "extra": {"n": 1}})
    data = customer_data_export(customer=shop_data["customer"], actor=owner)
    assert data["extra"] == {"n": 1} and data["orders"] == []


# -- erasure ---------------------------------------------------------------------------------------------
@pytest.fixture
def finished(shop_data, owner):
    """The customer's orders off their way: the paid one delivered and completed, the unpaid one cancelled."""
    paid, unpaid = shop_data["orders"]
    order_address_change(
        order=paid,
        actor=owner,
        name="王小明",
        phone="13500001111",
        province="上海",
        city="上海市",
        district="徐汇区",
        detail="天钥桥路 1 号",
    )
    carrier = Carrier.objects.create(name="顺丰速运", code="sf", tracking_pattern=r"SF\d{12}")
    order_services.order_allocate(order=paid, actor=owner)
    order_services.order_pick(order=paid, actor=owner)
    order_services.order_ship(order=paid, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    order_services.order_deliver(order=paid, actor=owner)
    order_services.order_complete(order=paid, actor=owner)
    order_services.order_cancel(order=unpaid, actor=owner, reason="客户取消")
    return shop_data


def test_erasure_is_refused_while_an_order_is_on_its_way(owner, shop_data):
    customer = shop_data["customer"]
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as e:
        customer_erase(customer=customer, actor=owner, confirm=str(customer.pk))
    assert e.value.code == "orders_in_progress" and shop_data["orders"][0].number in e.value.message
    customer.refresh_from_db()
    assert customer.erased_at is None and customer.phone == CUSTOMER_PHONE and customer.addresses.exists()
    assert AuditEntry.objects.count() == audits and not CustomerErasure.objects.exists()


def _sums():
    return {
        "orders": Order.objects.aggregate(s=Sum("total"), d=Sum("discount"), f=Sum("shipping_fee")),
        "lines": OrderLine.objects.aggregate(s=Sum("line_total"), q=Sum("quantity")),
        "payments": Payment.objects.aggregate(s=Sum("amount")),
        "stock": StockMovement.objects.aggregate(h=Sum("on_hand_delta"), r=Sum("reserved_delta")),
        "statuses": sorted(Order.objects.values_list("number", "status")),
    }


def test_erasure_anonymises_the_customer_and_their_orders_and_keeps_every_total(owner, finished):
    customer, orders = finished["customer"], finished["orders"]
    before = _sums()
    assert before["payments"]["s"] == orders[0].total
    received = []
    customer_erased.connect(lambda sender, **kw: received.append(kw["customer"].pk), weak=False, dispatch_uid="t")
    try:
        erased = customer_erase(customer=customer, actor=owner, confirm=str(customer.pk), reason="工单 #42")
    finally:
        customer_erased.disconnect(dispatch_uid="t")
    assert received == [customer.pk]
    assert _sums() == before

    erased.refresh_from_db()
    assert erased.erased_at is not None
    assert erased.phone == f"erased-{customer.pk}" and erased.name != "王小明"
    assert (erased.email, erased.birthday) == ("", None)
    assert not erased.addresses.exists() and not erased.tags.exists()
    assert CustomerErasure.objects.get(customer=erased).reason == "工单 #42"
    for order in Order.objects.filter(customer=erased):
        assert order.ship_phone == erased.phone and order.ship_name == erased.name[:50]
        assert order.ship_detail == "[erased]" and order.ship_district == "" and order.note == ""
        assert (order.ship_province, order.ship_city) == ("上海", "上海市")  # regional figures stay
    leftovers = [
        str(e.before) + str(e.after) + e.object_repr
        for e in AuditEntry.objects.exclude(action="customers.erased")
        if any(p in str(e.before) + str(e.after) + e.object_repr for p in (*PHONES, "13500001111", "王小明"))
    ]
    assert leftovers == []
    events = OrderEvent.objects.filter(order=orders[0], kind="address")
    assert events and all("天钥桥路" not in e.message and "13500001111" not in str(e.data) for e in events)
    entry = AuditEntry.objects.get(action="customers.erased")
    assert entry.object_id == str(customer.pk) and entry.after["addresses_deleted"] == 1


def test_an_erased_customer_cannot_be_erased_again_or_edited(owner, finished):
    customer = finished["customer"]
    customer_erase(customer=customer, actor=owner, confirm=str(customer.pk))
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as e:
        customer_erase(customer=customer, actor=owner, confirm=str(customer.pk))
    assert e.value.code == "customer_erased"
    with pytest.raises(DomainError):
        customer_update(customer=customer, actor=owner, name="回来")
    with pytest.raises(DomainError):
        customer_tag_set(customer=customer, actor=owner, tags="VIP")
    assert AuditEntry.objects.count() == audits
    assert CustomerErasure.objects.count() == 1


def test_intake_with_the_erased_phone_creates_a_new_customer(owner, finished):
    customer = finished["customer"]
    customer_erase(customer=customer, actor=owner, confirm=str(customer.pk))
    again = customer_upsert(phone=CUSTOMER_PHONE, name="王小明")
    assert again.pk != customer.pk and again.erased_at is None
    assert Customer.objects.filter(phone=CUSTOMER_PHONE).count() == 1


def test_the_erase_page_needs_the_typed_number_and_the_owner(client, make_staff, finished):
    customer = finished["customer"]
    for role in ("operations", "customer_service", "marketing"):
        client = _login(client, make_staff, role)
        assert client.get(f"/customers/{customer.pk}/erase/").status_code == 403, role
        assert client.post(f"/customers/{customer.pk}/erase/", {"confirm": customer.pk}).status_code == 403
    client = _login(client, make_staff, "owner")
    page = _text(client.get(f"/customers/{customer.pk}/"))
    assert f"/customers/{customer.pk}/erase/" in page
    response = client.post(f"/customers/{customer.pk}/erase/", {"confirm": "yes"})
    assert response.status_code == 200 and str(customer.pk) in _text(response)
    customer.refresh_from_db()
    assert customer.erased_at is None and customer.phone == CUSTOMER_PHONE
    response = client.post(f"/customers/{customer.pk}/erase/", {"confirm": str(customer.pk), "reason": "电话申请"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.erased_at is not None
    page = _text(client.get(f"/customers/{customer.pk}/"))
    assert f"/customers/{customer.pk}/erase/" not in page and f"/customers/{customer.pk}/edit/" not in page
    again = client.post(f"/customers/{customer.pk}/erase/", {"confirm": str(customer.pk)})
    assert again.status_code == 200 and CustomerErasure.objects.count() == 1


def test_a_phone_prefix_search_cannot_spell_out_a_masked_number(client, make_staff, shop_data):
    client = _login(client, make_staff, "marketing")
    assert "王小明" not in _text(client.get("/customers/?q=1391234"))
    assert "王小明" in _text(client.get(f"/customers/?q={CUSTOMER_PHONE}"))
    client = _login(client, make_staff, "customer_service")
    assert "王小明" in _text(client.get("/customers/?q=1391234"))
