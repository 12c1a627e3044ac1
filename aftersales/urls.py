from django.urls import path

from aftersales.views import complaints, knowledge, report

app_name = "aftersales"
urlpatterns: list = [
    # complaints (投诉)
    path("complaints/", complaints.complaint_list, name="complaint_list"),
    path("complaints/new/", complaints.complaint_create, name="complaint_create"),
    path("complaints/sla/", complaints.complaint_sla, name="complaint_sla"),
    path("complaints/<int:pk>/", complaints.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/assign/", complaints.complaint_assign, name="complaint_assign"),
    path("complaints/<int:pk>/respond/", complaints.complaint_respond, name="complaint_respond"),
    path("complaints/<int:pk>/escalate/", complaints.complaint_escalate, name="complaint_escalate"),
    path("complaints/<int:pk>/resolve/", complaints.complaint_resolve, name="complaint_resolve"),
    path("complaints/<int:pk>/close/", complaints.complaint_close, name="complaint_close"),
    path("complaints/<int:pk>/reopen/", complaints.complaint_reopen, name="complaint_reopen"),
    path("complaints/<int:pk>/satisfaction/", complaints.complaint_satisfaction, name="complaint_satisfaction"),
    # the knowledge base (FAQ)
    path("faq/", knowledge.faq_list, name="faq_list"),
    path("faq/new/", knowledge.faq_create, name="faq_create"),
    path("faq/search/", knowledge.faq_search, name="faq_search"),
    path("faq/<int:pk>/", knowledge.faq_edit, name="faq_edit"),
    path("faq/<int:pk>/delete/", knowledge.faq_delete, name="faq_delete"),
    path("faq/categories/", knowledge.faq_category_list, name="faq_category_list"),
    path("faq/categories/<int:pk>/", knowledge.faq_category_edit, name="faq_category_edit"),
    path("faq/categories/<int:pk>/delete/", knowledge.faq_category_delete, name="faq_category_delete"),
    # the after-sales report
    path("report/", report.report, name="report"),
]
