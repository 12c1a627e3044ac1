"""Privacy pages: reveal one phone (audited), a customer's data file, and erasing a customer on request."""

import json

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from customers import privacy, services
from customers.forms import ErasureForm
from customers.views.common import customer_or_404
from shop.lists import parse_ids
from shop.permissions import staff_view
from shop.web import form_done


@staff_view(privacy.REVEAL)
@require_POST
def phone_reveal(request):
    """The full number of one phone on a page (htmx swaps it in place): one audit entry per reveal."""
    source = privacy.phone_sources().get(request.POST.get("source", ""))
    ids = parse_ids([request.POST.get("pk", "")])
    if source is None or not ids:
        raise Http404
    permission, getter = source
    if not request.user.has_perm(permission):
        raise PermissionDenied
    found = getter(ids[0])
    if found is None:
        raise Http404
    obj, number = found
    privacy.record_reveal(request.user, obj, source=request.POST["source"])
    return HttpResponse(format_html('<span class="phone revealed">{}</span>', number))


@staff_view(privacy.EXPORT_DATA)
@require_GET
def customer_data_file(request, pk):
    """Download everything the shop keeps about the customer as one JSON file (audited, as list exports are)."""
    customer = customer_or_404(pk)
    data = services.customer_data_export(customer=customer, actor=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2), content_type="application/json"
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}-{stamp}.json"'
    return response


@staff_view(privacy.ERASE)
def customer_erase(request, pk):
    """The confirmation page: typing the customer number erases (anonymises) the customer."""
    customer = customer_or_404(pk)
    if customer.erased_at is not None:
        return render(request, "customers/customer_erase.html", {"customer": customer, "form": None})
    form = ErasureForm(request.POST or None)

    def call(confirm, reason):
        return services.customer_erase(customer=customer, actor=request.user, confirm=confirm, reason=reason)

    if form_done(request, form, call, _("The customer was erased.")):
        return redirect(customer)
    return render(request, "customers/customer_erase.html", {"customer": customer, "form": form})
