from django.urls import path

from customers.views import profile as views
from customers.views import segments

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:pk>/tags/", views.customer_tags, name="customer_tags"),
    path("<int:pk>/addresses/new/", views.address_create, name="address_create"),
    path("addresses/<int:pk>/edit/", views.address_edit, name="address_edit"),
    path("addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
    path("addresses/<int:pk>/default/", views.address_default, name="address_default"),
    path("segments/", segments.segment_list, name="segment_list"),
    path("segments/new/", segments.segment_create, name="segment_create"),
    path("segments/count/", segments.segment_count, name="segment_count"),
    path("segments/<int:pk>/", segments.segment_detail, name="segment_detail"),
    path("segments/<int:pk>/edit/", segments.segment_edit, name="segment_edit"),
    path("segments/<int:pk>/recount/", segments.segment_recount, name="segment_recount"),
    path("segments/<int:pk>/delete/", segments.segment_delete, name="segment_delete"),
]
