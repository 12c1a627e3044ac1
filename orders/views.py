"""Order pages: the keyset-paged list, detail with its actions, work queues, abnormal orders, merging,
printing, bulk shipping from a CSV, and the logistics set-up (carriers, freight, dispatch rules)."""
from functools import partial

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orders import selectors, services, state
from orders.forms import (
    AddressForm,
    CancelForm,
    CarrierForm,
    DispatchRuleForm,
    FlagForm,
    FreightTemplateForm,
    NoteForm,
    PriceForm,
    ResolveForm,
    ShipCsvForm,
    ShipForm,
    TrackingEventForm,
)
from orders.lists import MAX_IDS, AbnormalList, OrderList, QueueList
from orders.models import Carrier, DispatchRule, FreightTemplate, Shipment
from orders.templatetags.orders_tags import event_label
from shop import labels
from shop.errors import DomainError
from shop.lists import Column, ListPage, parse_ids, render_list
from shop.permissions import staff_view
from shop.related import related
from shop.web import form_submit, message_submit


def _ids(values):
    return parse_ids(values, limit=MAX_IDS)


def _back(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


# -- the order list ----------------------------------------------------------------------------------
@staff_view("orders.view_order")
def order_list(request):
    return render_list(request, "orders/order_list.html", OrderList(request))


# -- detail and its actions ----------------------------------------------------------------------------
def _order(pk):
    order = selectors.order_detail(pk)
    if order is None:
        raise Http404
    return order


@staff_view("orders.view_order")
def order_detail(request, pk):
    order = _order(pk)
    return _render_detail(request, order)


@staff_view("orders.view_order")
def order_timeline(request, pk):
    order = _order(pk)
    page = ListPage(request, selectors.order_events(order), columns=[
        Column("created_at", gettext_lazy("When")),
        Column("actor_label", gettext_lazy("By"), sortable=False, value=lambda e: labels.actor_label(e.actor_label)),
        Column("kind", gettext_lazy("Event"), sortable=False, value=lambda e: event_label(e.kind)),
        Column("message", gettext_lazy("Message"), sortable=False),
    ], search_fields=("message__icontains",), default_ordering="-created_at",
        export_name=f"order-{order.number}-timeline")
    return render_list(request, "orders/timeline.html", page, {"order": order})


def _render_detail(request, order, **forms_in):
    allowed = state.allowed_actions(order)
    lines = list(order.lines.all())
    charged = selectors.line_charges(order, lines)
    for line in lines:
        line.charged = charged[line.pk]
    context = {
        "order": order, "allowed": allowed, "lines": lines,
        "events": related(selectors.order_events(order), key="timeline", title=_("Timeline"),
                          url=reverse("orders:order_timeline", args=[order.pk]),
                          template="orders/_timeline.html"),
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
    }
    return render(request, "orders/order_detail.html", context, status=400 if forms_in else 200)


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
    return _action(request, pk, lambda o, d: services.order_allocate(order=o, actor=request.user),
                   _("Sent to the warehouse."))


@staff_view("orders.ship_order")
@require_POST
def order_pick(request, pk):
    return _action(request, pk, lambda o, d: services.order_pick(order=o, actor=request.user), _("Picking started."))


@staff_view("orders.ship_order")
@require_POST
def order_ship(request, pk):
    order = _order(pk)
    form = ShipForm(request.POST, order=order)
    if not form_submit(form, lambda: services.order_ship(order=order, carrier=form.cleaned_data["carrier"],
                                                    tracking_number=form.cleaned_data["tracking_number"],
                                                    actor=request.user)):
        return _render_detail(request, order, ship_form=form)
    messages.success(request, _("Order shipped."))
    return _back(request, order.get_absolute_url())


@staff_view("orders.ship_order")
@require_POST
def order_deliver(request, pk):
    return _action(request, pk, lambda o, d: services.order_deliver(order=o, actor=request.user),
                   _("Marked as delivered."))


@staff_view("orders.change_order")
@require_POST
def order_cancel(request, pk):
    order = _order(pk)
    form = CancelForm(request.POST)
    if not form_submit(form, lambda: services.order_cancel(order=order, actor=request.user,
                                                      reason=form.cleaned_data["reason"])):
        return _render_detail(request, order, cancel_form=form)
    messages.success(request, _("Order cancelled."))
    return redirect(order)


@staff_view("orders.change_order")
@require_POST
def order_note(request, pk):
    return _action(request, pk, lambda o, d: services.order_note_add(order=o, actor=request.user, text=d["text"]),
                   _("Note added."), NoteForm, "note_form")


@staff_view("orders.change_order")
@require_POST
def order_flag(request, pk):
    return _action(request, pk, lambda o, d: services.order_flag_abnormal(
        order=o, reason=d["reason"], note=d["note"], actor=request.user), _("Order put on hold."), FlagForm,
        "flag_form")


@staff_view("orders.change_order")
@require_POST
def order_resolve(request, pk):
    return _action(request, pk, lambda o, d: services.order_clear_abnormal(
        order=o, actor=request.user, note=d["note"]), _("Order released."), ResolveForm, "flag_form")


@staff_view("orders.change_order")
@require_POST
def order_unmerge(request, pk):
    return _action(request, pk, lambda o, d: services.order_unmerge(order=o, actor=request.user),
                   _("The order ships on its own again."))


@staff_view("orders.change_order")
def order_address(request, pk):
    order = _order(pk)
    form = AddressForm.for_order(order, request.POST or None)
    if request.method == "POST" and form_submit(form, lambda: services.order_address_change(
            order=order, actor=request.user, **form.cleaned_data)):
        messages.success(request, _("Address changed."))
        return redirect(order)
    return render(request, "orders/form.html", {"form": form, "order": order, "title": _("Shipping address")})


@staff_view("orders.adjust_price")
def order_price(request, pk):
    order = _order(pk)
    form = PriceForm(request.POST or None, initial={"adjustment": order.adjustment})
    if request.method == "POST" and form_submit(form, lambda: services.order_adjust_price(
            order=order, actor=request.user, **form.cleaned_data)):
        messages.success(request, _("Price adjusted."))
        return redirect(order)
    return render(request, "orders/form.html", {"form": form, "order": order, "title": _("Adjust the price")})


@staff_view("orders.change_shipment")
@require_POST
def tracking_event_add(request, pk):
    shipment = get_object_or_404(Shipment.objects.select_related("order"), pk=pk)
    form = TrackingEventForm(request.POST)
    if form_submit(form, lambda: services.tracking_event_add(shipment=shipment, actor=request.user, **form.cleaned_data)):
        messages.success(request, _("Tracking update added."))
    else:
        messages.error(request, _("Describe the update."))
    return redirect(shipment.order)


# -- printing ---------------------------------------------------------------------------------------
def _printed(request):
    ids = _ids(request.GET.getlist("ids"))
    return list(selectors.orders_by_ids(ids)) if ids else []


@staff_view("orders.view_order")
def packing_slips(request):
    return render(request, "orders/packing_slips.html", {"orders": _printed(request), "now": timezone.now()})


@staff_view("orders.view_order")
def packing_slip(request, pk):
    orders = list(selectors.orders_by_ids([pk]))
    if not orders:
        raise Http404
    return render(request, "orders/packing_slips.html", {"orders": orders, "now": timezone.now()})


@staff_view("orders.view_order")
def pick_list(request):
    orders = _printed(request)
    return render(request, "orders/pick_list.html", {"orders": orders, "rows": selectors.pick_list_rows(orders),
                                                     "now": timezone.now()})


# -- work queues and abnormal orders ----------------------------------------------------------------
@staff_view("orders.view_order")
def work_queue(request, queue):
    if queue not in selectors.QUEUES:
        raise Http404
    context = QueueList(request, queue=queue).context()
    now = timezone.now()
    context.update({
        "queue": queue, "rows": [(order, selectors.priority_explained(order, now)) for order in context["page"].rows],
        "counts": selectors.queue_counts(), "ship_form": ShipForm(),
        "queues": [("allocate", _("To allocate")), ("pick", _("To pick")), ("ship", _("To ship"))]})
    return render(request, "orders/queue.html", context)


@staff_view("orders.view_order")
def abnormal_list(request):
    return render_list(request, "orders/abnormal_list.html", AbnormalList(request), {"resolve_form": ResolveForm()})


@staff_view("orders.change_order")
def merge(request):
    if request.method == "POST":
        orders = list(selectors.orders().filter(pk__in=_ids(request.POST.getlist("ids"))))
        try:
            lead = services.orders_merge(orders=orders, actor=request.user)
        except DomainError as e:
            messages.error(request, e.message)
            return redirect("orders:merge")
        messages.success(request, _("Orders merged: they ship together with %(n)s.") % {"n": lead.number})
        return redirect(lead)
    ids = _ids(request.GET.getlist("ids"))
    chosen = list(selectors.orders_by_ids(ids)) if ids else []
    return render(request, "orders/merge.html", {
        "chosen": chosen, "problems": services.merge_problems(chosen) if chosen else [],
        "candidates": [] if chosen else selectors.merge_candidates()})


@staff_view("orders.ship_order")
def ship_csv(request):
    form = ShipCsvForm(request.POST or None, request.FILES or None)
    result = {}
    if request.method == "POST" and form_submit(form, lambda: result.update(started=services.orders_ship_csv_upload(
            text=form.cleaned_data["file"], actor=request.user))):
        started = result["started"]
        if started.run is not None:  # long work: a background run with a progress bar
            return redirect("jobrun_detail", started.run.pk)
        shipped = sum(1 for r in started.report if r["ok"])
        messages.success(request, _("%(ok)s of %(n)s rows shipped.") % {"ok": shipped, "n": len(started.report)})
    report = result["started"].report if result else None
    return render(request, "orders/ship_csv.html", {"form": form, "report": report})


# -- logistics set-up --------------------------------------------------------------------------------
@staff_view("orders.view_carrier")
def carrier_list(request):
    return render(request, "orders/setup_list.html", {
        "kind": "carrier", "rows": selectors.carriers(), "title": _("Carriers"),
        "can_add": request.user.has_perm("orders.add_carrier"), "add_url": reverse("orders:carrier_create")})


def _edit(request, *, instance, form_class, save, title, back):
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form_submit(form, partial(save, form)):
        messages.success(request, _("Saved."))
        return redirect(back)
    return render(request, "orders/form.html", {"form": form, "title": title})


def _carrier_save(request, carrier, form):
    services.carrier_save(actor=request.user, carrier=carrier, **form.cleaned_data)


@staff_view("orders.add_carrier")
def carrier_create(request):
    return _edit(request, instance=None, form_class=CarrierForm, save=partial(_carrier_save, request, None),
                 title=_("New carrier"), back="orders:carrier_list")


@staff_view("orders.change_carrier")
def carrier_edit(request, pk):
    carrier = get_object_or_404(Carrier, pk=pk)
    return _edit(request, instance=carrier, form_class=CarrierForm, save=partial(_carrier_save, request, carrier),
                 title=carrier.name, back="orders:carrier_list")


@staff_view("orders.view_freighttemplate")
def freight_list(request):
    return render(request, "orders/setup_list.html", {
        "kind": "freight", "rows": selectors.freight_templates(), "title": _("Freight templates"),
        "can_add": request.user.has_perm("orders.add_freighttemplate"), "add_url": reverse("orders:freight_create")})


def _freight_save(request, template, form):
    data = dict(form.cleaned_data)
    regions = data.pop("regions")
    services.freight_template_save(actor=request.user, template=template, regions=regions, **data)


@staff_view("orders.add_freighttemplate")
def freight_create(request):
    return _edit(request, instance=None, form_class=FreightTemplateForm, save=partial(_freight_save, request, None),
                 title=_("New freight template"), back="orders:freight_list")


@staff_view("orders.change_freighttemplate")
def freight_edit(request, pk):
    template = get_object_or_404(FreightTemplate, pk=pk)
    return _edit(request, instance=template, form_class=FreightTemplateForm,
                 save=partial(_freight_save, request, template), title=template.name, back="orders:freight_list")


@staff_view("orders.view_dispatchrule")
def rule_list(request):
    return render(request, "orders/setup_list.html", {
        "kind": "rule", "rows": selectors.dispatch_rules(), "title": _("Dispatch rules"),
        "can_add": request.user.has_perm("orders.add_dispatchrule"), "add_url": reverse("orders:rule_create")})


def _rule_save(request, rule, form):
    services.dispatch_rule_save(actor=request.user, rule=rule, **form.cleaned_data)


@staff_view("orders.add_dispatchrule")
def rule_create(request):
    return _edit(request, instance=None, form_class=DispatchRuleForm, save=partial(_rule_save, request, None),
                 title=_("New dispatch rule"), back="orders:rule_list")


@staff_view("orders.change_dispatchrule")
def rule_edit(request, pk):
    rule = get_object_or_404(DispatchRule, pk=pk)
    return _edit(request, instance=rule, form_class=DispatchRuleForm, save=partial(_rule_save, request, rule),
                 title=rule.name, back="orders:rule_list")


@staff_view("orders.delete_dispatchrule")
@require_POST
def rule_delete(request, pk):
    rule = get_object_or_404(DispatchRule, pk=pk)
    services.dispatch_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Rule deleted."))
    return redirect("orders:rule_list")
