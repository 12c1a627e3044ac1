"""CRM on the customer page: interaction notes (add, complete) and the customer's timeline."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from customers import selectors, services
from customers.forms import NoteForm
from customers.views.common import customer_or_404, form_page
from shop.permissions import staff_view
from shop.related import RELATED_LIMIT, Related
from shop.web import message_submit

TIMELINE_PAGE = 50


def timeline_panels(user, customer):
    """The timeline panel of the customer page (CustomersConfig.customer_panels): the newest entries, a
    note form, and a link to the whole timeline when there are more."""
    if not user.has_perm("customers.view_customer"):
        return []
    rows, more = selectors.customer_timeline(customer, limit=RELATED_LIMIT)
    total = selectors.customer_timeline_total(customer) if more else len(rows)
    return [
        Related(
            key="customer-timeline",
            title=_("Interaction timeline"),
            rows=rows,
            total=total,
            url=reverse("customers:customer_timeline", args=[customer.pk]),
            template="customers/_timeline.html",
        )
    ]


@staff_view("customers.view_customer")
def customer_timeline(request, pk):
    customer = customer_or_404(pk)
    kind = request.GET.get("kind", "")
    kinds = (kind,) if kind in selectors.TIMELINE_KINDS else ()
    before = request.GET.get("before", "")[:80]
    rows, more = selectors.customer_timeline(customer, limit=TIMELINE_PAGE, before=before, kinds=kinds)
    return render(
        request,
        "customers/timeline.html",
        {
            "customer": customer,
            "rows": rows,
            "next_cursor": selectors.timeline_cursor(rows[-1]) if more and rows else "",
            "kind": kinds[0] if kinds else "",
            "kinds": selectors.TIMELINE_KINDS,
            "may_add_note": request.user.has_perm("customers.add_interactionnote"),
        },
    )


@staff_view("customers.add_interactionnote")
def note_add(request, pk):
    customer = customer_or_404(pk)
    form = NoteForm(request.POST or None, initial={"kind": "call"})

    def call(**data):
        return services.note_add(customer=customer, actor=request.user, **data)

    return form_page(request, customer, form, call, _("Note added."), _("New interaction note"))


@staff_view("customers.change_interactionnote")
@require_POST
def note_done(request, pk):
    note = get_object_or_404(selectors.notes(), pk=pk)
    message_submit(request, lambda: services.note_complete(note=note, actor=request.user), _("Follow-up done."))
    return redirect(note.customer)
