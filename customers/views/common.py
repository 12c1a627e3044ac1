"""What the customer pages share: the customer (or 404) and a form page that goes back to the customer."""

from django.shortcuts import get_object_or_404, redirect, render

from customers import selectors
from shop.web import form_done


def customer_or_404(pk):
    return get_object_or_404(selectors.customer_list(), pk=pk)


def address_or_404(pk):
    return get_object_or_404(selectors.customer_addresses_all(), pk=pk)


def form_page(request, customer, form, call, success, title):
    """A form for one customer: a valid post runs the service and goes back to the customer's page."""
    if form_done(request, form, call, success):
        return redirect(customer)
    return render(request, "customers/form.html", {"form": form, "customer": customer, "title": title})
