"""The refund queue and its approve / reject buttons."""

from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payments import forms, lists, selectors, services
from shop.lists import render_list
from shop.permissions import staff_view
from shop.web import message_submit


@staff_view("payments.view_refund")
def refund_list(request):
    page = lists.RefundList(request)
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
