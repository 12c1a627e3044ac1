"""Payment methods, settlements, statement reconciliation and the finance summary."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from payments import forms, lists, selectors, services
from payments.views.common import form_page
from shop.lists import render_list
from shop.permissions import staff_view
from shop.selectors import audit_for_object
from shop.web import form_submit


@staff_view("payments.view_paymentmethod")
def method_list(request):
    page = lists.MethodList(request)
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
    return form_page(request, form, str(method), history=audit_for_object(method)[:20])


@staff_view("payments.view_settlementbatch")
def settlement_list(request):
    page = lists.SettlementList(request)
    return render_list(request, "payments/settlement_list.html", page)


@staff_view("payments.view_reconciliationrun")
def reconciliation_list(request):
    page = lists.ReconciliationList(request)
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
    return form_page(request, form, _("Import a provider statement"), upload=True)


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
