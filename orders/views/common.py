"""What the order pages share: the order a URL names, and the redirect back to where the clerk came from."""

from django.http import Http404, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from orders import selectors


def _back(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def _order(pk):
    order = selectors.order_detail(pk)
    if order is None:
        raise Http404
    return order
