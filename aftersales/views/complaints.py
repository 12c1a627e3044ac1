"""The complaint pages (投诉): the list, a complaint with its thread and actions, the create form, the SLA table."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales import selectors, services
from aftersales.complaint_forms import (
    AssignForm,
    CloseForm,
    ComplaintFilter,
    ComplaintForm,
    EscalateForm,
    ResolveForm,
    RespondForm,
    SatisfactionForm,
    SlaForm,
)
from aftersales.models import Complaint, ComplaintSla
from aftersales.services import COMPLAINT_MACHINE
from customers.models import Customer, OutboundMessage
from orders.models import Order
from shop.china import mask_phone
from shop.errors import DomainError
from shop.lists import BulkAction, Column, ListPage, render_list
from shop.permissions import staff_view
from shop.selectors import audit_for_object
from shop.web import form_submit


def _assign_selected(request, queryset):
    form = AssignForm(request.POST)
    if not form.is_valid() or form.cleaned_data["assignee"] is None:
        raise DomainError(_("Choose whom to assign the complaints to."))
    done, refused = services.complaints_assign(
        complaints=queryset, actor=request.user, assignee=form.cleaned_data["assignee"]
    )
    for refusal in refused[:10]:
        messages.error(request, refusal)
    return _("%(n)s complaints assigned.") % {"n": done}


def _close_selected(request, queryset):
    done, refused = services.complaints_close(complaints=queryset, actor=request.user)
    for refusal in refused[:10]:
        messages.error(request, refusal)
    return _("%(n)s complaints closed.") % {"n": done}


def _local(value):
    return timezone.localtime(value) if value else None


class ComplaintList(ListPage):
    filterset_class = ComplaintFilter
    default_ordering = "-created_at"
    search_fields = (
        "order__number__startswith",
        "customer__phone__startswith",
        "subject__icontains",
        "description__icontains",
    )
    export_name = "complaints"
    columns = [
        Column("created_at", gettext_lazy("Received"), value=lambda c: _local(c.created_at)),
        Column("id", gettext_lazy("Number")),
        Column("subject", gettext_lazy("Subject"), sortable=False),
        Column("customer__name", gettext_lazy("Customer"), sortable=False),
        Column("order__number", gettext_lazy("Order number"), sortable=False),
        Column("category", gettext_lazy("Category"), sortable=False, value=lambda c: c.get_category_display()),
        Column("priority", gettext_lazy("Priority"), sortable=False, value=lambda c: c.get_priority_display()),
        Column("status", gettext_lazy("Status"), sortable=False, value=lambda c: c.get_status_display()),
        Column(
            "escalation_level",
            gettext_lazy("Escalation"),
            sortable=False,
            value=lambda c: c.get_escalation_level_display(),
        ),
        Column("assignee", gettext_lazy("Assignee"), sortable=False, value=lambda c: str(c.assignee or "")),
        Column("sla_due_at", gettext_lazy("SLA due"), value=lambda c: _local(c.sla_due_at)),
        Column("satisfaction", gettext_lazy("Satisfaction"), sortable=False),
    ]
    actions = [
        BulkAction("assign", gettext_lazy("Assign to…"), "aftersales.change_complaint", _assign_selected),
        BulkAction("close", gettext_lazy("Close"), "aftersales.change_complaint", _close_selected),
    ]

    def scope(self):
        return selectors.complaints()


@staff_view("aftersales.view_complaint")
def complaint_list(request):
    return render_list(
        request,
        "aftersales/complaint_list.html",
        ComplaintList(request),
        {"assign_form": AssignForm(), "now": timezone.now()},
    )


def _complaint_or_404(pk):
    return get_object_or_404(selectors.complaints(), pk=pk)


def _render_detail(request, complaint, status=200, **forms_in):
    user = request.user
    may_change = user.has_perm("aftersales.change_complaint")
    context = {
        "complaint": complaint,
        "customer": complaint.customer,
        "thread": selectors.complaint_thread(complaint),
        "overdue": complaint.is_overdue(),
        "may_change": may_change and complaint.status != Complaint.Status.CLOSED,
        "may_respond": user.has_perm("aftersales.add_complaintnote") and complaint.status != Complaint.Status.CLOSED,
        "may_escalate": may_change and complaint.is_unresolved and complaint.escalation_level < Complaint.Level.OWNER,
        "may_resolve": may_change and COMPLAINT_MACHINE.allows(complaint, "resolve"),
        "may_close": may_change and COMPLAINT_MACHINE.allows(complaint, "close"),
        "may_reopen": may_change and COMPLAINT_MACHINE.allows(complaint, "reopen"),
        "may_rate": may_change
        and complaint.status in (Complaint.Status.RESOLVED, Complaint.Status.CLOSED)
        and complaint.satisfaction is None,
        "may_search_faq": user.has_perm("aftersales.view_faqarticle"),
        "assign_form": forms_in.get("assign_form") or AssignForm(initial={"assignee": complaint.assignee_id}),
        "respond_form": forms_in.get("respond_form") or RespondForm(),
        "escalate_form": forms_in.get("escalate_form")
        or EscalateForm(initial={"level": min(complaint.escalation_level + 1, Complaint.Level.OWNER)}),
        "resolve_form": forms_in.get("resolve_form") or ResolveForm(initial={"resolution": complaint.resolution}),
        "close_form": forms_in.get("close_form") or CloseForm(),
        "satisfaction_form": forms_in.get("satisfaction_form") or SatisfactionForm(),
        "history": audit_for_object(complaint)[:20],
    }
    # a posted form that was refused stays on the page with its messages, whatever the complaint's state now
    for name, flag in FORM_FLAGS.items():
        if name in forms_in:
            context[flag] = True
    return render(request, "aftersales/complaint_detail.html", context, status=status)


FORM_FLAGS = {
    "assign_form": "may_change",
    "respond_form": "may_respond",
    "escalate_form": "may_escalate",
    "resolve_form": "may_resolve",
    "close_form": "may_close",
    "satisfaction_form": "may_rate",
}


@staff_view("aftersales.view_complaint")
def complaint_detail(request, pk):
    return _render_detail(request, _complaint_or_404(pk))


def _action(request, pk, form_class, form_name, call, success):
    """A posted action of the complaint page: the service on a valid form and back to the page; an invalid form or
    a refusal re-renders the page with the messages beside the form's fields (400)."""
    complaint = _complaint_or_404(pk)
    form = form_class(request.POST)
    if form_submit(form, lambda: call(complaint, form.cleaned_data)):
        messages.success(request, success() if callable(success) else success)
        return redirect(complaint)
    return _render_detail(request, _complaint_or_404(pk), status=400, **{form_name: form})


