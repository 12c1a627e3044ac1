"""The segment pages (客户分群): list, rule builder with a live count, member list (with export), delete."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customers import selectors, services
from customers.forms import SegmentForm
from customers.models import CustomerTag, MemberTier, RfmSegment
from shop.errors import DomainError
from shop.lists import Column, ListPage, render_list
from shop.permissions import staff_view
from shop.templatetags.houtai import money
from shop.web import form_submit, message_submit


class SegmentListPage(ListPage):
    """A customer list that knows when its rows are exactly a saved segment's members (the member list, or the
    customer list with `?segment=` and no other filter or search): its "n results" is then the segment's
    `member_count`, written down with the members, instead of a count over them on every load."""

    segment = None  # the member list's own segment

    def counted_segment(self):
        if self.search:
            return None
        if self.segment is not None:
            return self.segment
        filterset = self.filterset
        if filterset is None or not filterset.is_valid():
            return None
        data = filterset.form.cleaned_data
        chosen = data.get("segment")
        others = [v for k, v in data.items() if k != "segment" and v not in (None, "", [])]
        return chosen if chosen is not None and not others else None

    def count(self):
        segment = self.counted_segment()
        if segment is not None and segment.member_count is not None:
            return segment.member_count, False
        return super().count()


def segment_or_404(pk):
    return get_object_or_404(selectors.segment_list(), pk=pk)


@staff_view("customers.view_segment")
def segment_list(request):
    page = ListPage(
        request,
        selectors.segment_list(),
        columns=[
            Column("name", gettext_lazy("Segment")),
            Column("description", gettext_lazy("Description"), sortable=False),
            Column("member_count", gettext_lazy("Members")),
            Column("counted_at", gettext_lazy("Counted at")),
            Column("updated_at", gettext_lazy("Updated")),
        ],
        search_fields=("name__icontains",),
        default_ordering="name",
        export_name="segments",
    )
    extra = {"may_add": request.user.has_perm("customers.add_segment")}
    return render_list(request, "customers/segment_list.html", page, extra)


def _member_columns():
    return [
        Column("name", gettext_lazy("Name")),
        Column("phone", gettext_lazy("Mobile phone"), sortable=False, value=lambda c: c.masked_phone),
        Column("tier", gettext_lazy("Member tier"), sortable=False, value=lambda c: c.tier.name if c.tier else ""),
        Column("order_count", gettext_lazy("Orders")),
        Column("spend_12m", gettext_lazy("12-month spend")),
        Column("lifetime_spend", gettext_lazy("Lifetime spend")),
        Column("last_order_at", gettext_lazy("Last order")),
        Column("rfm_segment", gettext_lazy("RFM segment"), sortable=False, value=lambda c: c.get_rfm_segment_display()),
        Column("tags", gettext_lazy("Tags"), sortable=False, value=lambda c: ", ".join(t.name for t in c.tags.all())),
        Column("created_at", gettext_lazy("Customer since")),
    ]


@staff_view("customers.view_segment")
def segment_detail(request, pk):
    """The segment's members as last counted: a customer list, sortable and exportable."""
    segment = segment_or_404(pk)
    members = selectors.segment_members(segment, selectors.customer_list().select_related("tier"))
    page = SegmentListPage(
        request,
        members,
        segment=segment,
        columns=_member_columns(),
        search_fields=("phone__startswith", "name__icontains"),
        # Newest first, like the customer list: a segment's rules often follow spend or order count, so walking
        # those indexes for the members can pass over most customers; the join date rarely follows a rule.
        default_ordering="-created_at",
        export_name=f"segment-{segment.pk}",
    )
    user = request.user
    extra = {
        "segment": segment,
        "rules": describe_rules(segment.rules),
        "may_change": user.has_perm("customers.change_segment"),
        "may_delete": user.has_perm("customers.delete_segment"),
    }
    return render_list(request, "customers/segment_detail.html", page, extra)


def _builder(request, segment):
    form = SegmentForm.for_segment(segment, request.POST or None)
    saved = []

    def save():
        data = form.cleaned_data
        saved.append(
            services.segment_save(
                actor=request.user,
                segment=segment,
                name=data["name"],
                description=data["description"],
                rules=form.rules(),
            )
        )

    if request.method == "POST" and form_submit(form, save):
        messages.success(request, _("Segment saved: %(n)s customers.") % {"n": saved[0].member_count})
        return redirect(saved[0])
    context = {
        "form": form,
        "segment": segment,
        "count": segment.member_count if segment is not None and request.method != "POST" else None,
        "title": _("Edit segment") if segment else _("New segment"),
    }
    return render(request, "customers/segment_form.html", context)


