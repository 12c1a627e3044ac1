from django.contrib import admin

from customers.models import Customer
from shop.web import ReadOnlyAdmin


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("name", "phone", "email", "created_at")
    search_fields = ("phone", "name")
