from django.urls import path

from marketing.views import bundles as bundle_views
from marketing.views import campaigns as campaign_views
from marketing.views import experiments as experiment_views
from marketing.views import flash as flash_views
from marketing.views import preview
from marketing.views import promotions as views

app_name = "marketing"
urlpatterns = [
    path("preview/", preview.price_preview, name="price_preview"),
    path("coupons/", views.coupon_list, name="coupon_list"),
    path("coupons/new/", views.coupon_create, name="coupon_create"),
    path("coupons/<int:pk>/", views.coupon_edit, name="coupon_edit"),
    path("coupons/<int:pk>/codes/", views.coupon_codes_generate, name="coupon_codes_generate"),
    path("coupons/codes/", views.code_list, name="code_list"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_edit, name="activity_edit"),
    path("timed/", views.timed_list, name="timed_list"),
    path("timed/new/", views.timed_create, name="timed_create"),
    path("timed/<int:pk>/", views.timed_edit, name="timed_edit"),
    path("member-prices/", views.member_price_list, name="member_price_list"),
    path("member-prices/new/", views.member_price_create, name="member_price_create"),
    path("member-prices/<int:pk>/", views.member_price_edit, name="member_price_edit"),
    path("member-prices/<int:pk>/delete/", views.member_price_delete, name="member_price_delete"),
    path("stacking/", views.stacking_list, name="stacking_list"),
    path("stacking/new/", views.stacking_create, name="stacking_create"),
    path("stacking/<int:pk>/", views.stacking_edit, name="stacking_edit"),
    path("flash-sales/", flash_views.flash_session_list, name="flash_session_list"),
    path("flash-sales/new/", flash_views.flash_session_create, name="flash_session_create"),
    path("flash-sales/<int:pk>/", flash_views.flash_session_detail, name="flash_session_detail"),
    path("flash-sales/<int:pk>/skus/", flash_views.flash_item_add, name="flash_item_add"),
    path("group-buys/", flash_views.group_buy_list, name="group_buy_list"),
    path("group-buys/new/", flash_views.group_buy_create, name="group_buy_create"),
    path("group-buys/<int:pk>/", flash_views.group_buy_detail, name="group_buy_detail"),
    path("bundles/", bundle_views.bundle_list, name="bundle_list"),
    path("bundles/new/", bundle_views.bundle_create, name="bundle_create"),
    path("bundles/<int:pk>/", bundle_views.bundle_edit, name="bundle_edit"),
    path("experiments/", experiment_views.experiment_list, name="experiment_list"),
    path("experiments/new/", experiment_views.experiment_create, name="experiment_create"),
    path("experiments/<int:pk>/", experiment_views.experiment_detail, name="experiment_detail"),
    path("experiments/<int:pk>/edit/", experiment_views.experiment_edit, name="experiment_edit"),
    path("experiments/<int:pk>/issue/", experiment_views.experiment_issue, name="experiment_issue"),
    path("experiments/<int:pk>/promote/", experiment_views.experiment_promote, name="experiment_promote"),
    path("coupons/<int:pk>/issue/", campaign_views.coupon_issue, name="coupon_issue"),
    path("coupons/<int:pk>/report/", campaign_views.coupon_report, name="coupon_report"),
    path("activities/<int:pk>/report/", campaign_views.activity_report, name="activity_report"),
    path("timed/<int:pk>/report/", campaign_views.timed_report, name="timed_report"),
    path("calendar/", campaign_views.promotion_calendar, name="calendar"),
]
