from django.urls import path

from reports.views import anomalies

app_name = "reports"
urlpatterns: list = [
    # anomaly monitoring
    path("anomalies/", anomalies.anomaly_list, name="anomaly_list"),
    path("anomalies/<int:pk>/", anomalies.anomaly_detail, name="anomaly_detail"),
    path("anomalies/<int:pk>/acknowledge/", anomalies.anomaly_acknowledge, name="anomaly_acknowledge"),
]
