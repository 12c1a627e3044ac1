"""A/B experiment pages: the list, create/edit with the variants inline, the report with promoting the winner."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketing import selectors, services
from marketing.forms import DATETIME
from marketing.models import CouponTemplate, Experiment, ExperimentVariant
from marketing.services.experiments import MAX_VARIANTS
from shop.lists import Column, ListPage, render_list
from shop.permissions import staff_view
from shop.selectors import audit_for_object
from shop.web import form_submit, message_submit

ROWS = 4  # variant rows on the form; empty rows are left out


class ExperimentForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends"), widget=DATETIME)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        templates = CouponTemplate.objects.order_by("-id")
        for i in range(ROWS):
            self.fields[f"name_{i}"] = forms.CharField(
                label=gettext_lazy("Variant %(n)s") % {"n": i + 1}, max_length=60, required=False
            )
            self.fields[f"weight_{i}"] = forms.IntegerField(label=gettext_lazy("Weight"), required=False)
            self.fields[f"template_{i}"] = forms.ModelChoiceField(
                templates,
                label=gettext_lazy("Coupon"),
                required=False,
                empty_label=gettext_lazy("No coupon (control)"),
            )

    def _row(self, i):
        data = self.cleaned_data
        row = {"name": data.get(f"name_{i}"), "weight": data.get(f"weight_{i}"), "template": data.get(f"template_{i}")}
        return row if row["name"] or row["weight"] is not None or row["template"] else None

    def variants(self):
        return [row for row in map(self._row, range(ROWS)) if row]

    def clean(self):
        data = super().clean()
        rows = self.variants()
        if len(rows) < 2:
            self.add_error(None, _("An experiment needs 2 to %(n)s variants.") % {"n": MAX_VARIANTS})
        for i in range(ROWS):
            row = self._row(i)
            if row is None:
                continue
            if row["weight"] is None or row["weight"] < 1:
                self.add_error(f"weight_{i}", _("The weight must be a whole number above zero."))
            if not row["name"]:
                self.add_error(f"name_{i}", _("Name the variant."))
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


def _initial(experiment):
    initial = {"name": experiment.name, "starts_at": experiment.starts_at, "ends_at": experiment.ends_at}
    for i, v in enumerate(experiment.variants.all()[:ROWS]):
        initial.update({f"name_{i}": v.name, f"weight_{i}": v.weight, f"template_{i}": v.template_id})
    return initial


class ExperimentList(ListPage):
    search_fields = ("name__icontains",)
    default_ordering = "-id"
    orderings = {"-id": ("-id",), "starts_at": ("starts_at", "id"), "-starts_at": ("-starts_at", "-id")}
    export_name = "experiments"
    columns = [
        Column("name", gettext_lazy("Name"), sortable=False),
        Column("starts_at", gettext_lazy("Starts"), value=lambda e: timezone.localtime(e.starts_at)),
        Column("ends_at", gettext_lazy("Ends"), sortable=False, value=lambda e: timezone.localtime(e.ends_at)),
        Column("status", gettext_lazy("Status"), sortable=False, value=lambda e: e.get_status_display()),
        Column("variant_count", gettext_lazy("Variants"), sortable=False),
        Column("winner", gettext_lazy("Winner"), sortable=False, value=lambda e: e.winner.name if e.winner else ""),
    ]

    def scope(self):
        return selectors.experiments()


@staff_view("marketing.view_experiment")
def experiment_list(request):
    return render_list(request, "marketing/experiment_list.html", ExperimentList(request))


def _form_page(request, experiment=None):
    form = ExperimentForm(request.POST or None, initial=_initial(experiment) if experiment else None)
    saved = {}

    def call():
        data = form.cleaned_data
        saved["e"] = services.experiment_save(
            actor=request.user,
            experiment=experiment,
            name=data["name"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            variants=form.variants(),
        )

    if request.method == "POST" and form_submit(form, call):
        messages.success(request, _("Saved."))
        return redirect("marketing:experiment_detail", saved["e"].pk)
    title = experiment.name if experiment else _("New experiment")
    context = {"form": form, "title": title, "experiment": experiment}
    return render(request, "marketing/experiment_form.html", context)


@staff_view("marketing.add_experiment")
def experiment_create(request):
    return _form_page(request)


@staff_view("marketing.change_experiment")
def experiment_edit(request, pk):
    return _form_page(request, get_object_or_404(Experiment, pk=pk))


@staff_view("marketing.view_experiment")
def experiment_detail(request, pk):
    experiment = get_object_or_404(Experiment.objects.select_related("winner__template"), pk=pk)
    return render(
        request,
        "marketing/experiment_detail.html",
        {
            "experiment": experiment,
            "report": selectors.experiment_report(experiment),
            "history": audit_for_object(experiment)[:20],
        },
    )


@staff_view("marketing.change_experiment")
@require_POST
def experiment_issue(request, pk):
    """Give one customer (by mobile phone) their variant's coupon; the control group gets none."""
    from customers.models import Customer
    from shop.china import mobile_digits
    from shop.errors import DomainError

    experiment = get_object_or_404(Experiment, pk=pk)
    phone = mobile_digits(request.POST.get("phone"))
    customer = Customer.objects.filter(phone=phone).first() if phone else None
    result = {}

    def call():
        if customer is None:
            raise DomainError(_("No customer has this mobile phone."), code="unknown_customer")
        result["variant"], result["coupon"] = services.experiment_issue(
            experiment=experiment, customer=customer, actor=request.user
        )

    if message_submit(request, call, _("Issued.")):
        variant, coupon = result["variant"], result["coupon"]
        if coupon is None:
            messages.info(request, _("%(c)s is in %(v)s: no coupon.") % {"c": customer, "v": variant})
        else:
            names = {"c": customer, "v": variant, "t": coupon.template}
            messages.info(request, _("%(c)s is in %(v)s: coupon %(t)s.") % names)
    return redirect("marketing:experiment_detail", experiment.pk)


@staff_view("marketing.change_experiment")
@require_POST
def experiment_promote(request, pk):
    experiment = get_object_or_404(Experiment, pk=pk)
    variant = ExperimentVariant.objects.filter(experiment=experiment, pk=request.POST.get("variant") or 0).first()
    message_submit(
        request,
        lambda: services.experiment_promote(actor=request.user, experiment=experiment, variant=variant),
        _("The experiment has ended; the winner is issued to everyone."),
    )
    return redirect("marketing:experiment_detail", experiment.pk)
