"""What the order list and the order page show: the logistics column and the totals block."""

from django.urls import reverse

from orders import services


def test_the_order_list_shows_carrier_and_tracking_number_of_a_shipped_order(owner_client, owner, paid, sku, carrier):
    order = paid((sku.code, 1))
    services.order_ship(order=order, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    html = owner_client.get(reverse("orders:order_list")).content.decode()
    row = html[html.index(order.number) :]
    row = row[: row.index("</tr>")]
    assert carrier.name in row and "SF123456789012" in row


def test_an_order_without_a_discount_shows_no_discount_line(owner_client, paid, sku):
    order = paid((sku.code, 1))
    assert order.discount == 0
    html = owner_client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    totals = html[html.index("<tfoot>") : html.index("</tfoot>")]
    assert "优惠" not in totals and "-¥0.00" not in totals and "−¥0.00" not in totals
    assert "商品金额" in totals


def test_an_order_with_a_discount_shows_it_as_a_deduction(owner_client, paid, sku):
    from orders.models import Order

    order = paid((sku.code, 1))
    Order.objects.filter(pk=order.pk).update(discount="5.00")
    html = owner_client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    totals = html[html.index("<tfoot>") : html.index("</tfoot>")]
    assert "优惠" in totals and "−¥5.00" in totals


def test_an_order_shipped_with_another_shows_that_shipment(owner_client, owner, paid, sku, carrier):
    """Orders merged into a lead ship under the lead's tracking number; their rows and pages show it too."""
    from orders.models import Order

    lead, other = paid((sku.code, 1)), paid((sku.code, 2))
    services.orders_merge(actor=owner, orders=Order.objects.filter(pk__in=[lead.pk, other.pk]))
    services.order_ship(
        order=Order.objects.get(pk=lead.pk), carrier=carrier, tracking_number="SF123456789012", actor=owner
    )
    assert Order.objects.get(pk=other.pk).status == Order.Status.SHIPPED
    html = owner_client.get(reverse("orders:order_list")).content.decode()
    for order in (lead, other):
        row = html[html.index(order.number) :]
        row = row[: row.index("</tr>")]
        assert carrier.name in row and "SF123456789012" in row, order.number
    detail = owner_client.get(reverse("orders:order_detail", args=[other.pk])).content.decode()
    assert 'data-testid="tracking-number">SF123456789012<' in detail


def test_the_audit_log_names_an_order_move_and_its_status_values(owner_client, owner, paid, sku, carrier):
    order = paid((sku.code, 1))
    services.order_ship(order=order, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    html = owner_client.get(reverse("audit_list"), {"module": "orders"}).content.decode()
    body = html[html.index('class="list"') :]
    assert "orders.ship" not in body and ">shipped<" not in body and ">paid<" not in body
    assert "发货" in body and "<td>已付款</td><td>已发货</td>" in body


def test_what_a_customer_or_staff_typed_is_escaped_in_the_list_rows(owner_client, owner, paid, sku, carrier):
    """The fast row path (shop.lists row_cells) escapes every user-entered value: a recipient's name, a
    tracking number, an audit entry's object."""
    from orders.models import Order
    from shop.models import AuditEntry

    order = paid((sku.code, 1))
    Order.objects.filter(pk=order.pk).update(ship_name='<script>alert("x")</script>&', ship_province="<b>省</b>")
    services.order_ship(order=order, carrier=carrier, tracking_number="SF123456789012", actor=owner)
    html = owner_client.get(reverse("orders:order_list")).content.decode()
    assert "<script>" not in html and "<b>省" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in html and "&lt;b&gt;省&lt;/b&gt;" in html
    AuditEntry.objects.create(actor=owner, actor_label="owner", action="settings.x", module="settings",
                              object_repr='<img src=x onerror="alert(1)">')  # fmt: skip
    html = owner_client.get(reverse("audit_list")).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
