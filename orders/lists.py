"""The order list pages, declared on the one list class (shop.lists.ListPage).

Each ordering is served by an index in the same direction, ties broken by id: (placed_at, id) for the list and
the abnormal queue, (total, id) by amount, (status, priority_at, id) for the work queues.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers.privacy import PHONE, phone_html
from orders import selectors, services
from orders.filters import OrderFilter
from orders.models import Order
from shop.lists import BulkAction, Column, ListPage, choice_labels, prefetched, show, td, url_for, when
from shop.money import format_money

MAX_IDS = 500


def _to(url_name):
    """A bulk action that opens a page for the selected orders (printing, merging)."""

    def run(request, queryset):
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:MAX_IDS])
        return redirect(f"{reverse(url_name)}?{urlencode([('ids', i) for i in ids])}")

    return run


def _allocate(request, queryset):
    done, failed = services.orders_allocate(orders=queryset.order_by("pk")[:MAX_IDS], actor=request.user)
    for message in failed[:10]:
        messages.error(request, message)
    return gettext("%(n)s orders sent to the warehouse.") % {"n": done}


class OrderList(ListPage):
    filterset_class = OrderFilter
    default_ordering = "-placed_at"
    orderings = {"-placed_at": ("-placed_at",), "-total": ("-total",)}
    export_name = "orders"
    count_limit = None  # a million orders: no count on every load
    columns = [
        Column("number", _("Order number"), sortable=False),
        # display= rather than value= lambdas: the export reads these with values_list (shop.exports)
        Column("placed_at", _("Placed"), display="local"),
        Column("status", _("Status"), sortable=False, display="label"),
        Column("ship_name", _("Recipient"), sortable=False),
        Column("ship_phone", _("Phone"), sortable=False, personal=PHONE),
        Column("ship_province", _("Province"), sortable=False),
        Column("payment_method", _("Payment"), sortable=False, display="label"),
        Column("channel", _("Channel"), sortable=False, display="label"),
        Column("total", _("Total")),
    ]
    actions = [
        BulkAction("print_slips", _("Print packing slips"), "orders.view_order", _to("orders:packing_slips")),
        BulkAction("print_pick_list", _("Print pick list"), "orders.view_order", _to("orders:pick_list")),
        BulkAction("allocate", _("Send to the warehouse"), "orders.ship_order", _allocate),
        BulkAction("merge", _("Merge for shipping…"), "orders.change_order", _to("orders:merge")),
    ]

    def scope(self):
        return selectors.list_rows(selectors.orders())

    def search_rows(self, queryset, term):
        return selectors.order_search(queryset, term[:40])

    def row_cells(self):
        """The list's row (fast row path): number and channel, placed, recipient and phone, province, status
        tags, payment, tracking (the lead's for a merged order), total."""
        detail = url_for("orders:order_detail")
        phone = phone_html(self.request.user, "order")
        aftersales = escape(gettext("After-sales"))
        channels, statuses, reasons, aftersales_statuses, methods = (
            choice_labels(Order, name)
            for name in ("channel", "status", "abnormal_reason", "aftersales_status", "payment_method")
        )

        def number(o):
            channel = channels.get(o.channel, o.channel)
            channel = "" if o.channel == "web" else f' <span class="muted">{show(channel)}</span>'
            return f'<td><a href="{detail(o.pk)}" data-testid="order-link">{show(o.number)}</a>{channel}</td>'

        def status(o):
            html = f'<span class="tag status-{show(o.status)}">{show(statuses.get(o.status, o.status))}</span>'
            if o.is_abnormal:
                html += f' <span class="tag abnormal">{show(reasons.get(o.abnormal_reason, o.abnormal_reason))}</span>'
            if o.aftersales_status != Order.AftersalesStatus.NONE:
                html += (
                    f' <span class="tag aftersales-{show(o.aftersales_status)}" data-testid="order-aftersales-status">'
                    f"{aftersales}: {show(aftersales_statuses.get(o.aftersales_status, o.aftersales_status))}</span>"
                )
            return td(html)

        def tracking(o):
            shipments = prefetched(o, "shipments")
            if not shipments and o.merged_into_id:
                shipments = prefetched(o.merged_into, "shipments")
            return td("".join(f"<div>{show(s.carrier.name)} {show(s.tracking_number)}</div>" for s in shipments))

        return [
            number,
            lambda o: td(when(o.placed_at)),
            lambda o: td(f'{show(o.ship_name)} <span class="muted">{phone(o.pk, o.ship_phone)}</span>'),
            lambda o: td(show(o.ship_province)),
            status,
            lambda o: td(show(methods.get(o.payment_method, o.payment_method))),
            tracking,
            lambda o: td(escape(format_money(o.total)), "num"),
        ]


class QueueList(ListPage):
    """One step of the warehouse flow, earliest priority first."""

    default_ordering = "priority_at"
    orderings = {"priority_at": ("priority_at",)}
    count_limit = None
    queue = ""

    def scope(self):
        return selectors.list_rows(selectors.queue(self.queue))


class AbnormalList(ListPage):
    default_ordering = "-placed_at"
    orderings = {"-placed_at": ("-placed_at",)}
    count_limit = None

    def scope(self):
        return selectors.list_rows(selectors.abnormal_orders())