@staff_view("aftersales.change_complaint")
@require_POST
def complaint_assign(request, pk):
    def call(complaint, data):
        services.complaint_assign(complaint=complaint, actor=request.user, assignee=data["assignee"])

    return _action(request, pk, AssignForm, "assign_form", call, _("Complaint assigned."))


@staff_view("aftersales.add_complaintnote")
@require_POST
def complaint_respond(request, pk):
    sent = {}

    def call(complaint, data):
        sent["note"] = services.complaint_respond(
            complaint=complaint, actor=request.user, text=data["text"], kind=data["kind"], channel=data["channel"]
        )

    def success():
        outbound = sent["note"].outbound
        if outbound is None:
            return _("Note added.")
        if outbound.status == OutboundMessage.Status.SENT:
            return _("Reply sent by %(c)s to %(to)s.") % {
                "c": outbound.get_channel_display(),
                "to": mask_phone(outbound.to),
            }
        messages.error(request, _("The reply is saved, but sending it failed: %(e)s") % {"e": outbound.error})
        return _("Reply saved.")

    return _action(request, pk, RespondForm, "respond_form", call, success)


@staff_view("aftersales.change_complaint")
@require_POST
def complaint_escalate(request, pk):
    def call(complaint, data):
        services.complaint_escalate(complaint=complaint, actor=request.user, level=data["level"], reason=data["reason"])

    return _action(request, pk, EscalateForm, "escalate_form", call, _("Complaint escalated."))


