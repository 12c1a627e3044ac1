from django.contrib import admin

from customers.models import Customer, CustomerAddress, CustomerTag
from shop.web import ReadOnlyAdmin


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("name", "masked_phone", "email", "gender", "source", "blacklisted", "erased_at", "created_at")
    list_filter = ("gender", "source", "blacklisted")
    search_fields = ("phone", "name")
    exclude = ("phone",)  # full phone numbers are shown only through customers.privacy (audited)


@admin.register(CustomerTag)
class CustomerTagAdmin(ReadOnlyAdmin):
    search_fields = ("name",)


@admin.register(CustomerAddress)
class CustomerAddressAdmin(ReadOnlyAdmin):
    list_display = ("customer", "name", "province", "city", "is_default")
    raw_id_fields = ("customer",)
    exclude = ("phone",)
