from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")
    nav = [
        ("orders:order_list", _("Orders"), "orders.view_order"),
        ("orders:abnormal_list", _("Abnormal orders"), "orders.view_order"),
        ("orders:queue_allocate", _("Work queues"), "orders.view_order"),
        ("orders:merge", _("Merge orders"), "orders.change_order"),
        ("orders:ship_csv", _("Ship from CSV"), "orders.ship_order"),
        ("orders:carrier_list", _("Carriers"), "orders.view_carrier"),
        ("orders:freight_list", _("Freight templates"), "orders.view_freighttemplate"),
        ("orders:rule_list", _("Dispatch rules"), "orders.view_dispatchrule"),
    ]

    def ready(self):
        from orders import receivers  # noqa: F401  (connects the marketing signal handlers)

    def customer_panels(self, user, customer):
        """The customer's latest orders, with a link to the order list filtered to them."""
        from orders.selectors import customer_orders
        from shop.related import related

        if not user.has_perm("orders.view_order"):
            return []
        return [
            related(
                customer_orders(customer),
                key="customer-orders",
                title=_("Orders"),
                template="orders/_customer_orders.html",
                url=f"{reverse('orders:order_list')}?customer={customer.pk}",
            )
        ]

    def dashboard_stats(self, user):
        from orders.selectors import dashboard_figures
        from shop.templatetags.houtai import money

        if not user.has_perm("orders.view_order"):
            return []
        figures = dashboard_figures()
        orders_url = reverse("orders:order_list")
        # Each figure names the permission of the role it is for: today's paid sales is finance's figure.
        return [
            {
                "label": _("Orders today"),
                "value": figures["placed_today"],
                "url": orders_url,
                "permission": "orders.view_order",
            },
            {
                "label": _("Paid sales today"),
                "value": money(figures["sales_today"]),
                "url": orders_url,
                "permission": "payments.view_payment",
            },
            {
                "label": _("Waiting to ship"),
                "value": figures["to_ship"],
                "url": reverse("orders:work_queue", args=["ship"]),
                "permission": "orders.view_order",
            },
            {
                "label": _("Abnormal orders"),
                "value": figures["abnormal"],
                "url": reverse("orders:abnormal_list"),
                "permission": "orders.view_order",
            },
        ]
