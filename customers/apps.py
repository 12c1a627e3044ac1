from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")
    nav = [
        ("customers:customer_list", _("Customers"), "customers.view_customer"),
        ("customers:tier_list", _("Member tiers"), "customers.view_membertier"),
        ("customers:rfm", _("RFM analysis"), "customers.view_customer"),
        ("customers:points_list", _("Points ledger"), "customers.view_pointsentry"),
        ("customers:segment_list", _("Segments"), "customers.view_segment"),
        ("customers:message_list", _("Customer messages"), "customers.view_customermessage"),
    ]

    def ready(self):
        from customers import receivers  # noqa: F401  (connects the tier-change notice)

    def product_panels(self, user, product):
        """The published products most often bought with this one (the nightly recommendations job)."""
        from customers.selectors import bought_together
        from customers.services.recommendations import TOP_N
        from shop.related import related

        if not user.has_perm("customers.view_productpair"):
            return []
        return [
            related(
                bought_together(product),
                key="bought-together",
                title=_("Frequently bought together"),
                template="customers/_bought_together.html",
                url="",
                limit=TOP_N,
            )
        ]

    def customer_panels(self, user, customer):
        """The customer's interaction timeline (notes, messages, replies, texts, tier changes), then the products
        to offer them: paired with what they bought, then best sellers they lack."""
        from customers.selectors import customer_recommendations
        from customers.views.crm import timeline_panels
        from shop.related import Related

        panels = timeline_panels(user, customer)
        if not user.has_perm("customers.view_productpair"):
            return panels
        rows = customer_recommendations(customer)
        return [
            *panels,
            Related(
                key="recommendations",
                title=_("Recommended for this customer"),
                rows=rows,
                total=len(rows),
                url="",
                template="customers/_recommendations.html",
            ),
        ]

    def staff_figures(self, *, start, end):
        """Reports' staff performance columns (reports reads every module, DESIGN §1): per staff user, the
        customer messages they answered in [start, end), their replies and their average first-response time."""
        from customers.selectors import staff_reply_figures

        figures = staff_reply_figures(start=start, end=end)

        def column(key, label, kind, field):
            return {"key": key, "label": label, "kind": kind, "values": {u: r[field] for u, r in figures.items()}}

        return [
            column("messages_answered", _("Messages answered"), "count", "messages"),
            column("message_replies", _("Message replies"), "count", "replies"),
            column("first_response", _("Average first response"), "duration", "first_response"),
        ]

    def dashboard_work(self, user):
        """The dashboard's work waiting (reports asks every module through this hook): customer messages past
        their SLA that nobody has answered, linked to the inbox filtered to them (the status index)."""
        from customers.selectors import messages_waiting

        if not user.has_perm("customers.view_customermessage"):
            return []
        return [
            {
                "key": "customers_messages_sla",
                "label": _("Messages over SLA"),
                "count": messages_waiting().filter(sla_breached_at__isnull=False).count(),
                "url": f"{reverse('customers:message_list')}?waiting=true&sla_breached=true",
                "permission": "customers.view_customermessage",
            }
        ]

    def invariants(self):
        """DESIGN §3's points invariant (shop.invariants): empty when every balance equals its ledger."""
        from customers.selectors import points_ledger_mismatches

        return {"customers: points balances that differ from their ledger or open lots": points_ledger_mismatches()}