@staff_view("aftersales.change_complaint")
@require_POST
def complaint_resolve(request, pk):
    def call(complaint, data):
        services.complaint_resolve(complaint=complaint, actor=request.user, resolution=data["resolution"])

    return _action(request, pk, ResolveForm, "resolve_form", call, _("Complaint resolved."))


@staff_view("aftersales.change_complaint")
@require_POST
def complaint_close(request, pk):
    def call(complaint, data):
        services.complaint_close(complaint=complaint, actor=request.user, note=data["note"])

    return _action(request, pk, CloseForm, "close_form", call, _("Complaint closed."))


@staff_view("aftersales.change_complaint")
@require_POST
def complaint_reopen(request, pk):
    def call(complaint, data):
        services.complaint_reopen(complaint=complaint, actor=request.user, reason=data["note"])

    return _action(request, pk, CloseForm, "close_form", call, _("Complaint reopened."))


@staff_view("aftersales.change_complaint")
@require_POST
def complaint_satisfaction(request, pk):
    """Staff record the satisfaction the customer gave on the phone (the storefront posts it through the API)."""

    def call(complaint, data):
        services.complaint_satisfaction_record(
            complaint=complaint, actor=request.user, rating=data["rating"], comment=data["comment"]
        )

    return _action(request, pk, SatisfactionForm, "satisfaction_form", call, _("Satisfaction recorded."))


@staff_view("aftersales.add_complaint")
def complaint_create(request):
    initial = {}
    order = Order.objects.filter(pk=_int(request.GET.get("order"))).select_related("customer").first()
    customer = Customer.objects.filter(pk=_int(request.GET.get("customer"))).first()
    if order is not None:
        initial.update(order_number=order.number, phone=order.customer.phone)
    elif customer is not None:
        initial["phone"] = customer.phone
    form = ComplaintForm(request.POST or None, initial=initial)
    made = {}

    def call():
        made["complaint"] = services.complaint_create(actor=request.user, **form.service_kwargs())

    if request.method == "POST" and form_submit(form, call):
        messages.success(request, _("Complaint recorded."))
        return redirect(made["complaint"])
    return render(
        request,
        "aftersales/complaint_form.html",
        {"form": form, "order": order, "customer": customer},
        status=400 if request.method == "POST" else 200,
    )


def _int(raw):
    raw = str(raw or "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


@staff_view("aftersales.view_complaintsla")
def complaint_sla(request):
    """The SLA hours per priority; a role that may change them saves one priority's row per post."""
    table = services.sla_table()
    form = None
    if request.method == "POST":
        if not request.user.has_perm("aftersales.change_complaintsla"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        priority = request.POST.get("priority", "")
        form = SlaForm(request.POST, instance=ComplaintSla(priority=priority))

        def call():
            services.complaint_sla_save(actor=request.user, priority=priority, **form.cleaned_data)

        if form_submit(form, call):
            messages.success(request, _("SLA saved."))
            return redirect(reverse("aftersales:complaint_sla"))
    rows = []
    for code, label in Complaint.Priority.choices:
        hours, escalate = table[code]
        posted = form is not None and request.POST.get("priority") == code
        rows.append(
            {
                "priority": code,
                "label": label,
                "form": form if posted else SlaForm(initial={"hours": hours, "escalate_hours": escalate}),
            }
        )
    return render(
        request,
        "aftersales/complaint_sla.html",
        {"rows": rows, "may_change": request.user.has_perm("aftersales.change_complaintsla")},
        status=400 if form is not None else 200,
    )
