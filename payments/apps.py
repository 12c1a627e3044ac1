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

        from payments import checks, receivers  # noqa: F401  (the startup check; the orders signal handlers)
        from payments.models import PaymentMethod
        from payments.selectors import METHODS_CACHE_KEY
        from shop.cached import drop_on_change

        drop_on_change(METHODS_CACHE_KEY, PaymentMethod)
        from payments.defaults import ensure_defaults

        post_migrate.connect(
            lambda **kw: ensure_defaults(apps), sender=self, weak=False, dispatch_uid="payments.ensure_defaults"
        )

    def staff_figures(self, *, start, end):
        """Reports' staff performance columns (reports reads every module, DESIGN §1): per staff user, the refunds
        they approved in [start, end) and their amount (money: shown to those who may see payments)."""
        from payments.selectors import staff_refund_figures

        figures = staff_refund_figures(start=start, end=end)
        return [
            {
                "key": "refunds_approved",
                "label": _("Refunds approved"),
                "kind": "count",
                "values": {user: row["approved"] for user, row in figures.items()},
            },
            {
                "key": "refunds_amount",
                "label": _("Refunds approved (amount)"),
                "kind": "money",
                "permission": "payments.view_refund",
                "values": {user: row["amount"] for user, row in figures.items()},
            },
        ]

    def dashboard_work(self, user):
        """The dashboard's work waiting (reports asks every module through this hook): refunds awaiting approval
        and orders held for risk review, each with the link to its filtered list (two indexed counts)."""
        from payments.models import Refund, RiskAssessment

        work = []
        if user.has_perm("payments.view_refund"):
            work.append(
                {
                    "key": "payments_refunds",
                    "label": _("Refunds awaiting approval"),
                    "count": Refund.objects.filter(status=Refund.Status.REQUESTED).count(),
                    "url": f"{reverse('payments:refund_list')}?status={Refund.Status.REQUESTED}",
                    "permission": "payments.view_refund",
                }
            )
        if user.has_perm("payments.view_riskassessment"):
            work.append(
                {
                    "key": "payments_risk",
                    "label": _("Orders held for risk review"),
                    "count": RiskAssessment.objects.filter(decision=RiskAssessment.Decision.HELD).count(),
                    "url": reverse("payments:risk_queue"),
                    "permission": "payments.view_riskassessment",
                }
            )
        return work

    def invariants(self):
        """DESIGN §3's money invariants (shop.invariants): each queryset is empty when all is well."""
        from payments import selectors

        return {
            "payments: payments whose refunds exceed the capture or differ from their refund rows": (
                selectors.refund_mismatches()
            ),
            "payments: paid orders without exactly one captured payment": selectors.paid_orders_without_one_capture(),
        }
