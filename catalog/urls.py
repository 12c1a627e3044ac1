from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/import/", views.product_import, name="product_import"),
    path("products/export/", views.product_export, name="product_export"),
    path("products/prices/", views.product_price_apply, name="product_price_apply"),
    path("products/<int:pk>/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/images/", views.product_images, name="product_images"),
    path("products/<int:pk>/images/<int:image_pk>/", views.product_image_action, name="product_image_action"),
    path("products/<int:pk>/skus/", views.product_skus, name="product_skus"),
    path("products/<int:pk>/publish/", views.product_publish, name="product_publish"),
    path("products/<int:pk>/schedule/", views.product_schedule, name="product_schedule"),
    path("categories/", views.category_list, name="category_list"),
    path("categories/<int:pk>/", views.category_detail, name="category_detail"),
    path("categories/<int:pk>/edit/", views.category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", views.category_delete, name="category_delete"),
]
for prefix, (list_view, edit_view, delete_view), label in (
    ("brands", views.brand_views, "brand"),
    ("tags", views.tag_views, "tag"),
    ("attributes", views.attribute_views, "attributedefinition"),
):
    urlpatterns += [
        path(f"{prefix}/", list_view, name=f"{label}_list"),
        path(f"{prefix}/<int:pk>/", edit_view, name=f"{label}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete_view, name=f"{label}_delete"),
    ]
