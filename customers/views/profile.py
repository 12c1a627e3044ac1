from functools import partial

from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from customers import privacy, selectors, services
from customers.forms import AddressForm, CustomerFilter, CustomerForm, TagsForm
from customers.models import Customer
from customers.views.common import address_or_404, customer_or_404, form_page
from customers.views.points import points_panel
from customers.views.segments import SegmentListPage
from shop.lists import Column, ListPage, choice_labels, prefetched, render_list, show, td, url_for, when
from shop.money import format_money
from shop.permissions import staff_view
from shop.related import related, related_panels
from shop.selectors import audit_for_object
from shop.web import message_submit


@staff_view("customers.view_customer")
def customer_list(request):
    return render_list(request, "customers/customer_list.html", customer_list_page(request))


def _customer_cells(request):
    """The customer row (shop.lists fast row path): name, masked phone, email, gender, source, tags, tier, RFM
    segment, spend, last order, blacklisted, customer since."""
    detail = url_for("customers:customer_detail")
    phone = privacy.phone_html(request.user, "customer")
    genders, sources, segments = (choice_labels(Customer, f) for f in ("gender", "source", "rfm_segment"))
    blacklisted = escape(gettext("Blacklisted"))

    def tags(c):
        return td("".join(f'<span class="badge">{show(t.name)}</span> ' for t in prefetched(c, "tags")))

    return [
        lambda c: td(f'<a href="{detail(c.pk)}">{show(c.name)}</a>'),
        lambda c: td(phone(c.pk, c.phone)),
        lambda c: td(show(c.email)),
        lambda c: td(show(genders.get(c.gender, c.gender))),
        lambda c: td(show(sources.get(c.source, c.source))),
        tags,
        lambda c: td(show((c.tier.name if c.tier_id else "") or "")),
        lambda c: td(show(segments.get(c.rfm_segment, c.rfm_segment))),
        lambda c: td(escape(format_money(c.spend_12m)), "num"),
        lambda c: td(escape(format_money(c.lifetime_spend)), "num"),
        lambda c: td(when(c.last_order_at, "SHORT_DATE_FORMAT")),
        lambda c: td(blacklisted if c.blacklisted else ""),
        lambda c: td(when(c.created_at, "SHORT_DATE_FORMAT")),
    ]


def customer_list_page(request) -> ListPage:
    """The customer list with the request's filters, search and ordering (the push list exports its rows)."""
    return SegmentListPage(  # a ListPage whose count reads a saved segment's member count (?segment=)
        request,
        selectors.customer_list(),
        filterset_class=CustomerFilter,
        columns=[
            Column("name", _("Name")),
            Column("phone", _("Mobile phone"), personal=privacy.PHONE),
            Column("email", _("Email")),
            Column("gender", _("Gender"), sortable=False, value=lambda c: c.get_gender_display()),
            Column("source", _("Source"), sortable=False, value=lambda c: c.get_source_display()),
            Column("tags", _("Tags"), sortable=False, value=lambda c: ", ".join(t.name for t in c.tags.all())),
            Column("tier", _("Member tier"), sortable=False, value=lambda c: c.tier.name if c.tier else ""),
            Column("rfm_segment", _("RFM segment"), sortable=False, value=lambda c: c.get_rfm_segment_display()),
            Column("spend_12m", _("12-month spend")),
            Column("lifetime_spend", _("Lifetime spend")),
            Column("last_order_at", _("Last order")),
            Column("blacklisted", _("Blacklisted"), sortable=False),
            Column("created_at", _("Customer since")),
        ],
        search_rows=partial(selectors.search, user=request.user),
        default_ordering="-created_at",
        export_name="customers",
        # "More than 1,000 results": counting up to 10,000 of 200,000 customers on every load cost more than
        # the page itself (bench/customers_rfm.py).
        count_limit=1000,
        row_cells=partial(_customer_cells, request),
    )


@staff_view("customers.view_customer")
def customer_detail(request, pk):
    customer = customer_or_404(pk)
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "addresses": selectors.customer_addresses(customer),
            "may_change": request.user.has_perm("customers.change_customer") and customer.erased_at is None,
            "may_export_data": request.user.has_perm(privacy.EXPORT_DATA),
            "may_erase": request.user.has_perm(privacy.ERASE) and customer.erased_at is None,
            "history": audit_for_object(customer)[:20],
            "figures": selectors.customer_figures(customer),
            "tier_history": related(
                selectors.tier_history(customer),
                key="tier-history",
                title=_("Tier history"),
                url="",
                template="customers/_tier_history.html",
            ),
            "related_panels": related_panels("customer_panels", customer, request.user),
            "points": points_panel(request.user, customer),
        },
    )


@staff_view("customers.change_customer")
def customer_edit(request, pk):
    customer = customer_or_404(pk)
    form = CustomerForm.for_customer(customer, request.POST or None)
    form.initial["phone"] = privacy.form_phone(request, customer, source="customer", phone=customer.phone)

    def call(phone, **data):
        phone = privacy.kept_phone(phone, customer.phone)
        return services.customer_update(customer=customer, actor=request.user, phone=phone, **data)

    return form_page(request, customer, form, call, _("Customer saved."), _("Edit customer"))


@staff_view("customers.change_customer")
def customer_tags(request, pk):
    customer = customer_or_404(pk)
    form = TagsForm(request.POST or None, initial={"tags": ", ".join(t.name for t in customer.tags.all())})
    call = partial(services.customer_tag_set, customer=customer, actor=request.user)
    return form_page(request, customer, form, call, _("Tags saved."), _("Customer tags"))


@staff_view("customers.change_customer")
def address_create(request, pk):
    customer = customer_or_404(pk)
    form = AddressForm.for_address(None, request.POST or None)
    call = partial(services.customer_address_save, customer=customer, actor=request.user)
    return form_page(request, customer, form, call, _("Address added."), _("New address"))


@staff_view("customers.change_customer")
def address_edit(request, pk):
    address = address_or_404(pk)
    customer = address.customer
    form = AddressForm.for_address(address, request.POST or None)
    form.initial["phone"] = privacy.form_phone(request, address, source="address", phone=address.phone)

    def call(phone, **data):
        phone = privacy.kept_phone(phone, address.phone)
        return services.customer_address_save(
            customer=customer, address=address, actor=request.user, phone=phone, **data
        )

    return form_page(request, customer, form, call, _("Address saved."), _("Edit address"))


@staff_view("customers.change_customer")
@require_POST
def address_delete(request, pk):
    address = address_or_404(pk)
    message_submit(
        request, lambda: services.customer_address_delete(address=address, actor=request.user), _("Address deleted.")
    )
    return redirect(address.customer)


@staff_view("customers.change_customer")
@require_POST
def address_default(request, pk):
    address = address_or_404(pk)
    message_submit(
        request,
        lambda: services.customer_address_set_default(address=address, actor=request.user),
        _("Default address changed."),
    )
    return redirect(address.customer)
