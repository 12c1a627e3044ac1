from django.urls import path

from aftersales.views import requests as request_views

app_name = "aftersales"
urlpatterns: list = [
    # -- requests (退货 / 换货 / 仅退款) --
    path("requests/", request_views.request_list, name="request_list"),
    path("requests/<int:pk>/", request_views.request_detail, name="request_detail"),
    path("requests/<int:pk>/approve/", request_views.request_approve, name="request_approve"),
    path("requests/<int:pk>/reject/", request_views.request_reject, name="request_reject"),
    path("requests/<int:pk>/assign/", request_views.request_assign, name="request_assign"),
    path("requests/<int:pk>/note/", request_views.request_note, name="request_note"),
    path("requests/<int:pk>/receive/", request_views.request_receive, name="request_receive"),
    path("requests/<int:pk>/inspect/", request_views.request_inspect, name="request_inspect"),
    path("requests/<int:pk>/refund/", request_views.request_refund, name="request_refund"),
    path("requests/<int:pk>/ship/", request_views.request_ship_replacement, name="request_ship_replacement"),
    path("requests/<int:pk>/close/", request_views.request_close, name="request_close"),
    path("requests/<int:pk>/evidence/<int:evidence_pk>/", request_views.evidence_image, name="evidence_image"),
    path("orders/<int:order_pk>/request/", request_views.request_new, name="request_new"),
    path("reasons/", request_views.reason_list, name="reason_list"),
    path("reasons/new/", request_views.reason_create, name="reason_create"),
    path("reasons/reorder/", request_views.reasons_reorder, name="reasons_reorder"),
    path("reasons/<int:pk>/", request_views.reason_edit, name="reason_edit"),
    path("reasons/<int:pk>/delete/", request_views.reason_delete, name="reason_delete"),
    path("policy/", request_views.policy, name="policy"),
    path("policy/settings/", request_views.policy_settings, name="policy_settings"),
    path("policy/categories/", request_views.excluded_category_add, name="excluded_category_add"),
    path("policy/categories/<int:pk>/delete/", request_views.excluded_category_remove, name="excluded_category_remove"),
    path("policy/rules/new/", request_views.rule_create, name="rule_create"),
    path("policy/rules/<int:pk>/", request_views.rule_edit, name="rule_edit"),
    path("policy/rules/<int:pk>/delete/", request_views.rule_delete, name="rule_delete"),
]
