"""The actions on an order's page: the warehouse steps, cancelling, notes, holds, unmerging, address and price
changes, tracking updates. Each parses its form, calls one service and goes back to the page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers import privacy
from orders import services
from orders.forms import (
    AddressForm,
    CancelForm,
    FlagForm,
    NoteForm,
    PriceForm,
    ResolveForm,
    ShipForm,
    TrackingEventForm,
)
from orders.models import Shipment
from orders.views.common import _back, _order
from orders.views.detail import _render_detail
from shop.permissions import staff_view
from shop.web import form_submit, message_submit


def _action(request, pk, call, success, form_class=None, form_key=None):
    order = _order(pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _render_detail(request, order, **{form_key: form})
    message_submit(request, lambda: call(order, form.cleaned_data if form is not None else {}), success)
    return _back(request, order.get_absolute_url())


@staff_view("orders.ship_order")
@require_POST
def order_allocate(request, pk):
    return _action(
        request, pk, lambda o, d: services.order_allocate(order=o, actor=request.user), _("Sent to the warehouse.")
    )


@staff_view("orders.ship_order")
@require_POST
def order_pick(request, pk):
    return _action(request, pk, lambda o, d: services.order_pick(order=o, actor=request.user), _("Picking started."))


@staff_view("orders.ship_order")
@require_POST
def order_ship(request, pk):
    order = _order(pk)
    form = ShipForm(request.POST, order=order)
    if not form_submit(
        form,
        lambda: services.order_ship(
            order=order,
            carrier=form.cleaned_data["carrier"],
            tracking_number=form.cleaned_data["tracking_number"],
            actor=request.user,
        ),
    ):
        return _render_detail(request, order, ship_form=form)
    messages.success(request, _("Order shipped."))
    return _back(request, order.get_absolute_url())


@staff_view("orders.ship_order")
@require_POST
def order_deliver(request, pk):
    return _action(
        request, pk, lambda o, d: services.order_deliver(order=o, actor=request.user), _("Marked as delivered.")
    )


@staff_view("orders.change_order")
@require_POST
def order_cancel(request, pk):
    order = _order(pk)
    form = CancelForm(request.POST)
    if not form_submit(
        form, lambda: services.order_cancel(order=order, actor=request.user, reason=form.cleaned_data["reason"])
    ):
        return _render_detail(request, order, cancel_form=form)
    messages.success(request, _("Order cancelled."))
    return redirect(order)


@staff_view("orders.change_order")
@require_POST
def order_note(request, pk):
    return _action(
        request,
        pk,
        lambda o, d: services.order_note_add(order=o, actor=request.user, text=d["text"]),
        _("Note added."),
        NoteForm,
        "note_form",
    )


@staff_view("orders.change_order")
@require_POST
def order_flag(request, pk):
    return _action(
        request,
        pk,
        lambda o, d: services.order_flag_abnormal(order=o, reason=d["reason"], note=d["note"], actor=request.user),
        _("Order put on hold."),
        FlagForm,
        "flag_form",
    )


@staff_view("orders.change_order")
@require_POST
def order_resolve(request, pk):
    return _action(
        request,
        pk,
        lambda o, d: services.order_clear_abnormal(order=o, actor=request.user, note=d["note"]),
        _("Order released."),
        ResolveForm,
        "flag_form",
    )


@staff_view("orders.change_order")
@require_POST
def order_unmerge(request, pk):
    return _action(
        request,
        pk,
        lambda o, d: services.order_unmerge(order=o, actor=request.user),
        _("The order ships on its own again."),
    )


@staff_view("orders.change_order")
def order_address(request, pk):
    order = _order(pk)
    form = AddressForm.for_order(order, request.POST or None)
    form.initial["phone"] = privacy.form_phone(request, order, source="order", phone=order.ship_phone)

    def change():
        address = dict(form.cleaned_data, phone=privacy.kept_phone(form.cleaned_data["phone"], order.ship_phone))
        return services.order_address_change(order=order, actor=request.user, **address)

    if request.method == "POST" and form_submit(form, change):
        messages.success(request, _("Address changed."))
        return redirect(order)
    return render(request, "orders/form.html", {"form": form, "order": order, "title": _("Shipping address")})


@staff_view("orders.adjust_price")
def order_price(request, pk):
    order = _order(pk)
    form = PriceForm(request.POST or None, initial={"adjustment": order.adjustment})
    if request.method == "POST" and form_submit(
        form, lambda: services.order_adjust_price(order=order, actor=request.user, **form.cleaned_data)
    ):
        messages.success(request, _("Price adjusted."))
        return redirect(order)
    return render(request, "orders/form.html", {"form": form, "order": order, "title": _("Adjust the price")})


@staff_view("orders.change_shipment")
@require_POST
def tracking_event_add(request, pk):
    shipment = get_object_or_404(Shipment.objects.select_related("order"), pk=pk)
    form = TrackingEventForm(request.POST)
    if form_submit(
        form, lambda: services.tracking_event_add(shipment=shipment, actor=request.user, **form.cleaned_data)
    ):
        messages.success(request, _("Tracking update added."))
    else:
        messages.error(request, _("Describe the update."))
    return redirect(shipment.order)
