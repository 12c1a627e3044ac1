"""Staff pages of flash sales and group buys: thin — parse, call a service or a selector, render."""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from marketing import flash, groupbuy, lists, selectors
from marketing.forms import FlashItemForm, FlashSessionForm, GroupBuyForm
from marketing.models import FlashSession, GroupBuy
from shop.lists import render_list
from shop.permissions import staff_view
from shop.selectors import audit_for_object
from shop.web import form_done


def _form(request, template, **context):
    return render(request, f"marketing/{template}", context)


# -- flash sales ---------------------------------------------------------------------------------------
@staff_view("marketing.view_flashsession")
def flash_session_list(request):
    return render_list(request, "marketing/flash_session_list.html", lists.FlashSessionList(request))


@staff_view("marketing.add_flashsession")
def flash_session_create(request):
    form = FlashSessionForm(request.POST or None)
    saved = {}

    def save(**data):
        saved["session"] = flash.flash_session_save(actor=request.user, **data)

    if form_done(request, form, save, _("Session saved; add its SKUs.")):
        return redirect("marketing:flash_session_detail", saved["session"].pk)
    return _form(request, "form.html", form=form, title=_("New flash-sale session"))


@staff_view("marketing.view_flashsession")
def flash_session_detail(request, pk):
    session = get_object_or_404(FlashSession, pk=pk)
    context = {"session": session, "items": selectors.flash_items(session)}
    if request.GET.get("partial") == "items":  # the live counts, polled by the page
        return render(request, "marketing/_flash_items.html", context)
    can_change = request.user.has_perm("marketing.change_flashsession")
    form = FlashSessionForm(
        request.POST if request.method == "POST" and can_change else None,
        initial={"name": session.name, "starts_at": session.starts_at, "ends_at": session.ends_at},
    )
    if request.method == "POST" and not can_change:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    if form_done(
        request, form, lambda **data: flash.flash_session_save(actor=request.user, session=session, **data), _("Saved.")
    ):
        return redirect("marketing:flash_session_detail", session.pk)
    context.update(
        form=form,
        item_form=FlashItemForm(),
        can_change=can_change,
        history=audit_for_object(session)[:20],
    )
    return render(request, "marketing/flash_session_detail.html", context)


@staff_view("marketing.change_flashsession")
def flash_item_add(request, pk):
    session = get_object_or_404(FlashSession, pk=pk)
    form = FlashItemForm(request.POST or None)
    if form_done(
        request,
        form,
        lambda **data: flash.flash_item_add(actor=request.user, session=session, **data),
        _("SKU added; its sale quantity is held apart from stock."),
    ):
        return redirect("marketing:flash_session_detail", session.pk)
    return render(
        request,
        "marketing/flash_session_detail.html",
        {
            "session": session,
            "items": selectors.flash_items(session),
            "form": FlashSessionForm(
                initial={"name": session.name, "starts_at": session.starts_at, "ends_at": session.ends_at}
            ),
            "item_form": form,
            "can_change": True,
            "history": audit_for_object(session)[:20],
        },
    )


# -- group buys ----------------------------------------------------------------------------------------
@staff_view("marketing.view_groupbuy")
def group_buy_list(request):
    return render_list(request, "marketing/group_buy_list.html", lists.GroupBuyList(request))


@staff_view("marketing.add_groupbuy")
def group_buy_create(request):
    form = GroupBuyForm(request.POST or None)
    saved = {}

    def save(**data):
        saved["activity"] = groupbuy.group_buy_save(actor=request.user, **data)

    if form_done(request, form, save, _("Group buy saved.")):
        return redirect("marketing:group_buy_detail", saved["activity"].pk)
    return _form(request, "form.html", form=form, title=_("New group buy"))


@staff_view("marketing.view_groupbuy")
def group_buy_detail(request, pk):
    activity = get_object_or_404(GroupBuy.objects.select_related("sku"), pk=pk)
    can_change = request.user.has_perm("marketing.change_groupbuy")
    if request.method == "POST" and not can_change:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    initial = {
        "name": activity.name,
        "sku": activity.sku.code,
        "group_size": activity.group_size,
        "group_price": activity.group_price,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "fill_hours": activity.fill_hours,
    }
    form = GroupBuyForm(request.POST or None, initial=initial)
    if form_done(
        request,
        form,
        lambda **data: groupbuy.group_buy_save(actor=request.user, activity=activity, **data),
        _("Saved."),
    ):
        return redirect("marketing:group_buy_detail", activity.pk)
    return render(
        request,
        "marketing/group_buy_detail.html",
        {
            "activity": activity,
            "form": form,
            "can_change": can_change,
            "groups": selectors.groups_of(activity),
            "history": audit_for_object(activity)[:20],
        },
    )
