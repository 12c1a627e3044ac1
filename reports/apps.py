from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    nav: list = []  # (url name, label, permission), one block per area
    # inventory, staff, marketing, customers reports and scheduled emails (analytics)
    nav += [
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
        pass  # each area connects its receivers here (reports listens to every module's signals)
