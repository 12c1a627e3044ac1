from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")
    nav = [
        ("payments:payment_list", _("Payments"), "payments.view_payment"),
        ("payments:refund_list", _("Refunds"), "payments.view_refund"),
        ("payments:risk_queue", _("Risk review"), "payments.view_riskassessment"),
        ("payments:blacklist", _("Blacklist"), "payments.view_blacklistentry"),
        ("payments:method_list", _("Payment methods"), "payments.view_paymentmethod"),
        ("payments:settlement_list", _("Settlements"), "payments.view_settlementbatch"),
        ("payments:reconciliation_list", _("Reconciliation"), "payments.view_reconciliationrun"),
        ("payments:summary", _("Finance summary"), "payments.view_payment"),
    ]

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from payments import receivers  # noqa: F401  (connects the orders signal handlers)
        from payments.models import PaymentMethod
        from payments.selectors import METHODS_CACHE_KEY
        from shop.cached import drop_on_change

        drop_on_change(METHODS_CACHE_KEY, PaymentMethod)
        from payments.defaults import ensure_defaults

        post_migrate.connect(
            lambda **kw: ensure_defaults(apps), sender=self, weak=False, dispatch_uid="payments.ensure_defaults"
        )

    def dashboard_stats(self, user):
        from payments.models import Refund, RiskAssessment

        if not user.has_perm("payments.view_refund"):
            return []
        return [
            {
                "label": _("Refunds awaiting approval"),
                "url": reverse("payments:refund_list"),
                "value": Refund.objects.filter(status=Refund.Status.REQUESTED).count(),
                "permission": "payments.view_refund",
            },
            {
                "label": _("Orders held for risk review"),
                "url": reverse("payments:risk_queue"),
                "value": RiskAssessment.objects.filter(decision=RiskAssessment.Decision.HELD).count(),
                "permission": "payments.view_riskassessment",
            },
        ]

    def invariants(self):
        """DESIGN §3's money invariants (shop.invariants): each queryset is empty when all is well."""
        from payments import selectors

        return {
            "payments: payments whose refunds exceed the capture or differ from their refund rows": (
                selectors.refund_mismatches()
            ),
            "payments: paid orders without exactly one captured payment": selectors.paid_orders_without_one_capture(),
        }
