"""The order list, an order's page and its full timeline."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing.selectors import order_promotions
from orders import selectors, state
from orders.forms import CancelForm, FlagForm, NoteForm, ResolveForm, ShipForm, TrackingEventForm
from orders.lists import OrderList
from orders.templatetags.orders_tags import event_label
from orders.views.common import _order
from shop import labels
from shop.hooks import hook_answers
from shop.lists import Column, ListPage, render_list
from shop.permissions import staff_view
from shop.related import related, related_panels


@staff_view("orders.view_order")
def order_list(request):
    return render_list(request, "orders/order_list.html", OrderList(request))


@staff_view("orders.view_order")
def order_detail(request, pk):
    order = _order(pk)
    return _render_detail(request, order)


@staff_view("orders.view_order")
def order_timeline(request, pk):
    order = _order(pk)
    page = ListPage(
        request,
        selectors.order_events(order),
        columns=[
            Column("created_at", gettext_lazy("When")),
            Column(
                "actor_label", gettext_lazy("By"), sortable=False, value=lambda e: labels.actor_label(e.actor_label)
            ),
            Column("kind", gettext_lazy("Event"), sortable=False, value=lambda e: event_label(e.kind)),
            Column("message", gettext_lazy("Message"), sortable=False),
        ],
        search_fields=("message__icontains",),
        default_ordering="-created_at",
        export_name=f"order-{order.number}-timeline",
    )
    return render_list(request, "orders/timeline.html", page, {"order": order})


def _render_detail(request, order, **forms_in):
    allowed = state.allowed_actions(order)
    lines = list(order.lines.all())
    charged = selectors.line_charges(order, lines)
    for line in lines:
        line.charged = charged[line.pk]
    context = {
        "order": order,
        "allowed": allowed,
        "lines": lines,
        "promotions": order_promotions(order.pk),
        "events": related(
            selectors.order_events(order),
            key="timeline",
            title=_("Timeline"),
            url=reverse("orders:order_timeline", args=[order.pk]),
            template="orders/_timeline.html",
        ),
        "cod_unpaid": state.is_unpaid_cod(order) and order.is_open,
        "cod_collectable": state.order_cod_collectable(order),
        # a merged order ships under its lead's shipment
        "shipments": selectors.order_shipments(order),
        "merged": order.merged_orders.all(),
        "priority": selectors.priority_explained(order) if order.priority_at else None,
        "ship_form": forms_in.get("ship_form") or ShipForm(order=order),
        "cancel_form": forms_in.get("cancel_form") or CancelForm(),
        "note_form": forms_in.get("note_form") or NoteForm(),
        "flag_form": forms_in.get("flag_form") or FlagForm(),
        "resolve_form": ResolveForm(),
        "tracking_form": TrackingEventForm(),
        "unshipped": state.order_address_editable(order),
        # later modules' links about this order (after-sales requests and "Request after-sales"), by hook
        "order_links": [link for links in hook_answers("order_links", request.user, order) for link in links],
        # what later modules show about the order (AppConfig.order_panels: after-sales complaints, ...)
        "related_panels": related_panels("order_panels", order, request.user),
    }
    return render(request, "orders/order_detail.html", context, status=400 if forms_in else 200)
