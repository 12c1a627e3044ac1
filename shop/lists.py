"""The one list class every list page uses (habit 6, as Django's ChangeList layers it):

    scope -> filter (a django-filter FilterSet) -> search -> ordering -> keyset page -> export / bulk action

Each step is a method a subclass may override; a page is declared with class attributes or keyword arguments:

    class OrderList(ListPage):
        filterset_class = OrderFilter
        orderings = {"-placed_at": ("-placed_at",), "-total": ("-total",)}
        def scope(self): return selectors.orders()

Pagination is by keyset, never OFFSET: the rows are ordered by the chosen ordering's fields plus a tie-breaker
(the primary key, or a group key for aggregated rows), and the next page starts after the last row's values
(`?after=<cursor>`; `?before=` walks back). Page 10,000 costs what page 1 costs, provided an index serves the
ordering. The "n results" line counts at most `count_limit` rows.

The fast row path: a page that answers `row_cells()` (one function per cell, row -> the escaped HTML of its
`<td>`) has its rows written in Python and handed to the template as one safe string (`rows_html`), instead of
a template loop resolving a dozen variables per cell; `show`, `when`, `url_for` and `td` write what the
template's `{{ value }}`, `|date:` and `{% url %}` would. Everything a user typed goes through `show` (escape).
"""

import hashlib
import html
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, PermissionDenied
from django.db.models import Q
from django.forms.utils import flatatt
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from shop import exports
from shop.errors import DomainError
from shop.keyset import MAX_INT, beyond, decode_cursor, encode_cursor, lookup, order_expression

PAGE_SIZES = (20, 50, 100, 200)
COUNT_LIMIT = 10_000


def parse_ids(values, *, limit=None) -> list[int]:
    """The row ids among posted or linked values (?ids=1&ids=2): whole numbers the database can hold; the rest
    (junk, "²", negative, too large) is dropped, so a hand-edited link never raises."""
    ids = [int(v) for v in map(str, values) if len(v) <= 19 and v.isascii() and v.isdigit() and 0 < int(v) <= MAX_INT]
    return ids if limit is None else ids[:limit]


class IdFilter(django_filters.NumberFilter):
    """A row id set by a link (?customer=12): a hidden whole number the database can hold."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(*args, min_value=1, max_value=MAX_INT, **kwargs)


class AllBooleanWidget(django_filters.widgets.BooleanWidget):
    """A yes/no filter whose empty choice reads "All" (django-filter's says "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("", pgettext_lazy("filter", "All")),
            ("true", gettext_lazy("Yes")),
            ("false", gettext_lazy("No")),
        ]


class FastSelect(forms.Select):
    """A select rendered in Python (the same HTML as Django's template): hundreds of options cost ~1 ms, not
    a template per option. Filter forms use it for every plain select (FilterSet.form)."""

    def render(self, name, value, attrs=None, renderer=None):
        formatted = self.format_value(value)
        selected = {formatted} if isinstance(formatted, str) else set(formatted)
        selected.discard("")
        parts = []
        for key, label in self.choices:  # html.escape: what django's escape writes, without its lazy wrapper
            key = str(key)
            parts.append(
                f'<option value="{html.escape(key)}"{" selected" if key in selected else ""}>'
                f"{html.escape(str(label))}</option>"
            )
        options = "".join(parts)
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attrs}>{options}</select>')


class _FastBooleanSelect(FastSelect, AllBooleanWidget):
    pass


class _FastInput(forms.widgets.Input):
    """An input rendered in Python, as Django's input template writes it."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        shown = "" if value is None else f' value="{escape(str(value))}"'
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<input type="{self.input_type}" name="{escape(name)}"{shown}{attrs}>')


class _FastTextInput(_FastInput, forms.TextInput):
    pass


class _FastNumberInput(_FastInput, forms.NumberInput):
    pass


class _FastDateInput(_FastInput, forms.DateInput):
    pass


class _FastHiddenInput(_FastInput, forms.HiddenInput):
    pass


# The widgets of filter forms rendered in Python (a subclass with its own template keeps its template).
FAST_WIDGETS = {
    forms.Select: FastSelect,
    AllBooleanWidget: _FastBooleanSelect,
    forms.TextInput: _FastTextInput,
    forms.NumberInput: _FastNumberInput,
    forms.DateInput: _FastDateInput,
    forms.HiddenInput: _FastHiddenInput,
}


# -- the fast row path: what the template tags would write, in Python ---------------------------------
def show(value) -> str:
    """What `{{ value }}` writes: a time in the current zone, a number localized, escaped (a safe string as
    it is; None reads "None", as in a template)."""
    if type(value) is str:  # the common case, as conditional_escape would write it
        return html.escape(value)
    return conditional_escape(localize(template_localtime(value)))


def when(value, fmt="SHORT_DATETIME_FORMAT") -> str:
    """What `{{ value|date:fmt }}` writes ("" for no value)."""
    return escape(date_filter(template_localtime(value), fmt))


def url_for(name) -> Callable[[Any], str]:
    """`{% url name pk %}` for every row of a page: reversed once, each row's pk put in its place."""
    marker = "918273645"
    head, _sep, tail = reverse(name, args=[marker]).partition(marker)
    head, tail = escape(head), escape(tail)
    return lambda pk: f"{head}{pk}{tail}"


