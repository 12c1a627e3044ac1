"""After-sales request pages: the list (filters, search, export, bulk approve/assign), a request with the
form for its current step, staff entry from the order page, the reasons page and the policy page."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales import selectors, services
from aftersales.forms import (
    AftersalesSettingsForm,
    ApproveForm,
    AssignForm,
    AutoRuleForm,
    ExcludedCategoryForm,
    InspectForm,
    NoteForm,
    ReasonForm,
    ReceiveForm,
    RejectForm,
    ShipReplacementForm,
    StaffRequestForm,
)
from aftersales.lists import RequestList
from aftersales.models import AftersalesEvidence, AftersalesExcludedCategory, AftersalesReason, AftersalesRequest
from aftersales.state import request_next_actions
from orders import selectors as order_selectors
from orders.models import Order, OrderEvent
from shop.lists import render_list
from shop.permissions import staff_view
from shop.selectors import audit_for_object, store_settings
from shop.web import form_submit, message_submit

CHANGE = "aftersales.change_aftersalesrequest"
RECEIVE = "aftersales.receive_aftersalesrequest"
# Which permission each step's page action needs: 客服 decides and refunds; the warehouse receives, inspects and
# ships the replacement.
STEP_PERMISSIONS = {
    "approve": CHANGE,
    "reject": CHANGE,
    "receive": RECEIVE,
    "inspect": RECEIVE,
    "refund": CHANGE,
    "ship_replacement": RECEIVE,
    "close": CHANGE,
}


@staff_view("aftersales.view_aftersalesrequest")
def request_list(request):
    return render_list(request, "aftersales/request_list.html", RequestList(request), {"assign_form": AssignForm()})


def _request_or_404(pk) -> AftersalesRequest:
    found = selectors.request_detail(pk)
    if found is None:
        raise Http404
    return found


def _detail(request, obj, forms=None, status=200):
    forms = forms or {}
    actions = [a for a in request_next_actions(obj) if request.user.has_perm(STEP_PERMISSIONS.get(a, CHANGE))]
    timeline = OrderEvent.objects.filter(order=obj.order, kind="aftersales", data__request=obj.number).order_by(
        "created_at", "id"
    )
    context = {
        "req": obj,
        "order": obj.order,
        "actions": actions,
        "may_change": request.user.has_perm(CHANGE),
        "approve_form": forms.get("approve") or ApproveForm(),
        "reject_form": forms.get("reject") or RejectForm(),
        "receive_form": forms.get("receive") or ReceiveForm(),
        "inspect_form": forms.get("inspect") or (InspectForm(request=obj) if "inspect" in actions else None),
        "ship_form": forms.get("ship_replacement") or ShipReplacementForm(),
        "assign_form": AssignForm(initial={"assignee": obj.assignee_id}),
        "note_form": forms.get("note") or NoteForm(initial={"staff_note": obj.staff_note}),
        "timeline": timeline,
        "history": audit_for_object(obj)[:30],
        "now": timezone.now(),
    }
    return render(request, "aftersales/request_detail.html", context, status=status)


@staff_view("aftersales.view_aftersalesrequest")
def request_detail(request, pk):
    return _detail(request, _request_or_404(pk))


def _step(request, pk, step, form_class, call, success):
    """Run one step's posted form through its service; on a refusal show the page again with the message
    beside the form (inline validation)."""
    obj = _request_or_404(pk)
    form = form_class(request.POST, request=obj) if form_class is InspectForm else form_class(request.POST)
    if form_submit(form, lambda: call(obj, form)):
        messages.success(request, success)
        return redirect(obj)
    return _detail(request, obj, {step: form}, status=400)


@staff_view(CHANGE)
@require_POST
def request_approve(request, pk):
    return _step(
        request,
        pk,
        "approve",
        ApproveForm,
        lambda obj, f: services.request_approve(request=obj, actor=request.user, note=f.cleaned_data["note"]),
        _("Request approved."),
    )


@staff_view(CHANGE)
@require_POST
def request_reject(request, pk):
    return _step(
        request,
        pk,
        "reject",
        RejectForm,
        lambda obj, f: services.request_reject(
            request=obj, actor=request.user, reason=f.cleaned_data["refusal_reason"]
        ),
        _("Request rejected."),
    )


@staff_view(RECEIVE)
@require_POST
def request_receive(request, pk):
    return _step(
        request,
        pk,
        "receive",
        ReceiveForm,
        lambda obj, f: services.request_receive(request=obj, actor=request.user, note=f.cleaned_data["note"]),
        _("Return marked received."),
    )


@staff_view(RECEIVE)
@require_POST
def request_inspect(request, pk):
    return _step(
        request,
        pk,
        "inspect",
        InspectForm,
        lambda obj, f: services.request_inspect(request=obj, actor=request.user, outcomes=f.outcomes()),
        _("Inspection recorded."),
    )


@staff_view(CHANGE)
@require_POST
def request_refund(request, pk):
    obj = _request_or_404(pk)
    message_submit(
        request,
        lambda: services.request_refund(request=obj, actor=request.user),
        _("Refund requested; finance approves it in Payments."),
    )
    return redirect(obj)


@staff_view(RECEIVE)
@require_POST
def request_ship_replacement(request, pk):
    return _step(
        request,
        pk,
        "ship_replacement",
        ShipReplacementForm,
        lambda obj, f: services.request_ship_replacement(
            request=obj,
            carrier=f.cleaned_data["carrier"],
            tracking_number=f.cleaned_data["tracking_number"],
            actor=request.user,
        ),
        _("Replacement shipped."),
    )


@staff_view(CHANGE)
@require_POST
def request_close(request, pk):
    obj = _request_or_404(pk)
    message_submit(request, lambda: services.request_close(request=obj, actor=request.user), _("Request closed."))
    return redirect(obj)


@staff_view(CHANGE)
@require_POST
def request_assign(request, pk):
    obj = _request_or_404(pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(obj)
    message_submit(
        request,
        lambda: services.request_assign(request=obj, assignee=form.cleaned_data["assignee"], actor=request.user),
        _("Request assigned."),
    )
    return redirect(obj)


@staff_view(CHANGE)
@require_POST
def request_note(request, pk):
    return _step(
        request,
        pk,
        "note",
        NoteForm,
        lambda obj, f: services.request_note(request=obj, actor=request.user, note=f.cleaned_data["staff_note"]),
        _("Note saved."),
    )


@staff_view("aftersales.view_aftersalesrequest")
def evidence_image(request, pk, evidence_pk):
    """A customer's photo (never a public media URL): the thumbnail, or the full image with ?full=1."""
    evidence = get_object_or_404(AftersalesEvidence, pk=evidence_pk, request_id=pk)
    file = evidence.image if request.GET.get("full") or not evidence.thumbnail else evidence.thumbnail
    try:
        return FileResponse(file.open("rb"))
    except (FileNotFoundError, ValueError):
        raise Http404 from None


