from django.contrib import admin

from customers.models import Customer, CustomerAddress, CustomerMessage, CustomerTag, InteractionNote, OutboundMessage
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


@admin.register(InteractionNote)
class InteractionNoteAdmin(ReadOnlyAdmin):
    list_display = ("customer", "kind", "follow_up_at", "assignee", "done", "reminded_at", "created_at")
    list_filter = ("kind", "done")
    raw_id_fields = ("customer",)


@admin.register(CustomerMessage)
class CustomerMessageAdmin(ReadOnlyAdmin):
    list_display = ("subject", "customer", "status", "assignee", "created_at", "first_reply_at", "sla_breached_at")
    list_filter = ("status",)
    raw_id_fields = ("customer",)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    """Every text sent to a customer, with what the provider (or the sandbox) answered."""

    list_display = ("created_at", "channel", "to", "status", "provider", "provider_id", "error", "purpose")
    list_filter = ("channel", "status", "purpose")
    search_fields = ("to", "provider_id")
    raw_id_fields = ("customer",)
