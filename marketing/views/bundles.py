"""The bundle (套餐) pages: list, create and edit, the same Area pages as the other promotions."""

from django.utils.translation import gettext_lazy as _

from marketing import forms
from marketing.models import Bundle
from marketing.services.bundles import bundle_save
from marketing.views.promotions import AREAS, WINDOW_COLUMNS, Area, _views
from shop.lists import Column

AREAS["bundle"] = Area(
    "bundle",
    Bundle,
    forms.BundleForm,
    bundle_save,
    _("Bundles"),
    _("New bundle"),
    [
        Column("name", _("Name")),
        Column("items", _("SKUs"), sortable=False, value=lambda r: r.items_display()),
        Column("price", _("Bundle price")),
        Column("list_total", _("List price"), sortable=False, value=lambda r: r.list_total()),
        *WINDOW_COLUMNS,
    ],
    forms.BundleFilter,
    prefetch=("items__sku",),
)

bundle_list, bundle_create, bundle_edit = _views("bundle", "bundle")
