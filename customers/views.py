from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from customers import selectors
from shop.lists import Column, ListPage, render_list
from shop.permissions import staff_view
from shop.related import related_panels
from shop.selectors import audit_for_object


@staff_view("customers.view_customer")
def customer_list(request):
    page = ListPage(
        request,
        selectors.customer_list(),
        columns=[
            Column("name", _("Name")),
            Column("phone", _("Mobile phone")),
            Column("email", _("Email")),
            Column("created_at", _("Customer since")),
        ],
        search_fields=("phone__startswith", "name__icontains"),
        default_ordering="-created_at",
        export_name="customers",
    )
    return render_list(request, "customers/customer_list.html", page)


@staff_view("customers.view_customer")
def customer_detail(request, pk):
    customer = get_object_or_404(selectors.customer_list(), pk=pk)
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "history": audit_for_object(customer)[:20],
            "related_panels": related_panels("customer_panels", customer, request.user),
        },
    )
