"""The date range of every report page: a preset or a custom range, a comparison, a grouping.

Days are local days of the store (settings.TIME_ZONE, Asia/Shanghai); a period is inclusive of both ends.
`period_from_request(request)` reads `?preset=30d&compare=previous&group=day` (or `preset=custom&start=&end=`)
and answers `(period, form)`; bad input keeps the default period and puts a clear message on the form.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.dates import day_start

PRESETS = [
    ("today", _("Today")),
    ("yesterday", _("Yesterday")),
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("90d", _("Last 90 days")),
    ("365d", _("Last 365 days")),
    ("month", _("This month")),
    ("custom", _("Custom range")),
]
COMPARISONS = [
    ("previous", _("Previous period")),
    ("last_year", _("Same period last year")),
    ("none", _("No comparison")),
]
GROUPINGS = [("day", _("By day")), ("week", _("By week")), ("month", _("By month"))]
DEFAULT_PRESET = "30d"
MAX_DAYS = 3 * 366  # a custom range longer than this is refused (the rollups answer it, the chart would not)


def local_today() -> date:
    return timezone.localdate()


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    preset: str = DEFAULT_PRESET
    compare: str = "previous"
    group: str = "day"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def since(self) -> datetime:
        """Aware start instant (inclusive)."""
        return day_start(self.start)

    @property
    def until(self) -> datetime:
        """Aware end instant (exclusive): the start of the day after `end`."""
        return day_start(self.end + timedelta(days=1))

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))

    def last_year(self) -> Period:
        return replace(self, start=_shift_year(self.start, -1), end=_shift_year(self.end, -1))

    def comparison(self) -> Period | None:
        if self.compare == "previous":
            return self.previous()
        if self.compare == "last_year":
            return self.last_year()
        return None

    def bucket(self, day: date) -> date:
        """The first day of the group (day, ISO week from Monday, month) that `day` falls in."""
        if self.group == "week":
            return day - timedelta(days=day.weekday())
        if self.group == "month":
            return day.replace(day=1)
        return day

    def buckets(self) -> list[date]:
        """Every group start in the period, in order (empty groups included, so a chart has no gaps)."""
        seen: list[date] = []
        day = self.start
        while day <= self.end:
            key = self.bucket(day)
            if not seen or seen[-1] != key:
                seen.append(key)
            day += timedelta(days=1)
        return seen

    def label(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def query(self) -> dict:
        """The GET parameters that select this period again (for links and exports)."""
        params = {"preset": self.preset, "compare": self.compare, "group": self.group}
        if self.preset == "custom":
            params.update(start=self.start.isoformat(), end=self.end.isoformat())
        return params


def preset_range(preset: str, today: date) -> tuple[date, date]:
    if preset == "today":
        return today, today
    if preset == "yesterday":
        day = today - timedelta(days=1)
        return day, day
    if preset == "month":
        return today.replace(day=1), today
    days = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}[preset]
    return today - timedelta(days=days - 1), today


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class PeriodForm(forms.Form):
    preset = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    compare = forms.ChoiceField(label=_("Compare with"), choices=COMPARISONS, required=False)
    group = forms.ChoiceField(label=_("Group"), choices=GROUPINGS, required=False)

    def clean(self):
        data = super().clean()
        preset = data.get("preset") or DEFAULT_PRESET
        data["preset"] = preset
        data["compare"] = data.get("compare") or "previous"
        data["group"] = data.get("group") or "day"
        if preset == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("A custom range needs a start and an end date."), code="range_missing")
            if end < start:
                raise forms.ValidationError(_("The end date is before the start date."), code="range_reversed")
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(
                    _("A range may span at most %(days)s days.") % {"days": MAX_DAYS}, code="range_too_long"
                )
        return data


def period_from_request(request, *, today: date | None = None, default: str = DEFAULT_PRESET):
    """(period, form): the period the request asks for, or the default one when the input is bad."""
    today = today or local_today()
    form = PeriodForm(request.GET or None, initial={"preset": default, "compare": "previous", "group": "day"})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["preset"] == "custom":
            start, end = data["start"], data["end"]
        else:
            start, end = preset_range(data["preset"], today)
        return Period(start, end, data["preset"], data["compare"], data["group"]), form
    start, end = preset_range(default, today)
    return Period(start, end, default), form
