"""Each after-sales policy rule refuses with its own code and a message naming the rule, and writes nothing:
the no-reason window (and the longer one for faults), excluded products and categories, exchange-only products,
quantities over what is left, amounts above what the line was charged. Who pays the return freight."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales import services
from aftersales.models import AftersalesExcludedCategory, AftersalesReason, AftersalesRequest
from catalog.models import Category, Product
from orders.models import OrderEvent
from shop.errors import RuleRefused
from shop.models import StoreSettings

pytestmark = pytest.mark.django_db


def submit(order, kind="return", lines=None, code="changed_mind"):
    return services.request_submit(
        order=order,
        kind=kind,
        reason=AftersalesReason.objects.get(code=code),
        lines=lines or [{"sku": "AS-TEE-M", "quantity": 1}],
        actor="api:shop",
    )[0]


def refused(order, **kw) -> RuleRefused:
    with pytest.raises(RuleRefused) as error:
        submit(order, **kw)
    assert error.value.status == 422 and error.value.data["rule"] == error.value.code
    assert not AftersalesRequest.objects.filter(order=order).exists()
    assert not OrderEvent.objects.filter(order=order, kind="aftersales").exists()
    return error.value


def test_the_no_reason_window_counts_from_delivery(make_order):
    assert submit(make_order(delivered_days_ago=6)).status == "submitted"
    late = refused(make_order(delivered_days_ago=8))
    assert late.code == "window_passed" and "7-day no-reason window" in late.message


def test_a_fault_has_the_longer_window_and_a_dedicated_setting(make_order):
    order = make_order(delivered_days_ago=10)
    refused(order)  # no-reason: 7 days
    request = submit(order, code="quality")  # a fault: 15 days
    assert request.freight_payer == "seller"
    StoreSettings.objects.filter(pk=1).update(aftersales_quality_days=5)
    error = refused(make_order(delivered_days_ago=6), code="quality")
    assert error.code == "window_passed" and "faulty goods" in error.message


def test_store_setting_changes_the_no_reason_window(make_order):
    StoreSettings.objects.update_or_create(pk=1, defaults={"aftersales_window_days": 3})
    assert refused(make_order(delivered_days_ago=4)).code == "window_passed"


def test_a_product_excluded_from_no_reason_returns(make_order, skus):
    Product.objects.filter(pk=skus["mug"].product_id).update(no_reason_returns=False)
    order = make_order()
    error = refused(order, lines=[{"sku": "AS-MUG", "quantity": 1}])
    assert error.code == "product_excluded" and "陶瓷杯" in error.message
    assert submit(order, lines=[{"sku": "AS-MUG", "quantity": 1}], code="quality").status == "submitted"


def test_a_category_and_everything_under_it_excluded(make_order, skus, category):
    child = Category.objects.add_child(Category.objects.get(pk=category.pk), {"name": "内衣"})
    Product.objects.filter(pk=skus["tee"].product_id).update(category=child)
    services.excluded_category_add(actor=None, category=category, note="贴身衣物")
    assert AftersalesExcludedCategory.objects.count() == 1
    error = refused(make_order())
    assert error.code == "category_excluded" and "内衣" in error.message
    assert error.data["fields"]  # names the line


def test_an_exchange_only_product_is_refused_as_a_return_and_allowed_as_an_exchange(make_order, skus):
    Product.objects.filter(pk=skus["tee"].product_id).update(exchange_only=True)
    order = make_order()
    error = refused(order)
    assert error.code == "exchange_only" and "exchange" in error.message
    assert submit(order, kind="exchange", code="wrong_size").kind == "exchange"


def test_quantity_over_what_is_left_counts_open_and_done_requests(make_order, owner):
    order = make_order()
    first = submit(order, lines=[{"sku": "AS-TEE-M", "quantity": 1}])
    error = refused_again(order, [{"sku": "AS-TEE-M", "quantity": 2}])
    assert error.code == "quantity_exceeded" and "Only 1 of AS-TEE-M" in error.message
    services.request_reject(request=first, actor=owner, reason="不符合")
    assert submit(order, lines=[{"sku": "AS-TEE-M", "quantity": 2}]).status == "submitted"  # a rejection frees


def refused_again(order, lines):
    before = AftersalesRequest.objects.filter(order=order).count()
    with pytest.raises(RuleRefused) as error:
        submit(order, lines=lines)
    assert AftersalesRequest.objects.filter(order=order).count() == before
    return error.value


def test_a_refund_above_what_the_line_was_charged_is_refused(make_order, owner, warehouse):
    order = make_order()  # a tee was charged 96.00 after the order's discount, not its 100.00 price
    error = refused(order, lines=[{"sku": "AS-TEE-M", "quantity": 1, "amount": "100.00"}])
    assert error.code == "refund_above_charged" and "96.00" in error.message
    # a smaller amount staff agreed is refunded as asked, no more
    asked = [{"sku": "AS-TEE-M", "quantity": 1, "amount": "30.00"}]
    request = submit(order, kind="refund_only", code="quality", lines=asked)
    services.request_approve(request=request, actor=owner)
    services.request_refund(request=request, actor=owner)
    request.refresh_from_db()
    assert request.refund.amount == Decimal("30.00") and request.lines.get().amount_refunded == Decimal("30.00")


def test_unpaid_or_unshipped_orders(make_order, skus):
    unshipped = make_order(delivered_days_ago=None)
    error = refused(unshipped)  # a return needs the goods shipped
    assert error.code == "order_not_eligible"
    assert submit(unshipped, kind="refund_only", code="no_longer_wanted").status == "submitted"


def test_a_reason_must_apply_to_the_kind(make_order):
    assert refused(make_order(), kind="exchange", code="not_received").code == "reason_not_for_kind"


def test_delivered_long_ago_but_the_window_is_set_by_delivery_not_placing(make_order):
    order = make_order(delivered_days_ago=2)
    type(order).objects.filter(pk=order.pk).update(placed_at=timezone.now() - timedelta(days=60))
    order.refresh_from_db()
    assert submit(order).status == "submitted"