def choice_labels(model, path) -> dict:
    """value -> the label of a field's choice in the active language (what get_FOO_display answers, without
    hashing every lazy label on every call): `choice_labels(Order, "status").get(o.status, o.status)`."""
    return _choice_labels(model, path, get_language())


@lru_cache(maxsize=512)
def _choice_labels(model, path, language):
    field = _field(model, path)
    return {key: str(label) for key, label in field.flatchoices} if field is not None and field.choices else {}


def prefetched(obj, name):
    """The rows of a prefetched relation without a new queryset per row (else `obj.<name>.all()`)."""
    done = getattr(obj, "_prefetched_objects_cache", None)
    return done[name] if done and name in done else getattr(obj, name).all()


def td(content, css="") -> str:
    """A cell around HTML already escaped."""
    return f'<td class="{css}">{content}</td>' if css else f"<td>{content}</td>"


class FilterSet(django_filters.FilterSet):
    """The base of every list filter: an unset filter reads "All" — on choice, model-choice and yes/no
    filters alike — instead of "---------" or "Unknown"."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for field in form.fields.values():
                if isinstance(field, forms.NullBooleanField):
                    field.widget = AllBooleanWidget(attrs=field.widget.attrs)
                elif getattr(field, "empty_label", None) == "---------":
                    field.empty_label = pgettext_lazy("filter", "All")
                    field.widget.choices = field.choices
                fast = FAST_WIDGETS.get(type(field.widget))
                if fast is not None:  # the form is rendered on every list load: no template per widget
                    field.widget.__class__ = fast
            cache_model_choices(form.fields)
        return self._form


def cache_model_choices(fields):
    """The options of a form's model-choice fields (warehouses, payment methods, tags…) from the shared cache:
    the same for every request of a role in one language, so a list load reads them once a `ROW_CACHE_SECONDS`
    (new rows appear within that time; the test settings turn it off). Choosing one still validates against
    the field's queryset. One cache round trip for all the fields. Every filter form's (FilterSet.form), and
    any other form a list page shows (the product list's bulk inputs)."""
    seconds = getattr(settings, "ROW_CACHE_SECONDS", 60)
    if not seconds:
        return
    keys = {}
    for name, field in fields.items():
        if isinstance(field, forms.ModelChoiceField) and isinstance(field.widget, forms.Select):
            try:
                sql, params = field.queryset.query.sql_with_params()
            except EmptyResultSet:
                continue
            empty = None if field.empty_label is None else str(field.empty_label)
            digest = hashlib.sha256(repr((get_language(), empty, sql, params)).encode()).hexdigest()
            keys[name] = f"rowcache:choices:{digest}"
    if not keys:
        return
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:  # Redis down: read the database, as without a cache
        found = {}
    missing = {}
    for name, key in keys.items():
        choices = found.get(key)
        if choices is None:
            choices = missing[key] = [(str(value), str(label)) for value, label in fields[name].widget.choices]
        fields[name].widget.choices = choices  # rendering reads these; validation still reads the queryset
    if missing:
        try:
            cache.set_many(missing, seconds)
        except Exception:
            pass


@dataclass
class Column:
    key: str  # the ordering key, and the accessor unless `value` is given
    label: str | Promise
    sortable: bool = True
    value: Callable | None = None
    order_by: tuple = ()  # database fields for sorting; default (key,)
    # A personal datum (a phone number): what a user sees of it depends on who they are, and an export that
    # carries it in full is audited. An object with `shows_full(user) -> bool`, `mask(value) -> value` and
    # `exported(list_page, columns)` (customers.privacy.PHONE is the one in use; shop imports no module app).
    personal: Any = None
    # How a plain field's cell reads when `value` is not given: "" the value itself, "label" the label of the
    # field's choice (get_FOO_display), "local" a time in the store's zone. Declared this way (not as a
    # `value` lambda) the export reads the column with values_list, many times faster (shop.exports).
    display: str = ""

    def get(self, row):
        if self.value:
            return self.value(row)
        value = lookup(row, self.key)
        if self.display == "label" and not isinstance(row, dict):
            return choice_labels(type(row), self.key).get(value, value)
        elif self.display == "local" and value is not None and timezone.is_aware(value):
            return timezone.localtime(value)
        return value


@lru_cache(maxsize=256)
def _field(model, path):
    for part in path.split("__")[:-1]:
        model = model._meta.get_field(part).related_model
    try:
        return model._meta.get_field(path.split("__")[-1])
    except FieldDoesNotExist:
        return None


@dataclass
class BulkAction:
    name: str
    label: str | Promise
    permission: str | None
    run: Callable  # run(request, queryset) -> a message, or a response to answer with


@dataclass
class Page:
    rows: list
    per_page: int
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool

    @property
    def has_next(self):
        return self.next_cursor is not None

    @property
    def has_previous(self):
        return self.previous_cursor is not None


class ListPage:
    """A list page: declare it with class attributes (or keyword arguments), answer it with `render_list`."""

    queryset: Any = None  # what `scope()` returns unless a subclass overrides it
    columns: list = []
    filterset_class: Any = None
    search_fields: tuple = ()  # lookups OR-ed with the search term, e.g. "number__istartswith"
    default_ordering = "-id"
    orderings: dict = {}  # extra orderings that are not columns: key -> database fields
    tiebreak = "pk"  # the last ordering key; aggregated rows use their group key
    actions: list = []
    export_name = "export"
    count_limit: int | None = COUNT_LIMIT  # the biggest lists (orders) leave the count out of every load

    def __init__(self, request, queryset=None, **declaration):
        self.request = request
        if queryset is not None:
            self.queryset = queryset
        for name, value in declaration.items():
            if not hasattr(type(self), name):
                raise TypeError(f"ListPage has no option {name!r}")
            setattr(self, name, value)
        params = request.GET
        self.search = params.get("q", "").strip()[:100]
        self.ordering = self.choose_ordering(params.get("o", ""))
        self.per_page = _choice(params.get("per_page"), PAGE_SIZES)

    # -- the steps ---------------------------------------------------------------------------------
    def scope(self):
        """The rows this user may see."""
        return self.queryset

    @cached_property
    def filterset(self):
        if self.filterset_class is None:
            return None
        return self.filterset_class(self.request.GET, queryset=self.scope())

    def filter(self, queryset):
        """The FilterSet's rows; an invalid filter shows its errors and no rows."""
        if self.filterset is None:
            return queryset
        return self.filterset.qs if self.filterset.is_valid() else queryset.none()

    def search_rows(self, queryset, term):
        """Rows matching the search term in any of `search_fields`."""
        if not term or not self.search_fields:
            return queryset
        condition = Q()
        for name in self.search_fields:
            condition |= Q(**{name: term})
        return queryset.filter(condition)

    def choose_ordering(self, requested):
        keys = {c.key for c in self.columns if c.sortable} | {k.lstrip("-") for k in self.orderings}
        return requested if requested.lstrip("-") in keys else self.default_ordering

    def order_fields(self, ordering) -> list[str]:
        """The database fields (with their direction) of an ordering key, without the tie-breaker."""
        desc = ordering.startswith("-")
        key = ordering.lstrip("-")
        column = next((c for c in self.columns if c.key == key), None)
        declared = self.orderings.get(key) or self.orderings.get(f"-{key}")
        fields = (column.order_by or (column.key,)) if column else tuple(f.lstrip("-") for f in declared or (key,))
        return [("-" if desc else "") + f for f in fields]

    @cached_property
    def keys(self) -> list[str]:
        """The keyset: the ordering's fields and the tie-breaker in the direction of the first field."""
        fields = self.order_fields(self.ordering)
        sign = "-" if fields[0].startswith("-") else ""
        return [*fields, sign + self.tiebreak]

    @cached_property
    def results(self):
        """Every matching row in the list's order (exports and bulk actions use all of them)."""
        queryset = self.search_rows(self.filter(self.scope()), self.search)
        return queryset.order_by(*(order_expression(queryset.model, k) for k in self.keys))

    def page(self) -> Page:
        """One page of rows after (or before) the cursor in the query string."""
        params = self.request.GET
        after = decode_cursor(params.get("after"), len(self.keys))
        before = decode_cursor(params.get("before"), len(self.keys)) if after is None else None
        cursor = after or before
        backwards = before is not None
        rows = self.results
        if cursor is not None:
            rows = rows.filter(beyond(rows.model, self.keys, cursor, reverse=backwards))
        if backwards:
            rows = rows.reverse()
        rows = list(rows[: self.per_page + 1])
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if backwards:
            rows.reverse()
        first_cursor = self.cursor(rows[0]) if rows else None
        last_cursor = self.cursor(rows[-1]) if rows else None
        if backwards:
            return Page(
                rows,
                self.per_page,
                next_cursor=last_cursor,
                previous_cursor=first_cursor if more else None,
                is_first=not more,
            )
        return Page(
            rows,
            self.per_page,
            next_cursor=last_cursor if more else None,
            previous_cursor=first_cursor if cursor is not None else None,
            is_first=cursor is None,
        )

    def cursor(self, row) -> str:
        """The cursor a page starting after this row carries."""
        return encode_cursor([lookup(row, key.lstrip("-")) for key in self.keys])

    def count(self):
        """(count, capped): the number of matching rows, counted up to `count_limit` (None: not counted)."""
        if self.count_limit is None:
            return None, False
        n = self.results.order_by()[: self.count_limit + 1].count()
        return min(n, self.count_limit), n > self.count_limit

    def filter_form(self):
        return self.filterset.form if self.filterset is not None else None

    def row_cells(self) -> list[Callable[[Any], str]] | None:
        """The fast row path: one function per cell, row -> the cell's `<td>` with everything escaped (built
        once per request, so it may hold the user's permissions and translated words). None: the template
        writes the rows."""
        return None

    def rows_html(self, rows, actions) -> str | None:
        """The page's `<tr>`s as one safe string, or None when the page has no `row_cells`. With bulk
        actions each row starts with its checkbox."""
        cells = self.row_cells()
        if cells is None:
            return None
        check = f'" aria-label="{escape(_("Select"))}"></td>' if actions else ""
        lines = []
        for row in rows:
            start = f'<td class="check"><input type="checkbox" name="ids" value="{row.pk}{check}' if check else ""
            lines.append(f"<tr>{start}{''.join([cell(row) for cell in cells])}</tr>")
        return mark_safe("\n".join(lines))

    def context(self):
        count, capped = self.count()
        sort_links = []
        for column in self.columns:
            current = self.ordering.lstrip("-") == column.key
            desc = self.ordering.startswith("-")
            sort_links.append(
                {
                    "column": column,
                    "current": current,
                    "desc": desc,
                    "next": ("" if current and desc else "-") + column.key if column.sortable else "",
                }
            )
        page = self.page()
        actions = [a for a in self.actions if not a.permission or self.request.user.has_perm(a.permission)]
        return {
            "list": self,
            "page": page,
            "rows_html": self.rows_html(page.rows, actions),
            "count": count,
            "count_capped": capped,
            "filter_form": self.filter_form(),
            "sort_links": sort_links,
            "page_sizes": PAGE_SIZES,
            "actions": actions,
        }

    # -- export and bulk actions -------------------------------------------------------------------
    def export_masks(self) -> list[Callable | None]:
        """Per column, for an export by this user: the mask of a personal column (Column.personal) the user may
        not see in full, else None; an export that carries personal data in full is audited, once, here."""
        user = self.request.user
        masks: list[Callable | None] = []
        full: dict[Any, list] = {}
        for column in self.columns:
            policy = column.personal
            if policy is None or policy.shows_full(user):
                masks.append(None)
                if policy is not None:
                    full.setdefault(policy, []).append(column)
            else:
                masks.append(policy.mask)
        for policy, columns in full.items():
            policy.exported(self, columns)
        return masks

    def export_readers(self) -> list[Callable]:
        """One cell reader per column for an export by this user (masked as `export_masks` says)."""
        return [
            column.get if mask is None else (lambda row, c=column, m=mask: m(c.get(row)))
            for column, mask in zip(self.columns, self.export_masks(), strict=True)
        ]

    def csv_response(self):
        """Stream every matching row as CSV now, escaped (shop.exports; `render_list` goes to the background
        when there are many)."""
        return exports.csv_response(self)

    def xlsx_response(self):
        """Every matching row as an XLSX workbook now, each cell keeping its type (shop.exports, shop.xlsx)."""
        return exports.xlsx_response(self)

    def run_action(self):
        """Run the posted bulk action on the posted ids, re-scoped through the list's own rows (habit 5)."""
        request = self.request
        action = next((a for a in self.actions if a.name == request.POST.get("action")), None)
        if action is None:
            messages.error(request, _("Choose an action."))
        elif action.permission and not request.user.has_perm(action.permission):
            raise PermissionDenied
        else:
            ids = parse_ids(request.POST.getlist("ids"))
            if not ids:
                messages.error(request, _("Select at least one row."))
            else:
                try:
                    result = action.run(request, self.scope().filter(pk__in=ids))
                except DomainError as e:
                    messages.error(request, e.message)
                else:
                    if isinstance(result, HttpResponse):  # the action opens a page of its own
                        return result
                    messages.success(request, result)
        return HttpResponseRedirect(request.get_full_path())


def _choice(raw, choices):
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return choices[0]
    return value if value in choices else choices[0]


def render_list(request, template, list_page: ListPage, extra=None):
    """Answer a list URL: export, bulk action, or the page (the results partial for htmx)."""
    if request.method == "POST":
        return list_page.run_action()
    if request.GET.get("export") in ("csv", "xlsx"):
        return exports.answer(request, list_page, request.GET["export"])
    context = list_page.context()
    context.update(extra or {})
    return render(request, template, context)
