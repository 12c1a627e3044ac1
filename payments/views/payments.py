"""The payment pages: the list, a payment with its refunds and the refund form, cash collected on delivery."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders.models import Order
from payments import forms, lists, selectors, services
from shop.lists import render_list
from shop.permissions import staff_view
from shop.selectors import audit_for_object
from shop.web import form_submit, message_submit


@staff_view("payments.view_payment")
def payment_list(request):
    page = lists.PaymentList(request)
    return render_list(request, "payments/payment_list.html", page)


def _payment_page(request, payment, form=None):
    lines = selectors.payment_order_lines(payment)
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
    lines = selectors.payment_order_lines(payment)
    form = forms.RefundRequestForm(request.POST, lines=lines)
    if form_submit(
        form, lambda: services.refund_request(payment=payment, actor=request.user, **form.service_arguments())
    ):
        messages.success(request, _("Refund requested; it waits for finance approval."))
        return redirect(payment)
    return _payment_page(request, payment, form)


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
