"""The logistics set-up pages: carriers, freight templates, dispatch rules."""

from functools import partial

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders import selectors, services
from orders.forms import CarrierForm, DispatchRuleForm, FreightTemplateForm
from orders.models import Carrier, DispatchRule, FreightTemplate
from shop.permissions import staff_view
from shop.web import form_submit


@staff_view("orders.view_carrier")
def carrier_list(request):
    return render(
        request,
        "orders/setup_list.html",
        {
            "kind": "carrier",
            "rows": selectors.carriers(),
            "title": _("Carriers"),
            "can_add": request.user.has_perm("orders.add_carrier"),
            "add_url": reverse("orders:carrier_create"),
        },
    )


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
    return _edit(
        request,
        instance=None,
        form_class=CarrierForm,
        save=partial(_carrier_save, request, None),
        title=_("New carrier"),
        back="orders:carrier_list",
    )


@staff_view("orders.change_carrier")
def carrier_edit(request, pk):
    carrier = get_object_or_404(Carrier, pk=pk)
    return _edit(
        request,
        instance=carrier,
        form_class=CarrierForm,
        save=partial(_carrier_save, request, carrier),
        title=carrier.name,
        back="orders:carrier_list",
    )


@staff_view("orders.view_freighttemplate")
def freight_list(request):
    return render(
        request,
        "orders/setup_list.html",
        {
            "kind": "freight",
            "rows": selectors.freight_templates(),
            "title": _("Freight templates"),
            "can_add": request.user.has_perm("orders.add_freighttemplate"),
            "add_url": reverse("orders:freight_create"),
        },
    )


def _freight_save(request, template, form):
    data = dict(form.cleaned_data)
    regions = data.pop("regions")
    services.freight_template_save(actor=request.user, template=template, regions=regions, **data)


@staff_view("orders.add_freighttemplate")
def freight_create(request):
    return _edit(
        request,
        instance=None,
        form_class=FreightTemplateForm,
        save=partial(_freight_save, request, None),
        title=_("New freight template"),
        back="orders:freight_list",
    )


@staff_view("orders.change_freighttemplate")
def freight_edit(request, pk):
    template = get_object_or_404(FreightTemplate, pk=pk)
    return _edit(
        request,
        instance=template,
        form_class=FreightTemplateForm,
        save=partial(_freight_save, request, template),
        title=template.name,
        back="orders:freight_list",
    )


@staff_view("orders.view_dispatchrule")
def rule_list(request):
    return render(
        request,
        "orders/setup_list.html",
        {
            "kind": "rule",
            "rows": selectors.dispatch_rules(),
            "title": _("Dispatch rules"),
            "can_add": request.user.has_perm("orders.add_dispatchrule"),
            "add_url": reverse("orders:rule_create"),
        },
    )


def _rule_save(request, rule, form):
    services.dispatch_rule_save(actor=request.user, rule=rule, **form.cleaned_data)


@staff_view("orders.add_dispatchrule")
def rule_create(request):
    return _edit(
        request,
        instance=None,
        form_class=DispatchRuleForm,
        save=partial(_rule_save, request, None),
        title=_("New dispatch rule"),
        back="orders:rule_list",
    )


@staff_view("orders.change_dispatchrule")
def rule_edit(request, pk):
    rule = get_object_or_404(DispatchRule, pk=pk)
    return _edit(
        request,
        instance=rule,
        form_class=DispatchRuleForm,
        save=partial(_rule_save, request, rule),
        title=rule.name,
        back="orders:rule_list",
    )


@staff_view("orders.delete_dispatchrule")
@require_POST
def rule_delete(request, pk):
    rule = get_object_or_404(DispatchRule, pk=pk)
    services.dispatch_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Rule deleted."))
    return redirect("orders:rule_list")
