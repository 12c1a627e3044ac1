from django.urls import path

from payments import views

app_name = "payments"
urlpatterns = [
    path("", views.payment_list, name="payment_list"),
    path("<int:pk>/", views.payment_detail, name="payment_detail"),
    path("<int:pk>/refund/", views.refund_request, name="refund_request"),
    path("cod/<int:order_pk>/collect/", views.cod_collect, name="cod_collect"),
    path("refunds/", views.refund_list, name="refund_list"),
    path("refunds/<int:pk>/approve/", views.refund_approve, name="refund_approve"),
    path("refunds/<int:pk>/reject/", views.refund_reject, name="refund_reject"),
    path("risk/", views.risk_queue, name="risk_queue"),
    path("risk/<int:pk>/approve/", views.risk_approve, name="risk_approve"),
    path("risk/<int:pk>/reject/", views.risk_reject, name="risk_reject"),
    path("risk/rules/", views.risk_rules, name="risk_rules"),
    path("risk/rules/<int:pk>/", views.risk_rule_edit, name="risk_rule_edit"),
    path("blacklist/", views.blacklist, name="blacklist"),
    path("blacklist/add/", views.blacklist_add, name="blacklist_add"),
    path("blacklist/<int:pk>/remove/", views.blacklist_remove, name="blacklist_remove"),
    path("methods/", views.method_list, name="method_list"),
    path("methods/<int:pk>/", views.method_edit, name="method_edit"),
    path("settlements/", views.settlement_list, name="settlement_list"),
    path("reconciliation/", views.reconciliation_list, name="reconciliation_list"),
    path("reconciliation/new/", views.reconciliation_import, name="reconciliation_import"),
    path("reconciliation/<int:pk>/", views.reconciliation_detail, name="reconciliation_detail"),
    path("summary/", views.summary, name="summary"),
]
