from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = _("Marketing")
    nav = [
        ("marketing:coupon_list", _("Coupons"), "marketing.view_coupontemplate"),
        ("marketing:code_list", _("Coupon codes"), "marketing.view_coupon"),
        ("marketing:activity_list", _("Spend and quantity discounts"), "marketing.view_activity"),
        ("marketing:timed_list", _("Timed discounts"), "marketing.view_timeddiscount"),
        ("marketing:member_price_list", _("Member prices"), "marketing.view_memberprice"),
        ("marketing:stacking_list", _("Stacking rules"), "marketing.view_stackingrule"),
        ("marketing:price_preview", _("Price a cart"), "marketing.view_activity"),
        ("marketing:calendar", _("Promotion calendar"), "marketing.view_activity"),
        ("marketing:flash_session_list", _("Flash sales"), "marketing.view_flashsession"),
        ("marketing:group_buy_list", _("Group buys"), "marketing.view_groupbuy"),
        ("marketing:bundle_list", _("Bundles"), "marketing.view_bundle"),
        ("marketing:experiment_list", _("A/B experiments"), "marketing.view_experiment"),
    ]

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from marketing import engine
        from marketing.models import Activity, Bundle, BundleItem, StackingRule, TimedDiscount

        for model in (Activity, StackingRule, TimedDiscount, Bundle, BundleItem):
            post_save.connect(engine.promotions_changed, sender=model, dispatch_uid=f"pricing-{model.__name__}-save")
            post_delete.connect(engine.promotions_changed, sender=model, dispatch_uid=f"pricing-{model.__name__}-del")
        for model in (Activity, TimedDiscount):
            for name in ("categories", "products", "excluded_products"):
                m2m_changed.connect(
                    engine.promotions_changed,
                    sender=getattr(model, name).through,
                    dispatch_uid=f"pricing-{model.__name__}-{name}",
                )

    def customer_panels(self, user, customer):
        """The customer's coupons (claimed, used with the order, expired)."""
        from marketing.selectors import customer_coupons
        from shop.related import related

        if not user.has_perm("marketing.view_coupon"):
            return []
        return [
            related(
                customer_coupons(customer),
                key="customer-coupons",
                title=_("Coupons"),
                template="marketing/_customer_coupons.html",
                url=f"{reverse('marketing:code_list')}?customer={customer.pk}",
            )
        ]
