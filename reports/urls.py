from django.urls import path

from reports.views import anomalies, customers, finance, inventory, marketing, sales, schedules, staff

app_name = "reports"
urlpatterns: list = [  # each area adds its pages; a report adds itself with Report.path()
    # rollups: sales and finance
    *[report.path() for report in sales.REPORTS],
    *[report.path() for report in finance.REPORTS],
    # anomaly monitoring
    path("anomalies/", anomalies.anomaly_list, name="anomaly_list"),
    path("anomalies/<int:pk>/", anomalies.anomaly_detail, name="anomaly_detail"),
    path("anomalies/<int:pk>/acknowledge/", anomalies.anomaly_acknowledge, name="anomaly_acknowledge"),
    # analytics: inventory, staff, marketing, customers reports and scheduled emails
    inventory.TurnoverReport.path(),
    inventory.StockValueReport.path(),
    inventory.SlowMoversReport.path(),
    inventory.DeadStockReport.path(),
    staff.StaffReport.path(),
    staff.MyStaffReport.path(),
    marketing.MarketingReport.path(),
    customers.CustomersReport.path(),
    path("schedules/", schedules.schedule_list, name="schedule_list"),
    path("schedules/new/", schedules.schedule_create, name="schedule_create"),
    path("schedules/<int:pk>/", schedules.schedule_edit, name="schedule_edit"),
    path("schedules/<int:pk>/delete/", schedules.schedule_delete, name="schedule_delete"),
]
