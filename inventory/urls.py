from django.urls import path

from inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.stock_list, name="stock_list"),
    path("ledger/", views.movement_list, name="movement_list"),
    path("receive/", views.stock_receive, name="stock_receive"),
    path("adjust/", views.stock_adjust, name="stock_adjust"),
    path("transfer/", views.stock_transfer, name="stock_transfer"),
    path("low-stock/", views.low_stock, name="low_stock"),
    path("thresholds/", views.rule_list, name="rule_list"),
    path("thresholds/set/", views.rule_set, name="rule_set"),
    path("thresholds/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("replenishment/", views.replenishment_list, name="replenishment_list"),
    path("replenishment/set/", views.replenishment_set, name="replenishment_set"),
    path("replenishment/<int:pk>/delete/", views.replenishment_delete, name="replenishment_delete"),
    path("warehouses/", views.warehouse_list, name="warehouse_list"),
    path("warehouses/new/", views.warehouse_create, name="warehouse_create"),
    path("warehouses/<int:pk>/", views.warehouse_edit, name="warehouse_edit"),
    path("suppliers/", views.supplier_list, name="supplier_list"),
    path("suppliers/new/", views.supplier_create, name="supplier_create"),
    path("suppliers/<int:pk>/", views.supplier_edit, name="supplier_edit"),
    path("suppliers/<int:pk>/skus/", views.supplier_sku_add, name="supplier_sku_add"),
    path("suppliers/skus/<int:pk>/remove/", views.supplier_sku_remove, name="supplier_sku_remove"),
    path("purchase-orders/", views.po_list, name="po_list"),
    path("purchase-orders/new/", views.po_create, name="po_create"),
    path("purchase-orders/<int:pk>/", views.po_detail, name="po_detail"),
    path("purchase-orders/<int:pk>/receive/", views.po_receive, name="po_receive"),
    path("purchase-orders/<int:pk>/place/", views.po_place, name="po_place"),
    path("purchase-orders/<int:pk>/cancel/", views.po_cancel, name="po_cancel"),
    path("stocktakes/", views.stocktake_list, name="stocktake_list"),
    path("stocktakes/new/", views.stocktake_create, name="stocktake_create"),
    path("stocktakes/<int:pk>/", views.stocktake_detail, name="stocktake_detail"),
    path("stocktakes/<int:pk>/sheet/", views.stocktake_sheet, name="stocktake_sheet"),
    path("stocktakes/<int:pk>/count/", views.stocktake_count, name="stocktake_count"),
    path("stocktakes/<int:pk>/approve/", views.stocktake_approve, name="stocktake_approve"),
]
