"""The after-sales list pages, declared on the one list class (shop.lists.ListPage)."""

from django.contrib import messages
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales import selectors, services
from aftersales.forms import AssignForm, RequestFilter
from aftersales.models import AftersalesRequest
from shop.errors import DomainError
from shop.lists import BulkAction, Column, ListPage, choice_labels, show, td, url_for, when
from shop.money import format_money


def _approve_selected(request, queryset):
    done = 0
    for row in queryset.filter(status="submitted").order_by("pk"):
        try:
            services.request_approve(request=row, actor=request.user)
            done += 1
        except DomainError as e:
            messages.error(request, f"{row.number}: {e.message}")
    return _("%(n)s requests approved.") % {"n": done}


def _assign_selected(request, queryset):
    form = AssignForm(request.POST)
    if not form.is_valid():
        raise DomainError(_("Choose whom to assign the requests to."))
    done = services.requests_assign(
        requests=queryset.order_by("pk"), assignee=form.cleaned_data["assignee"], actor=request.user
    )
    return _("%(n)s requests assigned.") % {"n": done}


def _local(value):
    return timezone.localtime(value) if value else None


class RequestList(ListPage):
    filterset_class = RequestFilter
    default_ordering = "-submitted_at"
    search_fields = ("number__startswith", "order__number__startswith", "order__ship_phone__startswith")
    export_name = "aftersales-requests"
    columns = [
        Column("number", gettext_lazy("Request"), sortable=False),
        Column("submitted_at", gettext_lazy("Submitted"), value=lambda r: _local(r.submitted_at)),
        Column("order__number", gettext_lazy("Order"), sortable=False),
        Column("kind", gettext_lazy("Kind"), sortable=False, value=lambda r: r.get_kind_display()),
        Column("status", gettext_lazy("Status"), sortable=False, value=lambda r: r.get_status_display()),
        Column("reason", gettext_lazy("Reason"), sortable=False, value=lambda r: r.reason.name),
        Column("amount_asked", gettext_lazy("Amount asked"), sortable=False),
        Column("assignee", gettext_lazy("Assignee"), sortable=False, value=lambda r: str(r.assignee or "")),
        Column("due", gettext_lazy("Due"), sortable=False, value=lambda r: _local(r.due_at)),
    ]
    actions = [
        BulkAction("approve", gettext_lazy("Approve"), "aftersales.change_aftersalesrequest", _approve_selected),
        BulkAction("assign", gettext_lazy("Assign to…"), "aftersales.change_aftersalesrequest", _assign_selected),
    ]

    def scope(self):
        return selectors.request_list()

    def row_cells(self):
        """The request row (shop.lists fast row path)."""
        detail, order = url_for("aftersales:request_detail"), url_for("orders:order_detail")
        kinds, statuses = choice_labels(AftersalesRequest, "kind"), choice_labels(AftersalesRequest, "status")
        overdue = escape(_("Overdue"))

        def status(r):
            late = f' <span class="tag danger" data-testid="overdue">{overdue}</span>' if r.is_overdue else ""
            label = show(statuses.get(r.status, r.status))
            return td(f'<span class="tag status-{show(r.status)}" data-testid="request-status">{label}</span>{late}')

        return [
            lambda r: td(f'<a href="{detail(r.pk)}" data-testid="request-link">{show(r.number)}</a>'),
            lambda r: td(when(r.submitted_at)),
            lambda r: td(f'<a href="{order(r.order_id)}">{show(r.order.number)}</a>'),
            lambda r: td(show(kinds.get(r.kind, r.kind))),
            status,
            lambda r: td(show(r.reason.name if r.reason_id else "")),
            lambda r: td(escape(format_money(r.amount_asked)), "num"),
            lambda r: td(show(r.assignee or "—")),
            lambda r: td(when(r.due_at) or "—"),
        ]

    def search_rows(self, queryset, term):
        return super().search_rows(queryset, term.upper() if term[:2].lower() == "as" else term)
