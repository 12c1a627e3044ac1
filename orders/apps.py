from django.apps import AppConfig
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
