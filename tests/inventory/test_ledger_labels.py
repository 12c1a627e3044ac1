"""The stock ledger names its references and actors in Chinese, not as codes (order:…, receipt:…, system)."""

from django.urls import reverse

from inventory import services


def test_the_stock_ledger_shows_references_and_actors_as_words(owner_client, owner, sku, warehouse):
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=5, actor=owner, reference="PO-0042")
    services.stock_reserve(items=[(sku, 2)], reference="2026120100007", actor="storefront")
    services.stock_release(reference="2026120100007", actor=None)
    html = owner_client.get(reverse("inventory:movement_list")).content.decode()
    body = html[html.index('class="list"') :]
    assert "receipt:" not in body and "order:" not in body and ">storefront<" not in body and ">system<" not in body
    assert "采购收货 PO-0042" in body and "订单 2026120100007" in body
    assert "店铺前台" in body and "系统" in body
    csv = b"".join(owner_client.get(reverse("inventory:movement_list"), {"export": "csv"}).streaming_content)
    assert "订单 2026120100007" in csv.decode("utf-8-sig")
