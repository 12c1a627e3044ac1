from django.contrib import admin

from customers.models import Customer, CustomerAddress, CustomerTag, PointsEntry
from shop.web import ReadOnlyAdmin


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("name", "phone", "email", "gender", "source", "blacklisted", "created_at")
    list_filter = ("gender", "source", "blacklisted")
    search_fields = ("phone", "name")


@admin.register(CustomerTag)
class CustomerTagAdmin(ReadOnlyAdmin):
    search_fields = ("name",)


@admin.register(CustomerAddress)
class CustomerAddressAdmin(ReadOnlyAdmin):
    list_display = ("customer", "name", "phone", "province", "city", "is_default")
    raw_id_fields = ("customer",)


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "customer", "kind", "points", "balance_after", "order_number", "reason")
    list_filter = ("kind",)
    search_fields = ("customer__phone", "order_number")
    raw_id_fields = ("customer",)
