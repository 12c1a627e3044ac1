from django.urls import path

from marketing.views import flash as flash_views

app_name = "marketing"
urlpatterns = [
    path("flash-sales/", flash_views.flash_session_list, name="flash_session_list"),
    path("flash-sales/new/", flash_views.flash_session_create, name="flash_session_create"),
    path("flash-sales/<int:pk>/", flash_views.flash_session_detail, name="flash_session_detail"),
    path("flash-sales/<int:pk>/skus/", flash_views.flash_item_add, name="flash_item_add"),
    path("group-buys/", flash_views.group_buy_list, name="group_buy_list"),
    path("group-buys/new/", flash_views.group_buy_create, name="group_buy_create"),
    path("group-buys/<int:pk>/", flash_views.group_buy_detail, name="group_buy_detail"),
]