@staff_view("aftersales.add_aftersalesrequest")
def request_new(request, order_pk):
    """Customer service enters a request for a customer, from the order page."""
    order = get_object_or_404(Order.objects.prefetch_related("lines"), pk=order_pk)
    left = services.units_left(order)
    form = StaffRequestForm(request.POST or None, request.FILES or None, order=order, left=left)
    created = []
    if request.method == "POST" and form_submit(
        form,
        lambda: created.append(
            services.request_submit(
                order=order,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                lines=form.lines(),
                note=form.cleaned_data["note"],
                images=form.cleaned_data["images"],
                actor=request.user,
                channel=AftersalesRequest.Channel.STAFF,
            )[0]
        ),
    ):
        messages.success(request, _("After-sales request %(n)s created.") % {"n": created[0].number})
        return redirect(created[0])
    charged = order_selectors.line_charges(order)
    return render(
        request,
        "aftersales/request_new.html",
        {"form": form, "order": order, "charged": charged},
        status=400 if request.method == "POST" else 200,
    )


# -- reasons -------------------------------------------------------------------------------------------
@staff_view("aftersales.view_aftersalesreason")
def reason_list(request):
    return render(request, "aftersales/reason_list.html", {"reasons": selectors.reasons()})


@staff_view("aftersales.add_aftersalesreason")
def reason_create(request):
    return _reason_form(request, None)


@staff_view("aftersales.change_aftersalesreason")
def reason_edit(request, pk):
    return _reason_form(request, get_object_or_404(AftersalesReason, pk=pk))


def _reason_form(request, reason):
    form = ReasonForm(request.POST or None, instance=reason)
    if request.method == "POST" and form_submit(
        form,
        lambda: services.reason_save(
            actor=request.user,
            reason=reason,
            **{name: form.cleaned_data[name] for name in ReasonForm.Meta.fields},
        ),
    ):
        messages.success(request, _("Reason saved."))
        return redirect("aftersales:reason_list")
    title = reason.name if reason else _("New reason")
    return render(request, "aftersales/form.html", {"form": form, "title": title, "back": "aftersales:reason_list"})


