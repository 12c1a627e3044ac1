"""Risk review: the queue of held orders, approve / reject, the rules and hold score, the blacklist."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payments import forms, lists, selectors, services
from payments.models import RiskAssessment
from payments.views.common import form_page
from shop.lists import render_list
from shop.permissions import staff_view
from shop.selectors import audit_for_object
from shop.web import form_submit, message_submit


@staff_view("payments.view_riskassessment")
def risk_queue(request):
    params = request.GET.copy()
    if "decision" not in params:
        params["decision"] = RiskAssessment.Decision.HELD
        request.GET = params
    page = lists.RiskList(request)
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
    return form_page(request, form, str(rule), history=audit_for_object(rule)[:20])


@staff_view("payments.view_blacklistentry")
def blacklist(request):
    page = lists.BlacklistList(request)
    return render_list(request, "payments/blacklist.html", page)


@staff_view("payments.add_blacklistentry")
def blacklist_add(request):
    form = forms.BlacklistForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form_submit(
        form, lambda: services.blacklist_add(actor=request.user, **form.cleaned_data)
    ):
        messages.success(request, _("Added to the blacklist."))
        return redirect("payments:blacklist")
    return form_page(request, form, _("Add to the blacklist"))


@staff_view("payments.delete_blacklistentry")
@require_POST
def blacklist_remove(request, pk):
    services.blacklist_remove(entry=get_object_or_404(selectors.blacklist(), pk=pk), actor=request.user)
    messages.success(request, _("Removed from the blacklist."))
    return redirect("payments:blacklist")
