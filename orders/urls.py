from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("<int:pk>/", views.order_detail, name="order_detail"),
    path("<int:pk>/allocate/", views.order_allocate, name="order_allocate"),
    path("<int:pk>/pick/", views.order_pick, name="order_pick"),
    path("<int:pk>/ship/", views.order_ship, name="order_ship"),
    path("<int:pk>/deliver/", views.order_deliver, name="order_deliver"),
    path("<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("<int:pk>/note/", views.order_note, name="order_note"),
    path("<int:pk>/hold/", views.order_flag, name="order_flag"),
    path("<int:pk>/release/", views.order_resolve, name="order_resolve"),
    path("<int:pk>/unmerge/", views.order_unmerge, name="order_unmerge"),
    path("<int:pk>/address/", views.order_address, name="order_address"),
    path("<int:pk>/price/", views.order_price, name="order_price"),
    path("<int:pk>/packing-slip/", views.packing_slip, name="packing_slip"),
    path("shipments/<int:pk>/tracking/", views.tracking_event_add, name="tracking_event_add"),
    path("print/packing-slips/", views.packing_slips, name="packing_slips"),
    path("print/pick-list/", views.pick_list, name="pick_list"),
    path("queues/", views.work_queue, {"queue": "allocate"}, name="queue_allocate"),
    path("queues/<slug:queue>/", views.work_queue, name="work_queue"),
    path("abnormal/", views.abnormal_list, name="abnormal_list"),
    path("merge/", views.merge, name="merge"),
    path("ship-csv/", views.ship_csv, name="ship_csv"),
    path("carriers/", views.carrier_list, name="carrier_list"),
    path("carriers/new/", views.carrier_create, name="carrier_create"),
    path("carriers/<int:pk>/", views.carrier_edit, name="carrier_edit"),
    path("freight/", views.freight_list, name="freight_list"),
    path("freight/new/", views.freight_create, name="freight_create"),
    path("freight/<int:pk>/", views.freight_edit, name="freight_edit"),
    path("dispatch-rules/", views.rule_list, name="rule_list"),
    path("dispatch-rules/new/", views.rule_create, name="rule_create"),
    path("dispatch-rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("dispatch-rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
]