@staff_view("customers.add_segment")
def segment_create(request):
    return _builder(request, None)


@staff_view("customers.change_segment")
def segment_edit(request, pk):
    return _builder(request, segment_or_404(pk))


@staff_view("customers.view_segment")
@require_POST
def segment_count(request):
    """The live count: the posted rule builder counted, nothing saved (htmx swaps the answer in place)."""
    form = SegmentForm(request.POST)
    form.fields["name"].required = False
    context: dict = {"count": None, "errors": []}
    if not form.is_valid():
        context["errors"] = [
            f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items() if k in form.fields
        ]
    elif not (rules := form.rules()):
        context["empty"] = True
    else:
        try:
            context["count"] = selectors.segment_customers(rules).count()
        except DomainError as e:
            fields = e.data.get("fields") or {}
            context["errors"] = [f"{form.fields[k].label}: {m}" if k in form.fields else m for k, m in fields.items()]
            context["errors"] = context["errors"] or [e.message]
    return render(request, "customers/segment_count.html", context)


@staff_view("customers.change_segment")
@require_POST
def segment_recount(request, pk):
    segment = segment_or_404(pk)
    message_submit(
        request, lambda: services.segment_recount(segment=segment, actor=request.user), _("Segment recounted.")
    )
    return redirect(segment)


@staff_view("customers.delete_segment")
@require_POST
def segment_delete(request, pk):
    segment = segment_or_404(pk)
    if message_submit(
        request, lambda: services.segment_delete(segment=segment, actor=request.user), _("Segment deleted.")
    ):
        return redirect("customers:segment_list")
    return redirect(segment)


def describe_rules(rules) -> list[tuple[str, str]]:
    """The rules in words, (label, value) per rule, for the segment's page."""

    def bounds(key, fmt):
        b = rules[key]
        low, high = b.get("min"), b.get("max")
        if low is not None and high is not None:
            return _("%(lo)s to %(hi)s") % {"lo": fmt(low), "hi": fmt(high)}
        if low is not None:
            return _("at least %(lo)s") % {"lo": fmt(low)}
        return _("at most %(hi)s") % {"hi": fmt(high)}

    def day(text):
        from datetime import date

        return date_format(date.fromisoformat(text), "SHORT_DATE_FORMAT")

    lines = []
    if "spend_12m" in rules:
        lines.append((_("12-month spend"), bounds("spend_12m", money)))
    if "lifetime_spend" in rules:
        lines.append((_("Lifetime spend"), bounds("lifetime_spend", money)))
    if "order_count" in rules:
        lines.append((_("Orders"), bounds("order_count", str)))
    last = rules.get("last_order")
    if last:
        if last["mode"] == "within":
            text = _("within the last %(n)s days") % {"n": last["days"]}
        elif last["mode"] == "before":
            text = _("before %(d)s") % {"d": day(last["date"])}
        else:
            text = _("from %(a)s to %(b)s") % {"a": day(last["from"]), "b": day(last["to"])}
        lines.append((_("Last order"), text))
    if "tiers" in rules:
        tiers = MemberTier.objects.filter(pk__in=rules["tiers"]).order_by("rank").values_list("name", flat=True)
        lines.append((_("Member tiers"), "、".join(tiers) or "—"))
    if "tags" in rules:
        tags = CustomerTag.objects.filter(pk__in=rules["tags"]["ids"]).values_list("name", flat=True)
        label = _("All of the tags") if rules["tags"]["match"] == "all" else _("Any of the tags")
        lines.append((label, "、".join(tags) or "—"))
    if "provinces" in rules:
        lines.append((_("Province (default address)"), "、".join(rules["provinces"])))
    if "rfm_segments" in rules:
        lines.append((_("RFM segments"), "、".join(str(RfmSegment(v).label) for v in rules["rfm_segments"])))
    if "birthday_months" in rules:
        months = "、".join(_("Month %(m)s") % {"m": m} for m in rules["birthday_months"])
        lines.append((_("Birthday month"), months))
    from customers.models import Customer

    if "genders" in rules:
        lines.append((_("Gender"), "、".join(str(Customer.Gender(v).label) for v in rules["genders"])))
    if "sources" in rules:
        lines.append((_("Source"), "、".join(str(Customer.Source(v).label) for v in rules["sources"])))
    return lines
