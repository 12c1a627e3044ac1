from functools import partial

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from customers import selectors, services
from customers.forms import AddressForm, CustomerFilter, CustomerForm, TagsForm
from customers.models import CustomerAddress
from shop.lists import Column, ListPage, render_list
from shop.permissions import staff_view
from shop.related import related_panels
from shop.selectors import audit_for_object
from shop.web import form_done, message_submit


@staff_view("customers.view_customer")
def customer_list(request):
    page = ListPage(
        request,
        selectors.customer_list(),
        filterset_class=CustomerFilter,
        columns=[
            Column("name", _("Name")),
            Column("phone", _("Mobile phone")),
            Column("email", _("Email")),
            Column("gender", _("Gender"), sortable=False, value=lambda c: c.get_gender_display()),
            Column("source", _("Source"), sortable=False, value=lambda c: c.get_source_display()),
            Column("tags", _("Tags"), sortable=False, value=lambda c: ", ".join(t.name for t in c.tags.all())),
            Column("blacklisted", _("Blacklisted"), sortable=False),
            Column("created_at", _("Customer since")),
        ],
        search_fields=("phone__startswith", "name__icontains"),
        default_ordering="-created_at",
        export_name="customers",
    )
    return render_list(request, "customers/customer_list.html", page)


def _customer(pk):
    return get_object_or_404(selectors.customer_list(), pk=pk)


def _address(pk):
    return get_object_or_404(CustomerAddress.objects.select_related("customer"), pk=pk)


@staff_view("customers.view_customer")
def customer_detail(request, pk):
    customer = _customer(pk)
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "addresses": selectors.customer_addresses(customer),
            "may_change": request.user.has_perm("customers.change_customer"),
            "history": audit_for_object(customer)[:20],
            "related_panels": related_panels("customer_panels", customer, request.user),
        },
    )


def _form_page(request, customer, form, call, success, title):
    """A form for one customer: a valid post runs the service and goes back to the customer's page."""
    if form_done(request, form, call, success):
        return redirect(customer)
    return render(request, "customers/form.html", {"form": form, "customer": customer, "title": title})


@staff_view("customers.change_customer")
def customer_edit(request, pk):
    customer = _customer(pk)
    form = CustomerForm.for_customer(customer, request.POST or None)
    call = partial(services.customer_update, customer=customer, actor=request.user)
    return _form_page(request, customer, form, call, _("Customer saved."), _("Edit customer"))


@staff_view("customers.change_customer")
def customer_tags(request, pk):
    customer = _customer(pk)
    form = TagsForm(request.POST or None, initial={"tags": ", ".join(t.name for t in customer.tags.all())})
    call = partial(services.customer_tag_set, customer=customer, actor=request.user)
    return _form_page(request, customer, form, call, _("Tags saved."), _("Customer tags"))


@staff_view("customers.change_customer")
def address_create(request, pk):
    customer = _customer(pk)
    form = AddressForm.for_address(None, request.POST or None)
    call = partial(services.customer_address_save, customer=customer, actor=request.user)
    return _form_page(request, customer, form, call, _("Address added."), _("New address"))


@staff_view("customers.change_customer")
def address_edit(request, pk):
    address = _address(pk)
    customer = address.customer
    form = AddressForm.for_address(address, request.POST or None)

    def call(**data):
        return services.customer_address_save(customer=customer, address=address, actor=request.user, **data)

    return _form_page(request, customer, form, call, _("Address saved."), _("Edit address"))


@staff_view("customers.change_customer")
@require_POST
def address_delete(request, pk):
    address = _address(pk)
    message_submit(
        request, lambda: services.customer_address_delete(address=address, actor=request.user), _("Address deleted.")
    )
    return redirect(address.customer)


@staff_view("customers.change_customer")
@require_POST
def address_default(request, pk):
    address = _address(pk)
    message_submit(
        request,
        lambda: services.customer_address_set_default(address=address, actor=request.user),
        _("Default address changed."),
    )
    return redirect(address.customer)
