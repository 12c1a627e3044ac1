"""Payment pages: thin — parse the request, call a service or a selector, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orders.models import Order, OrderLine
from payments import forms, selectors, services
from payments.filters import BlacklistFilter, PaymentFilter, RefundFilter, RiskFilter, SettlementFilter
from payments.models import Refund, RiskAssessment
from shop.errors import DomainError
from shop.lists import BulkAction, Column, ListPage, render_list
from shop.permissions import staff_view
from shop.web import form_submit, message_submit
from shop.selectors import audit_for_object




def _form_page(request, form, title, **extra):
    return render(request, "payments/form.html", {"form": form, "title": title, **extra})


# -- payments ------------------------------------------------------------------------------------------
@staff_view("payments.view_payment")
def payment_list(request):
    page = ListPage(
        request,
        selectors.payments(),
        columns=[
            Column("received_at", gettext_lazy("Received at"), order_by=("received_at",)),
            Column("order__number", gettext_lazy("Order")),
            Column("method__name", gettext_lazy("Payment method"), order_by=("method__position",)),
            Column("transaction_id", gettext_lazy("Transaction id")),
            Column("amount", gettext_lazy("Amount")),
            Column("fee", gettext_lazy("Fee")),
            Column("refunded", gettext_lazy("Refunded")),
            Column("status", gettext_lazy("Status"), value=lambda p: p.get_status_display()),
            Column("flag", gettext_lazy("Flag"), value=lambda p: p.get_flag_display() if p.flag else ""),
        ],
        filterset_class=PaymentFilter,
        search_fields=("order__number__istartswith", "transaction_id__istartswith"),
        default_ordering="-received_at",
        export_name="payments",
    )
    return render_list(request, "payments/payment_list.html", page)


def _payment_page(request, payment, form=None):
    lines = OrderLine.objects.filter(order_id=payment.order_id).order_by("pk")
    if form is None:
        form = forms.RefundRequestForm(lines=lines, initial={"kind": "full", "refund_only": True})
    return render(
        request,
        "payments/payment_detail.html",
        {
            "payment": payment,
            "order": payment.order,
            "refunds": selectors.refunds_of(payment),
            "form": form,
            "history": audit_for_object(payment)[:20],
            "note_form": forms.NoteForm(),
        },
    )


@staff_view("payments.view_payment")
def payment_detail(request, pk):
    return _payment_page(request, get_object_or_404(selectors.payments(), pk=pk))


@staff_view("payments.add_refund")
@require_POST
def refund_request(request, pk):
    payment = get_object_or_404(selectors.payments(), pk=pk)
    lines = OrderLine.objects.filter(order_id=payment.order_id).order_by("pk")
    form = forms.RefundRequestForm(request.POST, lines=lines)
    if form_submit(
        form, lambda: services.refund_request(payment=payment, actor=request.user, **form.service_arguments())
    ):
        messages.success(request, _("Refund requested; it waits for finance approval."))
        return redirect(payment)
    return _payment_page(request, payment, form)


# -- refunds -------------------------------------------------------------------------------------------
def _bulk_refunds(service, done):
    def run(request, queryset):
        ok, errors = 0, []
        for refund in queryset.filter(status=Refund.Status.REQUESTED).order_by("pk"):
            try:
                service(refund=refund, actor=request.user)
                ok += 1
            except DomainError as e:
                errors.append(e.message)
        if errors:
            messages.error(request, errors[0])
        return done % {"n": ok}

    return run


@staff_view("payments.view_refund")
def refund_list(request):
    page = ListPage(
        request,
        selectors.refunds(),
        columns=[
            Column("requested_at", gettext_lazy("Requested at")),
            Column("order__number", gettext_lazy("Order")),
            Column(
                "payment__method__name",
                gettext_lazy("Payment method"),
                order_by=("payment__method__position",),
            ),
            Column("amount", gettext_lazy("Amount")),
            Column("reason", gettext_lazy("Reason"), sortable=False),
            Column("source", gettext_lazy("Source"), value=lambda r: r.get_source_display()),
            Column("status", gettext_lazy("Status"), value=lambda r: r.get_status_display()),
            Column("decided_by__username", gettext_lazy("Decided by")),
        ],
        filterset_class=RefundFilter,
        search_fields=("order__number__istartswith",),
        default_ordering="-requested_at",
        export_name="refunds",
        actions=[
            BulkAction(
                "approve",
                gettext_lazy("Approve"),
                "payments.approve_refund",
                _bulk_refunds(services.refund_approve, gettext_lazy("%(n)s refunds approved.")),
            ),
            BulkAction(
                "reject",
                gettext_lazy("Reject"),
                "payments.approve_refund",
                _bulk_refunds(services.refund_reject, gettext_lazy("%(n)s refunds rejected.")),
            ),
        ],
    )
    return render_list(request, "payments/refund_list.html", page)


def _refund_action(request, pk, call, done):
    refund = get_object_or_404(selectors.refunds(), pk=pk)
    form = forms.NoteForm(request.POST)
    message_submit(request, lambda: call(refund, form.cleaned_data["note"] if form.is_valid() else ""), done)
    return redirect("payments:refund_list" if request.POST.get("next") == "queue" else refund.payment)


@staff_view("payments.approve_refund")
@require_POST
def refund_approve(request, pk):
    return _refund_action(
        request,
        pk,
        lambda refund, note: services.refund_approve(refund=refund, actor=request.user),
        _("Refund approved and sent to the provider."),
    )


@staff_view("payments.approve_refund")
@require_POST
def refund_reject(request, pk):
    return _refund_action(
        request,
        pk,
        lambda refund, note: services.refund_reject(refund=refund, actor=request.user, note=note),
        _("Refund rejected."),
    )


@staff_view("payments.add_payment")
@require_POST
def cod_collect(request, order_pk):
    """Staff record that the carrier collected a cash-on-delivery order's money."""
    order = get_object_or_404(Order, pk=order_pk)
    message_submit(
        request,
        lambda: services.cod_collect(order=order, actor=request.user),
        _("Cash on delivery recorded as collected; the order is paid."),
    )
    return redirect(order)


