from django.urls import path

from customers.views import crm, inbox
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
    # CRM: interaction notes and the timeline
    path("<int:pk>/timeline/", crm.customer_timeline, name="customer_timeline"),
    path("<int:pk>/notes/new/", crm.note_add, name="note_add"),
    path("notes/<int:pk>/done/", crm.note_done, name="note_done"),
    # the message inbox (客户留言)
    path("messages/", inbox.message_list, name="message_list"),
    path("messages/<int:pk>/", inbox.message_detail, name="message_detail"),
    path("messages/<int:pk>/assign/", inbox.message_assign, name="message_assign"),
    path("messages/<int:pk>/reply/", inbox.message_reply, name="message_reply"),
    path("messages/<int:pk>/status/", inbox.message_status, name="message_status"),
]
