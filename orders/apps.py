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
        from orders import receivers  # noqa: F401  (connects the receivers of the orders signals)

    def customer_order_facts(self, *, now, customer_ids=None):
        """The customers' purchase figures, offered to customers (which never imports orders, DESIGN §1):
        a values() queryset of ``customer_id, order_count, spend, first_order_at, last_order_at, orders_12m,
        spend_12m`` over paid orders that were not cancelled or closed (orders.selectors.customer_purchase_facts).
        """
        from orders.selectors import customer_purchase_facts

        return customer_purchase_facts(now=now, customer_ids=customer_ids)

    def customer_purchases_between(self, *, customer_ids, starts_at, ends_at):
        """The purchases (paid, not cancelled or closed) the customers placed in [starts_at, ends_at), offered to
        marketing's experiment report (marketing never imports orders, DESIGN §1): values ``id, customer_id, total``."""
        from orders.selectors import purchases

        return (
            purchases()
            .filter(customer_id__in=list(customer_ids), placed_at__gte=starts_at, placed_at__lt=ends_at)
            .order_by()
            .values("id", "customer_id", "total")
        )

    def promotion_order_facts(self, order_ids):
        """Order facts for marketing's campaign report (marketing never imports orders, DESIGN §1):
        {order_id: {"total", "placed_at", "customer_id", "first_paid"}} for the purchases among `order_ids`
        (orders.selectors.promotion_order_facts)."""
        from orders.selectors import promotion_order_facts

        return promotion_order_facts(order_ids)

    def staff_figures(self, *, start, end):
        """Reports' staff performance columns (reports reads every module, DESIGN §1): per staff user, the orders
        they shipped in [start, end) and the average time from payment to shipping."""
        from orders.selectors import staff_shipping_figures

        figures = staff_shipping_figures(start=start, end=end)
        return [
            {
                "key": "orders_shipped",
                "label": _("Orders shipped"),
                "kind": "count",
                "values": {user: row["shipped"] for user, row in figures.items()},
            },
            {
                "key": "time_to_ship",
                "label": _("Average time to ship"),
                "kind": "duration",
                "values": {user: row["time_to_ship"] for user, row in figures.items()},
            },
        ]

    def phone_sources(self):
        """The phones the reveal button (customers.privacy) may show: an order's shipping phone."""

        def order_phone(pk):
            from orders.models import Order

            order = Order.objects.filter(pk=pk).only("pk", "number", "ship_phone").first()
            return (order, order.ship_phone) if order else None

        return {"order": ("orders.view_order", order_phone)}

    def customer_data_export(self, customer):
        """The customer's data file (customers.services.customer_data_export): their orders, lines, addresses."""
        from orders.selectors import customer_data_orders

        return {"orders": customer_data_orders(customer)}

    def order_exists(self, number):
        """Whether an order has this number (customers checks a message's order number through this hook)."""
        from orders.models import Order

        return Order.objects.filter(number=str(number)[:32]).exists()

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

    def purchase_baskets(self):
        """What customers bought, for their recommendations (customers never imports orders, DESIGN §1):
        one row per order line of a paid order that was not cancelled or closed, as
        (basket_id = the order's id, customer_id, product_id, placed_at)."""
        from orders.selectors import purchase_baskets

        return purchase_baskets()

    def dashboard_work(self, user):
        """The dashboard's work waiting (reports asks every module through this hook): the three warehouse queues
        and the orders on hold, each with the link to its list. One indexed read (orders.selectors.work_counts)."""
        from orders.selectors import work_counts

        if not user.has_perm("orders.view_order"):
            return []
        counts = work_counts()
        return [
            {
                "key": f"orders_{name}",
                "label": label,
                "count": counts[name],
                "url": reverse("orders:work_queue", args=[name]),
                "permission": "orders.view_order",
            }
            for name, label in (("allocate", _("To allocate")), ("pick", _("To pick")), ("ship", _("To ship")))
        ] + [
            {
                "key": "orders_abnormal",
                "label": _("Abnormal orders"),
                "count": counts["abnormal"],
                "url": reverse("orders:abnormal_list"),
                "permission": "orders.view_order",
            }
        ]

    def invariants(self):
        """DESIGN §3's state-machine invariant (shop.invariants): empty when every status is explained."""
        from orders.selectors import timeline_mismatches

        return {"orders: orders whose status is not where their timeline's last move left them": timeline_mismatches()}
