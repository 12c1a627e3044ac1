"""Store-wide pages: dashboard, staff, settings, announcements, audit log, notifications, API keys."""

import sys
from functools import partial

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from shop import exports, labels, progress, selectors, services
from shop.forms import (
    AnnouncementForm,
    ApiKeyForm,
    AuditFilter,
    PasswordResetForm,
    StaffCreateForm,
    StaffEditForm,
    StaffFilter,
    StoreSettingsForm,
)
from shop.hooks import hook_answers
from shop.lists import Column, ListPage, render_list, show, td, when
from shop.middleware import busy_page, database_busy
from shop.models import MODULES
from shop.permissions import staff_view
from shop.web import form_done, form_submit, message_submit


@staff_view()
def dashboard(request):
    """The first page after login. A later module offers the real dashboard through the `dashboard_page(request)`
    hook (reports: figures, work waiting, trends); shop imports none of them, so without one the page shows the
    store's announcements and the user's notifications."""
    for page in hook_answers("dashboard_page", request):
        if page is not None:
            return page
    return render(
        request,
        "shop/dashboard.html",
        {
            "announcements": selectors.current_announcements()[:5],
            "notifications": selectors.notifications_for(request.user)[:5],
        },
    )


@staff_view()
def module_home(request, module):
    label = dict(MODULES).get(module)
    if label is None:
        raise Http404
    if not request.user.has_perm(f"shop.access_{module}"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return render(request, "shop/module_home.html", {"module_label": label})


# -- staff --------------------------------------------------------------------------------------
@staff_view("auth.view_user")
def staff_list(request):
    page = ListPage(
        request,
        selectors.staff_users(),
        columns=[
            Column("username", gettext_lazy("Username")),
            Column("first_name", pgettext_lazy("person", "Name")),
            Column(
                "roles",
                gettext_lazy("Roles"),
                sortable=False,
                value=lambda u: "、".join(str(labels.role_label(g.name)) for g in u.groups.all()),
            ),
            Column("is_active", gettext_lazy("Active")),
            Column("last_login", gettext_lazy("Last login")),
        ],
        filterset_class=StaffFilter,
        search_fields=("username__icontains", "first_name__icontains", "email__icontains"),
        default_ordering="username",
        export_name="staff",
    )
    return render_list(request, "shop/staff_list.html", page)


@staff_view("auth.add_user")
def staff_create(request):
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form_submit(
        form, lambda: services.staff_create(actor=request.user, **form.cleaned_data)
    ):
        messages.success(request, _("Staff account created."))
        return redirect("staff_list")
    return render(request, "shop/form.html", {"form": form, "title": _("New staff account")})


@staff_view("auth.change_user")
def staff_edit(request, pk):
    user = get_object_or_404(selectors.staff_users(), pk=pk)
    initial = {
        "first_name": user.first_name,
        "email": user.email,
        "is_active": user.is_active,
        "roles": [g.name for g in user.groups.all()],
    }
    form = StaffEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form_submit(
        form, lambda: services.staff_update(actor=request.user, user=user, **form.cleaned_data)
    ):
        messages.success(request, _("Staff account saved."))
        return redirect("staff_list")
    return render(
        request,
        "shop/staff_edit.html",
        {
            "form": form,
            "staff": user,
            "password_form": PasswordResetForm(),
            "history": selectors.audit_for_object(user)[:20],
        },
    )


@staff_view("auth.change_user")
def staff_password(request, pk):
    user = get_object_or_404(get_user_model(), pk=pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form_submit(
        form, lambda: services.staff_set_password(actor=request.user, user=user, **form.cleaned_data)
    ):
        messages.success(request, _("Password reset for %(u)s.") % {"u": user.get_username()})
        return redirect("staff_edit", pk=user.pk)
    return render(
        request, "shop/form.html", {"form": form, "title": _("Reset password for %(u)s") % {"u": user.get_username()}}
    )


# -- store settings and announcements ----------------------------------------------------------
@staff_view("shop.change_storesettings")
def store_settings(request):
    settings = selectors.store_settings_row()
    form = StoreSettingsForm(request.POST or None, request.FILES or None, instance=settings)
    if request.method == "POST" and form_submit(
        form,
        lambda: services.store_settings_update(
            actor=request.user,
            values=form.setting_values(),
            business_hours=form.cleaned_data["business_hours"],
            logo=form.cleaned_data.get("logo_upload"),
        ),
    ):
        messages.success(request, _("Store settings saved."))
        return redirect("store_settings")
    if request.method == "POST":
        settings.refresh_from_db()
    return render(request, "shop/store_settings.html", {"form": form, "settings": settings})


@staff_view("shop.view_announcement")
def announcement_list(request):
    page = ListPage(
        request,
        selectors.announcements(),
        columns=[
            Column("title", gettext_lazy("Title")),
            Column("starts_at", gettext_lazy("Show from")),
            Column("ends_at", gettext_lazy("Show until")),
            Column("published", gettext_lazy("Published")),
        ],
        search_fields=("title__icontains",),
        default_ordering="-starts_at",
        export_name="announcements",
    )
    return render_list(request, "shop/announcement_list.html", page)


def _announcement_page(request, announcement):
    form = AnnouncementForm(request.POST or None, instance=announcement)
    save = partial(services.announcement_save, actor=request.user, announcement=announcement)
    if form_done(
        request, form, lambda **data: save(**{f: data[f] for f in form.Meta.fields}), _("Announcement saved.")
    ):
        return redirect("announcement_list")
    return render(request, "shop/form.html", {"form": form, "title": _("Announcement")})


@staff_view("shop.add_announcement")
def announcement_create(request):
    return _announcement_page(request, None)


@staff_view("shop.change_announcement")
def announcement_edit(request, pk):
    return _announcement_page(request, get_object_or_404(selectors.announcements(), pk=pk))


@staff_view("shop.delete_announcement")
@require_POST
def announcement_delete(request, pk):
    services.announcement_delete(actor=request.user, announcement=get_object_or_404(selectors.announcements(), pk=pk))
    messages.success(request, _("Announcement deleted."))
    return redirect("announcement_list")


# -- audit log ---------------------------------------------------------------------------------
def _audit_cells():
    """The audit row (shop.lists fast row path): when, who, module, action, object, and the changes table
    components/audit_changes.html writes."""
    heads = "".join(f"<th>{escape(word)}</th>" for word in (_("Field"), _("Before"), _("After")))

    def changes(e):
        rows = labels.audit_changes(e)
        if not rows:
            return "<td></td>"
        body = "".join(
            f'<tr><th scope="row">{show(field)}</th><td>{show(old)}</td><td>{show(new)}</td></tr>'
            for field, old, new in rows
        )
        return td(
            f'<div class="table-wrap"><table class="changes">\n<thead><tr>{heads}</tr></thead>\n'
            f"<tbody>{body}</tbody>\n</table></div>"
        )

    return [
        lambda e: td(when(e.created_at)),
        lambda e: td(show(labels.actor_label(e.actor_label))),
        lambda e: td(show(labels.module_label(e.module))),
        lambda e: td(show(labels.action_label(e.action))),
        lambda e: td(show(e.object_repr)),
        changes,
    ]


@staff_view("shop.view_auditentry")
def audit_list(request):
    page = ListPage(
        request,
        selectors.audit_entries(),
        columns=[
            Column("created_at", gettext_lazy("When")),
            Column("actor_label", gettext_lazy("Who"), value=lambda e: labels.actor_label(e.actor_label)),
            Column("module", gettext_lazy("Module"), value=lambda e: labels.module_label(e.module)),
            Column("action", gettext_lazy("Action"), value=lambda e: labels.action_label(e.action)),
            Column("object_repr", gettext_lazy("Object")),
            Column(
                "before",
                gettext_lazy("Changes"),
                sortable=False,
                value=lambda e: "；".join(f"{f}: {old} → {new}" for f, old, new in labels.audit_changes(e)),
            ),
        ],
        filterset_class=AuditFilter,
        search_fields=("object_repr__icontains", "action__icontains"),
        default_ordering="-created_at",
        export_name="audit-log",
        row_cells=_audit_cells,
    )
    return render_list(request, "shop/audit_list.html", page)


# -- notifications -----------------------------------------------------------------------------
@staff_view()
def notification_list(request):
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("notification_list")
    page = ListPage(
        request,
        selectors.notifications_for(request.user),
        columns=[
            Column("created_at", gettext_lazy("When")),
            Column("title", gettext_lazy("Title")),
        ],
        default_ordering="-created_at",
        export_name="notifications",
    )
    return render_list(request, "shop/notification_list.html", page)


@staff_view()
@require_POST
def notification_open(request, pk):
    note = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.notifications_mark_read(user=request.user, ids=[note.pk])
    return redirect(note.url if note.url.startswith("/") else "notification_list")


# -- API keys ----------------------------------------------------------------------------------
@staff_view("shop.view_apikey")
def apikey_list(request):
    form = ApiKeyForm(request.POST or None)
    created = None
    if request.method == "POST":
        if not request.user.has_perm("shop.add_apikey"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        result = {}
        if form_submit(
            form, lambda: result.update(pair=services.apikey_create(actor=request.user, **form.cleaned_data))
        ):
            created = result["pair"][1]
            form = ApiKeyForm()
    return render(request, "shop/apikey_list.html", {"keys": selectors.api_keys(), "form": form, "created": created})


@staff_view("shop.change_apikey")
@require_POST
def apikey_revoke(request, pk):
    key = get_object_or_404(selectors.api_keys(), pk=pk)
    message_submit(request, lambda: services.apikey_revoke(actor=request.user, key=key), _("API key revoked."))
    return redirect("apikey_list")


@staff_view()
def jobrun_detail(request, pk):
    run = get_object_or_404(progress.runs_visible_to(request.user), pk=pk)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "state": run.state,
                "done": run.done,
                "total": run.total,
                "percent": run.percent,
                "result": run.result,
                "error": run.error,
            }
        )
    return render(
        request,
        "shop/jobrun_detail.html",
        {"run": run, "expires_at": exports.expires_at(run), "expired": exports.is_expired(run)},
    )


@staff_view()
def jobrun_download(request, pk):
    """A run's file, for the user who started it or one who may read the audit log (the owner); an export
    past its expiry is gone (404) even before the hourly purge deletes it."""
    run = get_object_or_404(progress.runs_visible_to(request.user).exclude(output=""), pk=pk)
    if exports.is_expired(run):
        raise Http404
    return FileResponse(run.output.open("rb"), as_attachment=True, filename=exports.download_name(run))


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    if database_busy(sys.exc_info()[1]):
        return busy_page(request)
    return render(request, "500.html", status=500)
