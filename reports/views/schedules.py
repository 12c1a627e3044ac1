"""Scheduled report emails: the owner's list, create, edit and delete pages (reports.manage_reportschedule)."""

from functools import partial

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reports import services
from reports.models import ReportSchedule
from reports.schedules import schedulable_reports
from reports.services.schedules import SCHEDULE_FIELDS
from shop.permissions import staff_view
from shop.roles import ROLE_LABELS
from shop.web import form_done

PERMISSION = "reports.manage_reportschedule"


class ScheduleForm(forms.Form):
    report = forms.ChoiceField(label=gettext_lazy("Report"))
    frequency = forms.ChoiceField(label=gettext_lazy("Frequency"), choices=ReportSchedule.Frequency.choices)
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Weekday (weekly)"), choices=ReportSchedule.WEEKDAYS, coerce=int, initial=0
    )
    send_at = forms.TimeField(
        label=gettext_lazy("Send at"), initial="08:00", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Recipient roles"),
        choices=list(ROLE_LABELS.items()),
        initial=["owner"],
        widget=forms.CheckboxSelectMultiple,
    )
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ReportSchedule.Format.choices, initial="xlsx")
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [(slug, c.title) for slug, c in sorted(schedulable_reports().items())]


def schedule_initial(schedule) -> dict:
    return {name: getattr(schedule, name) for name in SCHEDULE_FIELDS}


@staff_view(PERMISSION)
def schedule_list(request):
    reports = schedulable_reports()
    schedules = list(ReportSchedule.objects.order_by("report", "pk"))
    for schedule in schedules:
        found = reports.get(schedule.report)
        schedule.report_title = found.title if found else schedule.report  # type: ignore[attr-defined]
        schedule.role_labels = ", ".join(str(ROLE_LABELS.get(r, r)) for r in schedule.roles)  # type: ignore[attr-defined]
    return render(request, "reports/schedule_list.html", {"schedules": schedules})


def _page(request, schedule):
    form = ScheduleForm(request.POST or None, initial=schedule_initial(schedule) if schedule else None)
    save = partial(services.report_schedule_save, actor=request.user, schedule=schedule)
    if form_done(request, form, save, _("Schedule saved.")):
        return redirect("reports:schedule_list")
    return render(request, "shop/form.html", {"form": form, "title": _("Scheduled report email")})


@staff_view(PERMISSION)
def schedule_create(request):
    return _page(request, None)


@staff_view(PERMISSION)
def schedule_edit(request, pk):
    return _page(request, get_object_or_404(ReportSchedule, pk=pk))


@staff_view(PERMISSION)
@require_POST
def schedule_delete(request, pk):
    services.report_schedule_delete(actor=request.user, schedule=get_object_or_404(ReportSchedule, pk=pk))
    messages.success(request, _("Schedule deleted."))
    return redirect("reports:schedule_list")
