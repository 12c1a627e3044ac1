from django.urls import path

from customers.views import crm, inbox, members, points, privacy, recommendations, segments
from customers.views import profile as views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("push-list/", recommendations.push_list, name="push_list"),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:pk>/tags/", views.customer_tags, name="customer_tags"),
    path("<int:pk>/addresses/new/", views.address_create, name="address_create"),
    path("addresses/<int:pk>/edit/", views.address_edit, name="address_edit"),
    path("addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
    path("addresses/<int:pk>/default/", views.address_default, name="address_default"),
    path("tiers/", members.tier_list, name="tier_list"),
    path("tiers/new/", members.tier_create, name="tier_create"),
    path("tiers/<int:pk>/", members.tier_edit, name="tier_edit"),
    path("tiers/<int:pk>/delete/", members.tier_delete, name="tier_delete"),
    path("rfm/", members.rfm, name="rfm"),
    path("rfm/recompute/", members.rfm_recompute, name="rfm_recompute"),
    path("<int:pk>/points/adjust/", points.points_adjust, name="points_adjust"),
    path("points/", points.points_list, name="points_list"),
    path("phones/reveal/", privacy.phone_reveal, name="phone_reveal"),
    path("<int:pk>/data/", privacy.customer_data_file, name="customer_data_file"),
    path("<int:pk>/erase/", privacy.customer_erase, name="customer_erase"),
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
    path("segments/", segments.segment_list, name="segment_list"),
    path("segments/new/", segments.segment_create, name="segment_create"),
    path("segments/count/", segments.segment_count, name="segment_count"),
    path("segments/<int:pk>/", segments.segment_detail, name="segment_detail"),
    path("segments/<int:pk>/edit/", segments.segment_edit, name="segment_edit"),
    path("segments/<int:pk>/recount/", segments.segment_recount, name="segment_recount"),
    path("segments/<int:pk>/delete/", segments.segment_delete, name="segment_delete"),
]
