"""The marketing list pages, declared on the one list class (shop.lists.ListPage)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketing import filters, selectors
from shop.lists import Column, ListPage


class FlashSessionList(ListPage):
    filterset_class = filters.FlashSessionFilter
    search_fields = ("name__icontains",)
    default_ordering = "-starts_at"
    orderings = {"-starts_at": ("-starts_at",), "starts_at": ("starts_at",)}
    export_name = "flash-sales"
    columns = [
        Column("name", _("Name"), sortable=False),
        Column("starts_at", _("Starts"), value=lambda s: timezone.localtime(s.starts_at)),
        Column("ends_at", _("Ends"), sortable=False, value=lambda s: timezone.localtime(s.ends_at)),
        Column("status", _("Status"), sortable=False, value=lambda s: s.get_status_display()),
        Column("sku_count", _("SKUs"), sortable=False),
        Column("units", _("Sale quantity"), sortable=False, value=lambda s: s.units or 0),
        Column("left", _("Remaining"), sortable=False, value=lambda s: s.left or 0),
        Column("sold", _("Sold"), sortable=False, value=lambda s: s.sold or 0),
    ]

    def scope(self):
        return selectors.flash_sessions()


class GroupBuyList(ListPage):
    filterset_class = filters.GroupBuyFilter
    search_fields = ("name__icontains", "sku__code__istartswith")
    default_ordering = "-starts_at"
    orderings = {"-starts_at": ("-starts_at",), "starts_at": ("starts_at",)}
    export_name = "group-buys"
    columns = [
        Column("name", _("Name"), sortable=False),
        Column("sku", _("SKU"), sortable=False, value=lambda g: g.sku.code),
        Column("group_size", _("Group size"), sortable=False),
        Column("group_price", _("Group price"), sortable=False),
        Column("starts_at", _("Starts"), value=lambda g: timezone.localtime(g.starts_at)),
        Column("ends_at", _("Ends"), sortable=False, value=lambda g: timezone.localtime(g.ends_at)),
        Column("status", _("Status"), sortable=False, value=lambda g: g.get_status_display()),
        Column("group_count", _("Groups"), sortable=False),
        Column("filled", _("Filled"), sortable=False),
    ]

    def scope(self):
        return selectors.group_buys()
