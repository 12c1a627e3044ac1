from django.urls import path

from aftersales.views import complaints, knowledge, report, reviews, surveys
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
    # reviews and surveys
    path("reviews/", reviews.review_list, name="review_list"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review_detail"),
    path("reviews/<int:pk>/moderate/", reviews.review_moderate, name="review_moderate"),
    path("reviews/<int:pk>/reply/", reviews.review_reply, name="review_reply"),
    path("reviews/keywords/", reviews.keyword_list, name="keyword_list"),
    path("reviews/keywords/<int:pk>/delete/", reviews.keyword_delete, name="keyword_delete"),
    path("reviews/products/", reviews.product_ratings, name="product_ratings"),
    path("surveys/", surveys.survey_results, name="survey_results"),
]
