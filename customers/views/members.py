"""The member pages: the tier set-up (list, create, edit, delete) and the RFM analysis."""

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers import selectors, services
from customers.forms import TierForm
from customers.models import MemberTier
from shop.permissions import staff_view
from shop.web import form_done, message_submit


@staff_view("customers.view_membertier")
def tier_list(request):
    return render(
        request,
        "customers/tier_list.html",
        {"tiers": selectors.member_tiers(), "customer_list": reverse("customers:customer_list")},
    )


def _tier_form(request, tier, title):
    form = TierForm.for_tier(tier, request.POST or None)
    call = partial(services.member_tier_save, actor=request.user, tier=tier)
    if form_done(request, form, call, _("Member tier saved. Customers move to it at the next recomputation.")):
        return redirect("customers:tier_list")
    return render(request, "customers/tier_form.html", {"form": form, "tier": tier, "title": title})


@staff_view("customers.add_membertier")
def tier_create(request):
    return _tier_form(request, None, _("New member tier"))


@staff_view("customers.change_membertier")
def tier_edit(request, pk):
    tier = get_object_or_404(MemberTier, pk=pk)
    return _tier_form(request, tier, tier.name)


@staff_view("customers.delete_membertier")
@require_POST
def tier_delete(request, pk):
    tier = get_object_or_404(MemberTier, pk=pk)
    message_submit(
        request, partial(services.member_tier_delete, actor=request.user, tier=tier), _("Member tier deleted.")
    )
    return redirect("customers:tier_list")


@staff_view("customers.view_customer")
def rfm(request):
    base = reverse("customers:customer_list")
    segments = selectors.rfm_segments()
    for segment in segments:
        segment["url"] = f"{base}?{urlencode({'rfm_segment': segment['code']})}"
    return render(
        request,
        "customers/rfm.html",
        {"segments": segments, "may_recompute": request.user.has_perm("customers.change_membertier")},
    )


@staff_view("customers.change_membertier")
@require_POST
def rfm_recompute(request):
    """Recompute now: it takes seconds even at 200,000 customers, so it runs in the request."""
    result = services.rfm_and_tiers_recompute(actor=request.user)
    messages.success(
        request,
        _("Recomputed: %(n)s customers with purchases, %(up)s moved up a tier, %(down)s moved down (%(s)s s).")
        % {
            "n": result["customers_with_purchases"],
            "up": result["upgraded"],
            "down": result["downgraded"],
            "s": result["seconds"],
        },
    )
    return redirect("customers:rfm")
