"""Operators in the Django admin (issue 18): find anything, see the jobs, repair data through services.

The rule, stated on the admin index too: **the admin writes nothing itself.** Every model is read-only here
(no add, change or delete, superusers included); configuration that is data (payment methods, carriers,
freight templates, dispatch rules, risk rules, member tiers, promotions) links to its staff page, the one
write path, where the same service validates and audits it. Repairs are admin actions that call a
service: a confirmation page asks for a reason, the service writes the audit entry, objects in the wrong
state are refused one by one with the service's reason, the rest are applied, one summary message.

Registering a module's models (the pattern for aftersales/ and reports/ when they land)::

    # aftersales/admin.py: every model of the module, each with its OperatorAdmin
    from django.contrib import admin
    from django.utils.translation import gettext_lazy as _

    from aftersales import services
    from aftersales.models import AftersalesRequest
    from orders.models import Order
    from shop.admin import OperatorAdmin, ReadOnlyInline, RelatedLink, add_related, repair_action

    def _escalate(req, *, actor, reason):        # the service call; a DomainError refuses this object
        services.request_escalate(request=req, actor=actor, reason=reason)

    @admin.register(AftersalesRequest)
    class AftersalesRequestAdmin(OperatorAdmin):
        list_display = ("number", "order", "kind", "status", "created_at")  # FKs: joined for you (2 levels)
        list_filter = ("kind", "status")          # choices, booleans, small tables only (no 100k-row list)
        search_fields = ("=number", "=order__number")  # "=" or "^": served by an index
        date_hierarchy = "created_at"             # drill-down from MIN/MAX (templates/admin/change_list.html)
        staff_page = "aftersales:request_list"    # the staff page: the one write path (linked on the pages)
        related = [RelatedLink(_("Refunds"), "payments.refund", "order__id__exact", "order_id")]
        actions = [repair_action("escalate", _("Escalate"), _escalate, permission="shop.repair_...")]

    # an earlier module's admin shows the later module's records: the later module adds the link
    add_related(Order, RelatedLink(_("After-sales requests"), "aftersales.aftersalesrequest", "order__id__exact"))

    # reports/admin.py: the rollups' repair, permission already declared: "shop.repair_rebuild_report_rollup"
    actions = [repair_action("rebuild", _("Rebuild the report rollups"), _rebuild,
                             permission="shop.repair_rebuild_report_rollup")]

`OperatorAdmin` gives: read-only, `raw_id_fields` for every foreign key (no change page loads a 100,000-row
select), `list_select_related` for the foreign keys in `list_display` and theirs, `show_full_result_count =
False`, no facet counts, and `BoundedPaginator` (counts at most `BOUND` rows, never a COUNT(*) of a million).
`ReadOnlyInline` shows at most `max_rows` related rows (an order's lines, its timeline) with their foreign
keys joined; longer lists are `RelatedLink`s to the filtered changelist. A new repair needs: a service in the
owning module (audited, with the reason; refusing with a DomainError), a `repair_*` permission on
`shop.ModuleAccess` (granted to the `operator` role by shop/roles.py's "shop.repair_*"; a shop migration),
the audit action's label in shop/labels.py, and a test through tests/shop/adminflow.py `run_action`.
tests/shop/test_admin.py fails for a model left unregistered and for a page whose queries grow with the rows.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.paginator import Paginator
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shop import jobs, services
from shop.errors import DomainError
from shop.models import Announcement, ApiKey, AuditEntry, JobRun, Notification, OutboxTask, StoreSettings

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

BOUND = 1000  # rows a changelist counts at most; deeper pages are reached by search and filters


class BoundedPaginator(Paginator):
    """Counts at most BOUND + 1 rows (`SELECT COUNT(*) FROM (... LIMIT 1001)`), so a changelist over a million
    rows costs what a page costs; `truncated` says there are more than shown."""

    @cached_property
    def count(self):
        return self.object_list[: BOUND + 1].count()

    @property
    def truncated(self):
        return self.count > BOUND


@dataclass
class RelatedLink:
    """A link from a change page to the changelist of `model` ("app.model") filtered by `lookup` = the
    object's `attr` (a value of None hides the link)."""

    label: "str | StrPromise"
    model: str
    lookup: str
    attr: str = "pk"

    def url(self, obj):
        value = getattr(obj, self.attr)
        if value in (None, ""):
            return None
        app_label, model_name = self.model.split(".")
        try:
            base = reverse(f"admin:{app_label}_{model_name}_changelist")
        except NoReverseMatch:
            return None
        return f"{base}?{urlencode({self.lookup: value})}"


