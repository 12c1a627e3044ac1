from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    nav: list = [  # (url name, label, permission), one block per area
        # anomaly monitoring
        ("reports:anomaly_list", _("Anomalies"), "reports.view_anomaly"),
    ]

    def ready(self):
        from reports import receivers  # noqa: F401  (the dashboard's customer figures, counted on payment)

    def dashboard_page(self, request):
        """The first page after login (shop's root view asks this hook: shop never imports reports)."""
        from reports.views.dashboard import dashboard

        return dashboard(request)
