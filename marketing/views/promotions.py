"""The promotion pages: one list, create and edit page per kind of promotion, declared as data (Area)."""

import copy
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from marketing import forms, services
from marketing.models import Activity, Coupon, CouponTemplate, MemberPrice, StackingRule, TimedDiscount
from shop.lists import Column, ListPage, render_list
from shop.permissions import staff_view
from shop.web import form_submit, message_submit


def _when(value):
    return date_format(localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def _status(row):
    return row.get_status_display()


WINDOW_COLUMNS = [
    Column("starts_at", _("Starts"), value=lambda r: _when(r.starts_at)),
    Column("ends_at", _("Ends"), value=lambda r: _when(r.ends_at)),
    Column("status", _("Status"), sortable=False, value=_status),
    Column("exclusive", _("Exclusive"), sortable=False),
    Column("priority", _("Priority")),
]


@dataclass
class Area:
    key: str
    model: type
    form: type
    save: object
    title: object
    new_title: object
    columns: list
    filterset: object = None
    search: tuple = ("name__icontains",)
    ordering: str = "-id"
    extra: dict = field(default_factory=dict)
    prefetch: tuple = ()

    @property
    def perm(self):
        return f"marketing.%s_{self.model._meta.model_name}"


AREAS = {
    "timed": Area(
        "timed",
        TimedDiscount,
        forms.TimedDiscountForm,
        services.timed_discount_save,
        _("Timed discounts"),
        _("New timed discount"),
        [
            Column("name", _("Name")),
            Column("percent_off", _("percent off")),
            Column("scope", _("Applies to"), sortable=False, value=lambda r: r.get_scope_display()),
            *WINDOW_COLUMNS,
        ],
        forms.TimedFilter,
    ),
    "activity": Area(
        "activity",
        Activity,
        forms.ActivityForm,
        services.activity_save,
        _("Spend and quantity discounts"),
        _("New spend or quantity discount"),
        [
            Column("name", _("Name")),
            Column("mode", _("Type"), sortable=False, value=lambda r: r.get_mode_display()),
            Column("tiers", _("Tiers"), sortable=False, value=lambda r: r.tiers_display()),
            Column("scope", _("Applies to"), sortable=False, value=lambda r: r.get_scope_display()),
            *WINDOW_COLUMNS,
        ],
        forms.ActivityFilter,
    ),
    "coupon": Area(
        "coupon",
        CouponTemplate,
        forms.CouponTemplateForm,
        services.coupon_template_save,
        _("Coupons"),
        _("New coupon"),
        [
            Column("name", _("Name")),
            Column("type", _("Type"), sortable=False, value=lambda r: r.get_type_display()),
            Column("value", _("Value"), sortable=False, value=lambda r: r.value_display()),
            Column("claim_code", _("Claim code")),
            Column("issued", _("Issued")),
            Column("total_quantity", _("Total quantity")),
            Column("valid_from", _("Valid from"), value=lambda r: _when(r.valid_from)),
            Column("valid_until", _("Valid until"), value=lambda r: _when(r.valid_until)),
            Column("status", _("Status"), sortable=False, value=_status),
        ],
        forms.CouponTemplateFilter,
        search=("name__icontains", "claim_code__istartswith"),
    ),
    "member_price": Area(
        "member_price",
        MemberPrice,
        forms.MemberPriceForm,
        services.member_price_save,
        _("Member prices"),
        _("New member price"),
        [
            Column("sku", _("SKU"), sortable=False, value=lambda r: r.sku.code),
            Column("name", _("Product"), sortable=False, value=lambda r: r.sku.product.name),
            Column("tier", _("Member tier"), sortable=False, value=lambda r: r.tier.name),
            Column("list_price", _("List price"), sortable=False, value=lambda r: r.sku.price),
            Column("price", _("Member price")),
        ],
        forms.MemberPriceFilter,
        search=("sku__code__istartswith",),
    ),
    "stacking": Area(
        "stacking",
        StackingRule,
        forms.StackingRuleForm,
        services.stacking_rule_save,
        _("Stacking rules"),
        _("New stacking rule"),
        [
            Column("kind", _("Promotion kind"), value=lambda r: r.get_kind_display()),
            Column("combines_with", _("Combines with"), sortable=False, value=lambda r: r.combines_with_display()),
            Column("priority", _("Priority")),
            Column("note", _("Note"), sortable=False),
        ],
        search=(),
        ordering="kind",
    ),
}


def _scope(area):
    queryset = area.model.objects.prefetch_related(*area.prefetch)
    if area.model is MemberPrice:
        queryset = queryset.select_related("sku__product", "tier")
    return queryset


def promotion_list(request, area):
    area = AREAS[area]
    page = ListPage(
        request,
        _scope(area),
        filterset_class=area.filterset,
        columns=area.columns,
        search_fields=area.search,
        default_ordering=area.ordering,
        export_name=area.key,
    )
    return render_list(
        request,
        "marketing/promotion_list.html",
        page,
        {
            "area": area,
            "may_add": request.user.has_perm(area.perm % "add"),
            "may_change": request.user.has_perm(area.perm % "change"),
        },
    )


def promotion_form(request, area, pk=None):
    area = AREAS[area]
    instance = get_object_or_404(area.model, pk=pk) if pk else None
    # the form validates a copy, so the service's audit sees the instance as it was
    form = area.form(request.POST or None, instance=copy.copy(instance) if instance else None)
    result = {}

    def call():
        data = dict(form.cleaned_data)
        result["obj"], result["warnings"] = area.save(actor=request.user, instance=instance, **data)

    if request.method == "POST" and form_submit(form, call):
        messages.success(request, _("Saved."))
        for warning in result["warnings"]:
            messages.warning(request, warning)
        return redirect(f"marketing:{area.key}_list")
    title = str(instance) if instance else area.new_title
    return render(request, "marketing/form.html", {"form": form, "area": area, "title": title, "object": instance})


def _views(key, model_name):
    view = staff_view(f"marketing.view_{model_name}")(partial(promotion_list, area=key))
    create = staff_view(f"marketing.add_{model_name}")(partial(promotion_form, area=key))
    edit = staff_view(f"marketing.change_{model_name}")(lambda request, pk: promotion_form(request, key, pk))
    return view, create, edit


timed_list, timed_create, timed_edit = _views("timed", "timeddiscount")
activity_list, activity_create, activity_edit = _views("activity", "activity")
coupon_list, coupon_create, coupon_edit = _views("coupon", "coupontemplate")
member_price_list, member_price_create, member_price_edit = _views("member_price", "memberprice")
stacking_list, stacking_create, stacking_edit = _views("stacking", "stackingrule")


@staff_view("marketing.delete_memberprice")
@require_POST
def member_price_delete(request, pk):
    instance = get_object_or_404(MemberPrice, pk=pk)
    message_submit(
        request, lambda: services.member_price_delete(actor=request.user, instance=instance), _("Member price deleted.")
    )
    return redirect("marketing:member_price_list")


# -- coupon codes ------------------------------------------------------------------------------------
@staff_view("marketing.view_coupon")
def code_list(request):
    page = ListPage(
        request,
        Coupon.objects.select_related("template", "customer"),
        filterset_class=forms.CouponFilter,
        columns=[
            Column("code", _("Code")),
            Column("template", _("Coupon"), sortable=False, value=lambda c: c.template.name),
            Column("batch", _("Batch")),
            Column("state", _("Status"), value=lambda c: c.get_state_display()),
            Column("customer", _("Customer"), sortable=False, value=lambda c: c.customer.name if c.customer else ""),
            Column("claimed_at", _("Claimed"), value=lambda c: _when(c.claimed_at)),
            Column("expires_at", _("Expires"), value=lambda c: _when(c.expires_at)),
            Column("order_number", _("Order")),
        ],
        search_fields=("code__istartswith", "order_number__startswith"),
        default_ordering="-id",
        export_name="coupon-codes",
    )
    return render_list(request, "marketing/code_list.html", page)


@staff_view("marketing.add_coupon")
def coupon_codes_generate(request, pk):
    template = get_object_or_404(CouponTemplate, pk=pk)
    form = forms.CodesForm(request.POST or None)
    result = {}

    def call():
        data = form.cleaned_data
        result["codes"] = services.coupon_codes_generate(
            template=template, actor=request.user, count=data["count"], batch=data["batch"], prefix=data["code_prefix"]
        )

    if request.method == "POST" and form_submit(form, call):
        codes = result["codes"]
        messages.success(request, _("%(n)s codes generated.") % {"n": len(codes)})
        query = urlencode({"template": template.pk, "batch": codes[0].batch})
        return redirect(f"{reverse('marketing:code_list')}?{query}")
    return render(
        request,
        "marketing/form.html",
        {"form": form, "area": AREAS["coupon"], "title": _("Codes for %(c)s") % {"c": template.name}},
    )