@staff_view("aftersales.delete_aftersalesreason")
@require_POST
def reason_delete(request, pk):
    reason = get_object_or_404(AftersalesReason, pk=pk)
    message_submit(request, lambda: services.reason_delete(actor=request.user, reason=reason), _("Reason deleted."))
    return redirect("aftersales:reason_list")


@staff_view("aftersales.change_aftersalesreason")
@require_POST
def reasons_reorder(request):
    ids = [v for v in request.POST.getlist("ids") if v.isdigit() and len(v) < 12]
    moved = request.POST.get("move", "")
    if moved.count(":") == 1:  # "up:<id>" / "down:<id>": swap it with its neighbour
        direction, pk = moved.split(":")
        order = [r.pk for r in selectors.reasons()]
        if pk.isdigit() and int(pk) in order:
            i = order.index(int(pk))
            j = i - 1 if direction == "up" else i + 1
            if 0 <= j < len(order):
                order[i], order[j] = order[j], order[i]
        ids = [str(p) for p in order]
    message_submit(request, lambda: services.reasons_reorder(actor=request.user, ids=ids), _("Order saved."))
    return redirect("aftersales:reason_list")


# -- policy --------------------------------------------------------------------------------------------
@staff_view("aftersales.view_autoapprovalrule")
def policy(request):
    return _policy_page(request)


def _policy_page(request, forms=None, status=200):
    forms = forms or {}
    return render(
        request,
        "aftersales/policy.html",
        {
            "rules": selectors.auto_rules(),
            "excluded": selectors.excluded_categories(),
            "settings_form": forms.get("settings") or AftersalesSettingsForm(instance=store_settings()),
            "category_form": forms.get("category") or ExcludedCategoryForm(),
        },
        status=status,
    )


@staff_view("aftersales.change_autoapprovalrule")
@require_POST
def policy_settings(request):
    form = AftersalesSettingsForm(request.POST, instance=store_settings())
    if form_submit(
        form,
        lambda: services.aftersales_settings_update(
            actor=request.user, values={name: form.cleaned_data[name] for name in services.SETTING_FIELDS}
        ),
    ):
        messages.success(request, _("After-sales settings saved."))
        return redirect("aftersales:policy")
    return _policy_page(request, {"settings": form}, status=400)


@staff_view("aftersales.add_aftersalesexcludedcategory")
@require_POST
def excluded_category_add(request):
    form = ExcludedCategoryForm(request.POST)
    if form_submit(form, lambda: services.excluded_category_add(actor=request.user, **form.cleaned_data)):
        messages.success(request, _("Category excluded from no-reason returns."))
        return redirect("aftersales:policy")
    return _policy_page(request, {"category": form}, status=400)


@staff_view("aftersales.delete_aftersalesexcludedcategory")
@require_POST
def excluded_category_remove(request, pk):
    row = get_object_or_404(AftersalesExcludedCategory, pk=pk)
    message_submit(
        request, lambda: services.excluded_category_remove(actor=request.user, row=row), _("Category allowed again.")
    )
    return redirect("aftersales:policy")


@staff_view("aftersales.add_autoapprovalrule")
def rule_create(request):
    return _rule_form(request, None)


@staff_view("aftersales.change_autoapprovalrule")
def rule_edit(request, pk):
    from aftersales.models import AutoApprovalRule

    return _rule_form(request, get_object_or_404(AutoApprovalRule, pk=pk))


def _rule_form(request, rule):
    form = AutoRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form_submit(
        form,
        lambda: services.auto_rule_save(
            actor=request.user, rule=rule, **{name: form.cleaned_data[name] for name in AutoRuleForm.Meta.fields}
        ),
    ):
        messages.success(request, _("Rule saved."))
        return redirect("aftersales:policy")
    title = rule.name if rule else _("New auto-approval rule")
    return render(request, "aftersales/form.html", {"form": form, "title": title, "back": "aftersales:policy"})


@staff_view("aftersales.delete_autoapprovalrule")
@require_POST
def rule_delete(request, pk):
    from aftersales.models import AutoApprovalRule

    rule = get_object_or_404(AutoApprovalRule, pk=pk)
    message_submit(request, lambda: services.auto_rule_delete(actor=request.user, rule=rule), _("Rule deleted."))
    return redirect("aftersales:policy")
