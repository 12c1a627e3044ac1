"""Staff writes to promotions: each save validates the model's rules (shop.audit.audited_save), sets the
scope's products and categories, and is audited. Returns (object, warnings): a warning names exclusive
activities whose time overlaps (saved anyway; the engine then picks the better one)."""

from django.db import transaction
from django.utils.translation import gettext as _

from marketing.models import Activity, CouponTemplate, MemberPrice, StackingRule, TimedDiscount
from marketing.selectors import exclusive_overlaps
from shop.audit import audited_save, record, snapshot
from shop.errors import DomainError

SCOPE_SETS = ("categories", "products", "excluded_products")


def _save(instance, *, actor, action, data):
    sets = {name: data.pop(name) for name in SCOPE_SETS if name in data}
    if sets.get("categories") is not None or sets.get("products") is not None:
        scope = data.get("scope", getattr(instance, "scope", "all"))
        if scope == "categories" and not sets.get("categories"):
            raise DomainError(
                _("Choose at least one category."),
                code="invalid",
                fields={"categories": _("Choose at least one category.")},
            )
        if scope == "products" and not sets.get("products"):
            raise DomainError(
                _("Choose at least one product."),
                code="invalid",
                fields={"products": _("Choose at least one product.")},
            )
    instance = audited_save(instance, actor=actor, action=action, fields=data)
    for name, values in sets.items():
        getattr(instance, name).set(values or [])
    return instance


def _warnings(promotion):
    return [
        _("%(name)s overlaps %(other)s (%(start)s to %(end)s); both are exclusive, so only one applies to a cart.")
        % {"name": promotion.name, "other": o.name, "start": f"{o.starts_at:%Y-%m-%d}", "end": f"{o.ends_at:%Y-%m-%d}"}
        for o in exclusive_overlaps(promotion)
    ]


@transaction.atomic(durable=True)
def timed_discount_save(*, actor, instance=None, **data):
    obj = _save(instance or TimedDiscount(), actor=actor, action="marketing.timed_discount_save", data=data)
    return obj, _warnings(obj)


@transaction.atomic(durable=True)
def activity_save(*, actor, instance=None, **data):
    obj = _save(instance or Activity(), actor=actor, action="marketing.activity_save", data=data)
    return obj, _warnings(obj)


@transaction.atomic(durable=True)
def coupon_template_save(*, actor, instance=None, **data):
    obj = _save(instance or CouponTemplate(), actor=actor, action="marketing.coupon_template_save", data=data)
    return obj, []


@transaction.atomic(durable=True)
def member_price_save(*, actor, instance=None, **data):
    instance = instance or MemberPrice()
    if MemberPrice.objects.filter(tier=data.get("tier"), sku=data.get("sku")).exclude(pk=instance.pk).exists():
        message = _("This SKU already has a member price for this tier.")
        raise DomainError(message, code="duplicate", fields={"sku": message})
    return audited_save(instance, actor=actor, action="marketing.member_price_save", fields=data), []


@transaction.atomic(durable=True)
def member_price_delete(*, actor, instance):
    before = snapshot(instance)
    record(actor, "marketing.member_price_delete", instance, before=before)
    instance.delete()


@transaction.atomic(durable=True)
def stacking_rule_save(*, actor, instance=None, **data):
    instance = instance or StackingRule()
    if StackingRule.objects.filter(kind=data.get("kind")).exclude(pk=instance.pk).exists():
        message = _("This kind already has a rule.")
        raise DomainError(message, code="duplicate", fields={"kind": message})
    return audited_save(instance, actor=actor, action="marketing.stacking_rule_save", fields=data), []
