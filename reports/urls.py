from reports.views import finance, sales

app_name = "reports"
urlpatterns: list = [  # each area adds its pages; a report adds itself with Report.path()
    # rollups: sales and finance
    *[report.path() for report in sales.REPORTS],
    *[report.path() for report in finance.REPORTS],
]