# -- risk ----------------------------------------------------------------------------------------------
@staff_view("payments.view_riskassessment")
def risk_queue(request):
    params = request.GET.copy()
    if "decision" not in params:
        params["decision"] = RiskAssessment.Decision.HELD
        request.GET = params
    page = ListPage(
        request,
        selectors.risk_assessments(),
        columns=[
            Column("assessed_at", gettext_lazy("Assessed at")),
            Column("order__number", gettext_lazy("Order")),
            Column("order__total", gettext_lazy("Total")),
            Column("order__ship_phone", gettext_lazy("Phone")),
            Column("score", gettext_lazy("Score")),
            Column(
                "hits",
                gettext_lazy("Rules hit"),
                sortable=False,
                value=lambda a: "; ".join(h.get("detail", "") for h in a.hits),
            ),
            Column("decision", gettext_lazy("Decision"), value=lambda a: a.get_decision_display()),
        ],
        filterset_class=RiskFilter,
        search_fields=("order__number__istartswith", "order__ship_phone__startswith"),
        default_ordering="-assessed_at",
        export_name="risk-review",
    )
    return render_list(request, "payments/risk_queue.html", page, {"note_form": forms.NoteForm()})


def _risk_action(request, pk, service, done):
    assessment = get_object_or_404(selectors.risk_assessments(), pk=pk)
    form = forms.NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    message_submit(request, lambda: service(assessment=assessment, actor=request.user, note=note), done)
    return redirect("payments:risk_queue")


@staff_view("payments.review_risk")
@require_POST
def risk_approve(request, pk):
    return _risk_action(request, pk, services.risk_approve, _("Order released for fulfilment."))


@staff_view("payments.review_risk")
@require_POST
def risk_reject(request, pk):
    return _risk_action(request, pk, services.risk_reject, _("Order rejected and cancelled."))


@staff_view("payments.view_riskrule")
def risk_rules(request):
    settings = services.risk_settings()
    form = forms.RiskSettingsForm(request.POST or None, initial={"hold_score": settings.hold_score})
    if request.method == "POST":
        if not request.user.has_perm("payments.change_risksettings"):
            raise PermissionDenied
        if form_submit(form, lambda: services.risk_settings_update(actor=request.user, **form.cleaned_data)):
            messages.success(request, _("Saved."))
            return redirect("payments:risk_rules")
    return render(request, "payments/risk_rules.html", {"rules": selectors.risk_rules(), "form": form})


@staff_view("payments.change_riskrule")
def risk_rule_edit(request, pk):
    rule = get_object_or_404(selectors.risk_rules(), pk=pk)
    form = forms.RiskRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form_submit(
        form,
        lambda: services.risk_rule_update(
            rule=rule, actor=request.user, **{k: form.cleaned_data[k] for k in form.Meta.fields}
        ),
    ):
        messages.success(request, _("Saved."))
        return redirect("payments:risk_rules")
    return _form_page(request, form, str(rule), history=audit_for_object(rule)[:20])


@staff_view("payments.view_blacklistentry")
def blacklist(request):
    page = ListPage(
        request,
        selectors.blacklist(),
        columns=[
            Column("kind", gettext_lazy("Kind"), value=lambda e: e.get_kind_display()),
            Column("value", gettext_lazy("Value")),
            Column("reason", gettext_lazy("Reason"), sortable=False),
            Column("created_by__username", gettext_lazy("Added by")),
            Column("created_at", gettext_lazy("Added at")),
        ],
        filterset_class=BlacklistFilter,
        search_fields=("value__icontains",),
        default_ordering="-created_at",
        export_name="blacklist",
    )
    return render_list(request, "payments/blacklist.html", page)


