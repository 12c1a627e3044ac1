"""Price this cart: staff pick a customer and SKUs and see every line, every promotion applied or
refused with the reason, and the totals — the same engine intake uses, without writing anything."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from catalog.models import Sku
from customers.models import Customer
from marketing.forms import PreviewForm
from marketing.pricing import quote_promotions
from shop.china import mobile_digits
from shop.errors import DomainError
from shop.permissions import staff_view


@staff_view("marketing.view_activity")
def price_preview(request):
    form = PreviewForm(request.GET if "lines" in request.GET else None)
    quote = customer = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        phone = data["phone"].strip()
        if phone:
            customer = Customer.objects.select_related("tier").filter(phone=mobile_digits(phone) or phone).first()
            if customer is None:
                form.add_error("phone", _("No customer has this mobile phone number."))
        wanted = dict(data["lines"])
        skus = {s.code: s for s in Sku.objects.select_related("product").filter(code__in=list(wanted))}
        missing = [code for code in wanted if code not in skus]
        if missing:
            form.add_error("lines", _("Unknown SKU: %(codes)s") % {"codes": ", ".join(missing[:10])})
        if not form.errors:
            try:
                quote = quote_promotions(
                    lines=[(skus[code], quantity) for code, quantity in wanted.items()],
                    customer=customer,
                    coupon_code=data["coupon_code"],
                    strict=False,
                )
            except DomainError as e:
                form.add_error(None, e.message)
    return render(request, "marketing/price_preview.html", {"form": form, "quote": quote, "customer": customer})
