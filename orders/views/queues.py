"""The warehouse work queues and the abnormal (on hold) orders."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import selectors
from orders.forms import ResolveForm, ShipForm
from orders.lists import AbnormalList, QueueList
from shop.lists import render_list
from shop.permissions import staff_view


@staff_view("orders.view_order")
def work_queue(request, queue):
    if queue not in selectors.QUEUES:
        raise Http404
    context = QueueList(request, queue=queue).context()
    now = timezone.now()
    context.update(
        {
            "queue": queue,
            "rows": [(order, selectors.priority_explained(order, now)) for order in context["page"].rows],
            "counts": selectors.queue_counts(),
            "ship_form": ShipForm(),
            "queues": [("allocate", _("To allocate")), ("pick", _("To pick")), ("ship", _("To ship"))],
        }
    )
    return render(request, "orders/queue.html", context)


@staff_view("orders.view_order")
def abnormal_list(request):
    return render_list(request, "orders/abnormal_list.html", AbnormalList(request), {"resolve_form": ResolveForm()})
