from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales")
    nav: list = [  # (url name, label, permission), one block per area
        # -- requests --
        ("aftersales:request_list", _("After-sales requests"), "aftersales.view_aftersalesrequest"),
        ("aftersales:reason_list", _("After-sales reasons"), "aftersales.view_aftersalesreason"),
        ("aftersales:policy", _("After-sales policy"), "aftersales.view_autoapprovalrule"),
    ]

    def ready(self):
        pass  # each area connects its receivers here

    def sla_sweep(self, *, now):
        """The after-sales SLA timers, asked by customers' `complaint_sla` job (shop.hooks.hook_answers)."""
        from aftersales.services import requests_sla_sweep

        return {"requests": requests_sla_sweep(now=now)}

    def invariants(self):
        """After-sales invariants (shop.invariants): each queryset is empty when all is well."""
        from aftersales import selectors

        return {
            "aftersales: order lines asked back more often than bought": selectors.over_requested_lines(),
            "aftersales: refunded requests whose lines do not add up to their refund": (
                selectors.refunds_not_matching_lines()
            ),
        }

    def order_links(self, user, order):
        """The order page's after-sales links: the order's requests, and "Request after-sales" for staff who
        may enter one (orders asks through shop.hooks; it never imports aftersales)."""
        from django.urls import reverse

        from aftersales.selectors import order_requests

        links = []
        if user.has_perm("aftersales.view_aftersalesrequest"):
            links += [
                {
                    "url": r.get_absolute_url(),
                    "label": f"{r.number} · {r.get_kind_display()} · {r.get_status_display()}",
                    "testid": "aftersales-request",
                }
                for r in order_requests(order)[:10]
            ]
        if user.has_perm("aftersales.add_aftersalesrequest") and order.paid_at is not None:
            links.append(
                {
                    "url": reverse("aftersales:request_new", args=[order.pk]),
                    "label": _("Request after-sales"),
                    "testid": "request-aftersales",
                    "button": True,
                }
            )
        return links
