from django.urls import path

from customers.views import privacy
from customers.views import profile as views

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
    path("phones/reveal/", privacy.phone_reveal, name="phone_reveal"),
    path("<int:pk>/data/", privacy.customer_data_file, name="customer_data_file"),
    path("<int:pk>/erase/", privacy.customer_erase, name="customer_erase"),
]