@staff_view("payments.add_blacklistentry")
def blacklist_add(request):
    form = forms.BlacklistForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form_submit(
        form, lambda: services.blacklist_add(actor=request.user, **form.cleaned_data)
    ):
        messages.success(request, _("Added to the blacklist."))
        return redirect("payments:blacklist")
    return _form_page(request, form, _("Add to the blacklist"))


@staff_view("payments.delete_blacklistentry")
@require_POST
def blacklist_remove(request, pk):
    services.blacklist_remove(entry=get_object_or_404(selectors.blacklist(), pk=pk), actor=request.user)
    messages.success(request, _("Removed from the blacklist."))
    return redirect("payments:blacklist")


# -- methods, settlements, reconciliation, summary ------------------------------------------------------
@staff_view("payments.view_paymentmethod")
def method_list(request):
    page = ListPage(
        request,
        selectors.payment_methods(),
        columns=[
            Column("position", gettext_lazy("Display order")),
            Column("name", gettext_lazy("Name")),
            Column("is_enabled", gettext_lazy("Enabled")),
            Column("min_amount", gettext_lazy("Minimum")),
            Column("max_amount", gettext_lazy("Maximum")),
            Column("daily_limit", gettext_lazy("Daily limit per customer")),
            Column("fee_percent", gettext_lazy("Fee (%)")),
            Column("fee_fixed", gettext_lazy("Fixed fee")),
            Column("settlement_days", gettext_lazy("Settlement (T+N)")),
        ],
        default_ordering="position",
        export_name="payment-methods",
    )
    return render_list(request, "payments/method_list.html", page)


@staff_view("payments.change_paymentmethod")
def method_edit(request, pk):
    method = get_object_or_404(selectors.payment_methods(), pk=pk)
    form = forms.PaymentMethodForm(request.POST or None, instance=method)
    if request.method == "POST" and form_submit(
        form,
        lambda: services.payment_method_update(
            method=method, actor=request.user, **{k: form.cleaned_data[k] for k in form.Meta.fields}
        ),
    ):
        messages.success(request, _("Saved."))
        return redirect("payments:method_list")
    return _form_page(request, form, str(method), history=audit_for_object(method)[:20])


@staff_view("payments.view_settlementbatch")
def settlement_list(request):
    page = ListPage(
        request,
        selectors.settlements(),
        columns=[
            Column("day", gettext_lazy("Business day")),
            Column("method__name", gettext_lazy("Payment method"), order_by=("method__position",)),
            Column("payment_count", gettext_lazy("Payments")),
            Column("gross", gettext_lazy("Gross")),
            Column("fees", gettext_lazy("Fees")),
            Column("refunds", gettext_lazy("Refunded")),
            Column("net", gettext_lazy("Net")),
            Column("due_on", gettext_lazy("Due on")),
        ],
        filterset_class=SettlementFilter,
        default_ordering="-day",
        export_name="settlements",
    )
    return render_list(request, "payments/settlement_list.html", page)


@staff_view("payments.view_reconciliationrun")
def reconciliation_list(request):
    page = ListPage(
        request,
        selectors.reconciliations(),
        columns=[
            Column("created_at", gettext_lazy("Imported at")),
            Column("method__name", gettext_lazy("Payment method")),
            Column("day", gettext_lazy("Statement day")),
            Column("filename", gettext_lazy("File")),
            Column("matched", gettext_lazy("Matched")),
            Column("missing", gettext_lazy("Missing")),
            Column("mismatched", gettext_lazy("Mismatched")),
        ],
        default_ordering="-created_at",
        export_name="reconciliations",
    )
    return render_list(request, "payments/reconciliation_list.html", page)


@staff_view("payments.add_reconciliationrun")
def reconciliation_import(request):
    form = forms.ReconciliationForm(request.POST or None, request.FILES or None)
    runs = []
    if request.method == "POST" and form_submit(
        form,
        lambda: runs.append(
            services.reconciliation_import(
                method=form.cleaned_data["method"],
                day=form.cleaned_data["day"],
                content=form.cleaned_data["file"].read(),
                filename=form.cleaned_data["file"].name,
                actor=request.user,
            )
        ),
    ):
        messages.success(request, _("Statement imported."))
        return redirect(runs[0])
    return _form_page(request, form, _("Import a provider statement"), upload=True)


@staff_view("payments.view_reconciliationrun")
def reconciliation_detail(request, pk):
    run = get_object_or_404(selectors.reconciliations(), pk=pk)
    return render(
        request,
        "payments/reconciliation_detail.html",
        {
            "run": run,
            "lines": selectors.reconciliation_lines(run).exclude(result="matched")[:500],
            "matched_lines": selectors.reconciliation_lines(run).filter(result="matched")[:200],
        },
    )


@staff_view("payments.view_payment")
def summary(request):
    return render(request, "payments/summary.html", {"summary": selectors.finance_summary()})
