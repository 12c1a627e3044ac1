"""The staff inbox of customer messages (客户留言): the list, a message with its thread, assign, reply, status."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customers import selectors, services
from customers.forms import AssignForm, MessageFilter, ReplyForm
from customers.models import OutboundMessage
from customers.services.inbox import MESSAGE_MACHINE, STATUS_ACTIONS
from shop.china import mask_phone
from shop.errors import DomainError
from shop.lists import BulkAction, Column, ListPage, render_list
from shop.permissions import staff_view
from shop.related import related_panels
from shop.selectors import audit_for_object
from shop.web import message_submit


def _assign_selected(request, queryset):
    form = AssignForm(request.POST)
    if not form.is_valid() or form.cleaned_data["assignee"] is None:
        raise DomainError(_("Choose whom to assign the messages to."))
    done, refused = services.messages_assign(
        messages=queryset, actor=request.user, assignee=form.cleaned_data["assignee"]
    )
    for refusal in refused[:10]:
        messages.error(request, refusal)
    return _("%(n)s messages assigned.") % {"n": done}


class MessageList(ListPage):
    filterset_class = MessageFilter
    default_ordering = "-created_at"
    search_fields = ("customer__phone__startswith", "subject__icontains", "order_number__startswith")
    export_name = "customer-messages"
    columns = [
        Column("created_at", gettext_lazy("Received"), value=lambda m: timezone.localtime(m.created_at)),
        Column("subject", gettext_lazy("Subject"), sortable=False),
        Column("customer__name", gettext_lazy("Customer"), sortable=False),
        Column("order_number", gettext_lazy("Order number"), sortable=False),
        Column("status", gettext_lazy("Status"), sortable=False, value=lambda m: m.get_status_display()),
        Column("assignee", gettext_lazy("Assignee"), sortable=False, value=lambda m: str(m.assignee or "")),
        Column(
            "sla_breached_at",
            gettext_lazy("SLA breached"),
            value=lambda m: timezone.localtime(m.sla_breached_at) if m.sla_breached_at else None,
        ),
    ]
    actions = [
        BulkAction("assign", gettext_lazy("Assign to…"), "customers.change_customermessage", _assign_selected),
    ]

    def scope(self):
        return selectors.messages()


@staff_view("customers.view_customermessage")
def message_list(request):
    return render_list(request, "customers/message_list.html", MessageList(request), {"assign_form": AssignForm()})


def _message_or_404(pk):
    return get_object_or_404(selectors.messages(), pk=pk)


@staff_view("customers.view_customermessage")
def message_detail(request, pk):
    message = _message_or_404(pk)
    return render(
        request,
        "customers/message_detail.html",
        {
            "message": message,
            "customer": message.customer,
            "thread": selectors.message_thread(message),
            "assign_form": AssignForm(initial={"assignee": message.assignee_id}),
            "reply_form": ReplyForm(),
            "may_change": request.user.has_perm("customers.change_customermessage"),
            "may_reply": request.user.has_perm("customers.add_messagereply")
            and MESSAGE_MACHINE.allows(message, "reply"),
            "status_actions": [
                (action, label) for action, label in STATUS_ACTIONS.items() if MESSAGE_MACHINE.allows(message, action)
            ],
            "history": audit_for_object(message)[:20],
            # what later modules offer beside a message (AppConfig.message_panels: after-sales' FAQ search)
            "related_panels": related_panels("message_panels", message, request.user),
        },
    )


@staff_view("customers.change_customermessage")
@require_POST
def message_assign(request, pk):
    message = _message_or_404(pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(message)
    assignee = form.cleaned_data["assignee"]
    message_submit(
        request,
        lambda: services.message_assign(message=message, actor=request.user, assignee=assignee),
        _("Message assigned.") if assignee else _("Message unassigned."),
    )
    return redirect(message)


@staff_view("customers.add_messagereply")
@require_POST
def message_reply(request, pk):
    message = _message_or_404(pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(message)
    try:
        reply = services.message_reply(
            message=message, actor=request.user, text=form.cleaned_data["text"], channel=form.cleaned_data["channel"]
        )
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(message)
    outbound = reply.outbound
    if outbound is not None and outbound.status == OutboundMessage.Status.SENT:
        messages.success(
            request,
            _("Reply sent by %(c)s to %(to)s.") % {"c": outbound.get_channel_display(), "to": mask_phone(outbound.to)},
        )
    else:
        error = outbound.error if outbound is not None else ""
        messages.error(request, _("The reply is saved, but sending it failed: %(e)s") % {"e": error})
    return redirect(message)


@staff_view("customers.change_customermessage")
@require_POST
def message_status(request, pk):
    message = _message_or_404(pk)
    action = request.POST.get("action", "")
    message_submit(
        request,
        lambda: services.message_move(message=message, actor=request.user, action=action),
        _("Status changed."),
    )
    return redirect(message)
