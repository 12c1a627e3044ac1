from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    nav: list = [  # (url name, label, permission), one block per area
        # rollups: sales and finance reports (reports/views/sales.py, reports/views/finance.py)
        ("reports:sales-channel", _("Sales by channel"), "reports.view_sales_reports"),
        ("reports:sales-category", _("Sales by category"), "reports.view_sales_reports"),
        ("reports:sales-product", _("Sales by product"), "reports.view_sales_reports"),
        ("reports:sales-brand", _("Sales by brand"), "reports.view_sales_reports"),
        ("reports:sales-province", _("Sales by province"), "reports.view_sales_reports"),
        ("reports:sales-payment-method", _("Sales by payment method"), "reports.view_sales_reports"),
        ("reports:sales-hour", _("Sales by hour of day"), "reports.view_sales_reports"),
        ("reports:finance", _("Finance"), "reports.view_finance_report"),
        ("reports:finance-method", _("Finance by payment method"), "reports.view_finance_report"),
        # anomaly monitoring
        ("reports:anomaly_list", _("Anomalies"), "reports.view_anomaly"),
        # analytics: inventory, staff, marketing, customers reports and scheduled emails
        ("reports:inventory-turnover", _("Stock turnover"), "reports.view_inventory_reports"),
        ("reports:inventory-stock-value", _("Stock value"), "reports.view_inventory_reports"),
        ("reports:inventory-slow-movers", _("Slow movers"), "reports.view_inventory_reports"),
        ("reports:inventory-dead-stock", _("Dead stock"), "reports.view_inventory_reports"),
        ("reports:staff-performance", _("Staff performance"), "reports.view_staff_reports"),
        ("reports:staff-mine", _("My performance"), "reports.view_own_staff_figures"),
        ("reports:marketing-roi", _("Promotion ROI"), "reports.view_marketing_report"),
        ("reports:customers", _("Customers"), "reports.view_customers_report"),
        ("reports:schedule_list", _("Scheduled report emails"), "reports.manage_reportschedule"),
    ]

    def ready(self):
        from reports import receivers  # noqa: F401  (rollups: orders' and payments' events; the dashboard's customers)

    def invariants(self):
        """shop.invariants: the last week's sales and payment rollups against the orders paid and the payments
        received (empty when all is well)."""
        from reports.selectors import payment_rollup_mismatches, rollup_mismatches

        return {
            "reports: days whose sales rollup differs from the orders paid that day": rollup_mismatches(),
            "reports: days whose payment rollup differs from the payments received that day": (
                payment_rollup_mismatches()
            ),
        }

    def dashboard_page(self, request):
        """The first page after login (shop's root view asks this hook: shop never imports reports)."""
        from reports.views.dashboard import dashboard

        return dashboard(request)