def _forward_relations(model):
    return [f for f in model._meta.fields if f.is_relation and (f.many_to_one or f.one_to_one)]


class ReadOnlyMixin:
    """No add, change or delete, for anyone (superusers too): writes go through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LimitedFormSet(BaseInlineFormSet):
    max_rows = 20

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = super().get_queryset()[: self.max_rows]
        return self._queryset


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    """Related rows on a change page: read-only, at most `max_rows`, foreign keys joined (no query per row)."""

    extra = 0
    max_rows = 20
    show_change_link = True
    formset = LimitedFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.max_rows = self.max_rows
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*[f.name for f in _forward_relations(self.model)])


class OperatorAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The one base for every model in the admin (see the module docstring)."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = BoundedPaginator
    list_per_page = 50
    staff_page: str | None = None  # url name of the staff page that edits this data (the one write path)
    related: list[RelatedLink] = []

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        relations = [f.name for f in model._meta.get_fields() if f.concrete and (f.many_to_one or f.many_to_many)]
        if not self.raw_id_fields:
            self.raw_id_fields = tuple(r for r in relations if r not in self.autocomplete_fields)
        if self.list_select_related is False:
            shown = set(self.list_display)
            # the foreign keys shown, and theirs (a __str__ often names its own parent: "R12 W0001")
            self.list_select_related = [
                name
                for f in _forward_relations(model)
                if f.name in shown
                for name in (f.name, *(f"{f.name}__{g.name}" for g in _forward_relations(f.related_model)))
            ]
        _take_pending(self)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "related_objects") if self.related else fields

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if self.related and "related_objects" in fields:  # the links first: what an operator follows
            fields.remove("related_objects")
            fields.insert(0, "related_objects")
        return fields

    @admin.display(description=_("Related"))
    def related_objects(self, obj):
        links = [(link.url(obj), link.label) for link in self.related]
        return format_html_join(" · ", '<a href="{}">{}</a>', [(u, label) for u, label in links if u])

    def get_actions(self, request):
        return _permitted(request.user, super().get_actions(request))

    def staff_page_url(self):
        if not self.staff_page:
            return None
        try:
            return reverse(self.staff_page)
        except NoReverseMatch:
            return None

    def changelist_view(self, request, extra_context=None):
        context = {"staff_page": self.staff_page_url(), **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {"staff_page": self.staff_page_url(), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=context)


def _permitted(user, actions):
    """The actions whose `required_permission` the user holds."""
    return {
        name: entry
        for name, entry in actions.items()
        if getattr(entry[0], "required_permission", None) is None or user.has_perm(entry[0].required_permission)
    }


def add_related(model, *links, actions=()):
    """A later module adds its links (and repairs) to an earlier module's admin, so no arrow points back
    (payments adds an order's payments and refunds; after-sales adds its requests)."""
    _PENDING.setdefault(model, []).append((links, actions))
    if admin.site.is_registered(model):  # else the admin takes them when it registers (apps load in order)
        _take_pending(admin.site._registry[model])


_PENDING: dict = {}


def _take_pending(model_admin):
    for links, actions in _PENDING.pop(model_admin.model, []):
        model_admin.related = [*model_admin.related, *links]
        model_admin.actions = [*(model_admin.actions or ()), *actions]


# -- repair actions -----------------------------------------------------------------------------------------
MAX_REPAIR = 200  # objects one action may take (larger batches: filter first)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=200, widget=forms.TextInput(attrs={"size": 60, "autofocus": True})
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why (it goes to the audit log)."))
        return reason


def repair_action(name, label, apply, *, permission, help_text=""):
    """An admin action that asks for a reason on a confirmation page, then calls `apply(obj, actor=, reason=)`
    (a service call) for each selected object: a DomainError refuses that object with its message."""

    def action(modeladmin, request, queryset):
        return run_repair(modeladmin, request, queryset, name=name, label=label, apply=apply, help_text=help_text)

    action.__name__ = name
    action.short_description = label  # type: ignore[attr-defined]
    action.required_permission = permission  # type: ignore[attr-defined]
    return action


def run_repair(modeladmin, request, queryset, *, name, label, apply, help_text=""):
    objects = list(queryset[: MAX_REPAIR + 1])
    if len(objects) > MAX_REPAIR:
        modeladmin.message_user(
            request,
            gettext("Choose at most %(n)s objects for one repair (filter the list first).") % {"n": MAX_REPAIR},
            messages.ERROR,
        )
        return None
    form = ReasonForm(request.POST if "confirm" in request.POST else None)
    if form.is_bound and form.is_valid():
        done, refused = 0, []
        for obj in objects:
            try:
                apply(obj, actor=request.user, reason=form.cleaned_data["reason"])
            except DomainError as e:
                refused.append((obj, e.message))
            else:
                done += 1
        for obj, message in refused:
            modeladmin.message_user(request, f"{obj}: {message}", messages.WARNING)
        summary = gettext("%(action)s: %(done)s done, %(refused)s refused.") % {
            "action": label,
            "done": done,
            "refused": len(refused),
        }
        modeladmin.message_user(request, summary, messages.SUCCESS if not refused else messages.WARNING)
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": label,
        "label": label,
        "help_text": help_text,
        "objects": objects,
        "form": form,
        "action": name,
        "opts": opts,
        "app_label": opts.app_label,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/repair_confirm.html", context)


# -- shop's own models --------------------------------------------------------------------------------------
@admin.register(AuditEntry)
class AuditEntryAdmin(OperatorAdmin):
    list_display = ("created_at", "actor_label", "module", "action", "object_repr")
    list_filter = ("module",)
    search_fields = ("=object_id", "object_repr", "=action", "=actor_label")
    date_hierarchy = "created_at"
    staff_page = "audit_list"


@admin.register(Announcement)
class AnnouncementAdmin(OperatorAdmin):
    list_display = ("title", "starts_at", "ends_at", "published", "created_by")
    list_filter = ("published",)
    search_fields = ("title",)
    date_hierarchy = "starts_at"
    staff_page = "announcement_list"


def _revoke_key(key, *, actor, reason):
    services.apikey_revoke(actor=actor, key=key, reason=reason)


@admin.register(ApiKey)
class ApiKeyAdmin(OperatorAdmin):
    list_display = ("name", "prefix", "scopes", "created_at", "last_used_at", "expires_at", "revoked_at", "created_by")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("^prefix", "name")
    date_hierarchy = "created_at"
    exclude = ("key_hash",)
    staff_page = "apikey_list"
    actions = [repair_action("revoke_keys", _("Revoke API keys"), _revoke_key, permission="shop.repair_revoke_apikey")]


@admin.register(StoreSettings)
class StoreSettingsAdmin(OperatorAdmin):
    list_display = ("name", "currency", "time_zone", "updated_at")
    staff_page = "store_settings"


@admin.register(Notification)
class NotificationAdmin(OperatorAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title",)
    date_hierarchy = "created_at"


@admin.register(OutboxTask)
class OutboxTaskAdmin(OperatorAdmin):
    """Tasks queued by the use cases (shop.outbox): unsent ones, and sent ones that never ran, wait for the
    `outbox_dispatch` job."""

    list_display = ("created_at", "task", "attempts", "sent_at", "done_at", "last_error")
    list_filter = (("sent_at", admin.EmptyFieldListFilter), ("done_at", admin.EmptyFieldListFilter))
    search_fields = ("=task",)
    date_hierarchy = "created_at"


class JobFilter(admin.SimpleListFilter):
    """The scheduled jobs of DESIGN §5 by name (from the registry: no DISTINCT over the runs)."""

    title = _("job")
    parameter_name = "job"

    def lookups(self, request, model_admin):
        return [(name, name) for name in sorted(jobs.load_jobs())]

    def queryset(self, request, queryset):
        return queryset.filter(kind=jobs.kind_of(self.value())) if self.value() else queryset


def _run_again(run, *, actor, reason):
    name = jobs.name_of(run.kind)
    if name is None:
        raise DomainError(gettext("Only scheduled jobs can be run again here."), code="not_a_job")
    jobs.job_run_now(name=name, actor=actor, reason=reason)


@admin.register(JobRun)
class JobRunAdmin(OperatorAdmin):
    list_display = ("created_at", "label", "kind", "tick", "state", "done", "finished_at", "created_by")
    list_filter = (JobFilter, "state")
    search_fields = ("=kind", "label")
    date_hierarchy = "created_at"
    readonly_fields = ("error", "traceback")
    actions = [repair_action("run_again", _("Run these jobs again now"), _run_again, permission="shop.repair_run_job")]
    change_list_template = "admin/shop/jobrun/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.run_job_view)
        return [path("run/", view, name="shop_jobrun_run"), *super().get_urls()]

    def run_job_view(self, request):
        """Every scheduled job with a "run now" button: a reason, then `jobs.job_run_now`."""
        if not request.user.has_perm("shop.repair_run_job"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        registry = jobs.load_jobs()
        form = RunJobForm(request.POST or None, names=sorted(registry))
        if request.method == "POST" and form.is_valid():
            name = form.cleaned_data["job"]
            try:
                run = jobs.job_run_now(name=name, actor=request.user, reason=form.cleaned_data["reason"])
            except DomainError as e:
                self.message_user(request, e.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(job)s ran: %(state)s.")
                    % {"job": name, "state": run.get_state_display() if run else "-"},
                    messages.SUCCESS,
                )
                from django.shortcuts import redirect

                return redirect("admin:shop_jobrun_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Run a job now"),
            "opts": self.model._meta,
            "form": form,
            "jobs": [(name, str(registry[name][1])) for name in sorted(registry)],
        }
        return TemplateResponse(request, "admin/shop/jobrun/run.html", context)


class RunJobForm(ReasonForm):
    job = forms.ChoiceField(label=_("job"))

    def __init__(self, *args, names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job"].choices = [(n, n) for n in names]
        self.order_fields(["job", "reason"])


# -- staff accounts, roles and lockouts: read-only; accounts change on the staff pages ---------------------
User = get_user_model()


def _unlock(user, *, actor, reason):
    services.staff_unlock(actor=actor, user=user, reason=reason)


class StaffAdmin(ReadOnlyMixin, UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("^username", "first_name", "last_name", "=email")
    show_full_result_count = False
    paginator = BoundedPaginator
    actions = [repair_action("unlock", _("Unlock locked-out accounts"), _unlock, permission="shop.repair_unlock_staff")]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"staff_page": reverse("staff_list"), **(extra_context or {})})

    def get_actions(self, request):
        return _permitted(request.user, super().get_actions(request))


class RoleAdmin(ReadOnlyMixin, GroupAdmin):
    """Roles are code (shop/roles.py ROLE_RULES, synced after every migrate): shown, never edited here."""


for _model, _admin in ((User, StaffAdmin), (Group, RoleAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)


def _axes_admins():
    """django-axes' lockout records, read-only: unlocking is the audited `unlock` action on staff accounts."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    shown = {
        AccessAttempt: ("attempt_time", "username", "ip_address", "failures_since_start"),
        AccessLog: ("attempt_time", "username", "ip_address", "logout_time"),
        AccessFailureLog: ("attempt_time", "username", "ip_address", "locked_out"),
    }
    for model, columns in shown.items():
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        attrs = {
            "list_display": columns,
            "search_fields": ("^username", "=ip_address"),
            "date_hierarchy": "attempt_time",
        }
        admin.site.register(model, type(f"{model.__name__}Admin", (OperatorAdmin,), attrs))


_axes_admins()
