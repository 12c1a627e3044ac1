"""The points pages: the panel on the customer page, the staff adjustment, and the ledger list."""

from functools import partial

from django.utils.translation import gettext_lazy as _

from customers import selectors, services
from customers.forms import PointsAdjustForm, PointsFilter
from customers.views.common import customer_or_404, form_page
from shop.lists import Column, ListPage, render_list
from shop.permissions import staff_view

PANEL_ROWS = 10


def points_panel(user, customer) -> dict:
    """What the customer page's points panel shows: the balance, the latest rows, the adjust form."""
    may_adjust = user.has_perm("customers.adjust_points")
    return {
        "balance": customer.points_balance,
        "rows": list(selectors.customer_points_entries(customer)[:PANEL_ROWS]),
        "may_adjust": may_adjust,
        "may_list": user.has_perm("customers.view_pointsentry"),
        "form": PointsAdjustForm() if may_adjust else None,
    }


@staff_view("customers.adjust_points")
def points_adjust(request, pk):
    customer = customer_or_404(pk)
    form = PointsAdjustForm(request.POST or None)
    call = partial(services.points_adjust, customer=customer, actor=request.user)
    return form_page(request, customer, form, call, _("Points adjusted."), _("Adjust points"))


@staff_view("customers.view_pointsentry")
def points_list(request):
    page = ListPage(
        request,
        selectors.points_entries(),
        filterset_class=PointsFilter,
        columns=[
            Column("created_at", _("When")),
            Column("customer", _("Customer"), sortable=False, value=lambda e: e.customer.name),
            Column("phone", _("Mobile phone"), sortable=False, value=lambda e: e.customer.masked_phone),
            Column("kind", _("Kind"), sortable=False, value=lambda e: e.get_kind_display()),
            Column("points", _("Points"), sortable=False),
            Column("balance_after", _("Balance after"), sortable=False),
            Column("order_number", _("Order"), sortable=False),
            Column("reason", _("Reason"), sortable=False),
            Column("expires_at", _("Expires"), sortable=False),
            Column("actor_label", _("By"), sortable=False),
        ],
        search_fields=("customer__phone__startswith",),
        default_ordering="-created_at",
        export_name="points",
    )
    return render_list(request, "customers/points_list.html", page)
