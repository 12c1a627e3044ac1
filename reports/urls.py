from django.urls import path

from reports.views import anomalies, finance, sales

app_name = "reports"
urlpatterns: list = [  # each area adds its pages; a report adds itself with Report.path()
    # rollups: sales and finance
    *[report.path() for report in sales.REPORTS],
    *[report.path() for report in finance.REPORTS],
    # anomaly monitoring
    path("anomalies/", anomalies.anomaly_list, name="anomaly_list"),
    path("anomalies/<int:pk>/", anomalies.anomaly_detail, name="anomaly_detail"),
    path("anomalies/<int:pk>/acknowledge/", anomalies.anomaly_acknowledge, name="anomaly_acknowledge"),
]
