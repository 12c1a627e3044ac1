"""Anomaly monitoring: the hourly `anomaly_watch` job judges the last complete hour of five metrics.

Baseline by hour of the week: the same hour 1..WEEKS weeks back (Tuesday 14:00 is compared with the last
Tuesdays at 14:00). Its median is the expected value; the robust spread is the MAD scaled to a standard
deviation (scipy.stats.median_abs_deviation, scale="normal"). The band is the median plus or minus the larger of
Z robust deviations and the store's `anomaly_threshold_percent` of the median, so an hour is a finding only when
it is both far out statistically and far out in business terms. Quiet hours are not judged (a metric's volume
gate: 2 orders instead of 1 at 04:00 is no news), nor metrics with fewer than MIN_WEEKS usable weeks.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from scipy.stats import median_abs_deviation

from payments.selectors import hourly_payment_outcomes
from reports.models import Anomaly, SalesHour
from reports.routers import read_alias
from shop.audit import record
from shop.errors import DomainError
from shop.roles import OWNER
from shop.selectors import store_settings
from shop.services import notify
from shop.templatetags.houtai import money

WEEKS = 8  # the baseline: the same hour of the week over the last 8 weeks
MIN_WEEKS = 4  # fewer usable weeks than this: not judged
Z = 3.5  # robust deviations (Iglewicz and Hoaglin's cut-off for the modified z-score)
M = Anomaly.Metric


@dataclass(frozen=True)
class MetricSpec:
    metric: str
    min_volume: int  # the hour is judged only when it (or its usual hour) had this many events

    def value(self, hour, payments) -> float | None:
        """The metric of one hour (`hour`: the hourly rollup's figures; `payments`: captured and failed payments),
        None when it has no denominator."""
        if self.metric == M.SALES:
            return float(hour["paid"])
        if self.metric == M.ORDERS:
            return float(hour["orders_placed"])
        if self.metric == M.PAYMENT_FAILURE_RATE:
            tried = payments["captured"] + payments["failed"]
            return 100.0 * payments["failed"] / tried if tried else None
        if self.metric == M.REFUND_RATE:
            return 100.0 * hour["refund_count"] / hour["orders_paid"] if hour["orders_paid"] else None
        return hour["ship_seconds"] / hour["shipped"] / 3600 if hour["shipped"] else None

    def volume(self, hour, payments) -> int:
        if self.metric in (M.SALES, M.REFUND_RATE):
            return hour["orders_paid"]
        if self.metric == M.ORDERS:
            return hour["orders_placed"]
        if self.metric == M.PAYMENT_FAILURE_RATE:
            return payments["captured"] + payments["failed"]
        return hour["shipped"]


METRICS = [
    MetricSpec(M.SALES, min_volume=5),
    MetricSpec(M.ORDERS, min_volume=5),
    MetricSpec(M.PAYMENT_FAILURE_RATE, min_volume=20),
    MetricSpec(M.REFUND_RATE, min_volume=20),
    MetricSpec(M.TIME_TO_SHIP, min_volume=5),
]
SPECS = {spec.metric: spec for spec in METRICS}


@dataclass(frozen=True)
class Band:
    expected: float  # the median of the baseline
    spread: float  # 1.4826 x MAD
    low: float
    high: float

    def score(self, observed: float) -> float:
        """The robust z-score of `observed` (capped at +-999; a flat baseline gives the cap)."""
        gap = observed - self.expected
        if self.spread > 0:
            return max(-999.0, min(999.0, gap / self.spread))
        return 0.0 if gap == 0 else math.copysign(999.0, gap)

    def holds(self, observed: float) -> bool:
        return self.low <= observed <= self.high


def band_of(history, *, threshold_percent, z=Z) -> Band:
    """The expected band of a baseline: median +- max(z x 1.4826 x MAD, threshold percent of the median),
    never below zero (every metric here is a count, an amount, a rate or a duration)."""
    x = np.asarray(history, dtype=float)
    expected = float(np.median(x))
    spread = float(median_abs_deviation(x, scale="normal"))
    half = max(z * spread, threshold_percent / 100.0 * abs(expected))
    return Band(expected=expected, spread=spread, low=max(0.0, expected - half), high=expected + half)


@dataclass(frozen=True)
class Judgement:
    observed: float
    band: Band
    history: list  # [(hour start, value or None)], oldest first

    @property
    def score(self) -> float:
        return self.band.score(self.observed)

    @property
    def is_anomaly(self) -> bool:
        return not self.band.holds(self.observed)


def judge(spec: MetricSpec, series, *, threshold_percent) -> Judgement | None:
    """Judge the last hour of `series` ([(hour, value, volume)], oldest first: the same hour of the week in
    the past weeks, then the hour judged) against the others; None when there is too little to judge."""
    *past, (_hour, observed, volume) = series
    usable = [value for _h, value, _v in past if value is not None]
    if observed is None or len(usable) < MIN_WEEKS:
        return None
    usual_volume = float(np.median([v for _h, _value, v in past]))
    if max(volume, usual_volume) < spec.min_volume:
        return None
    band = band_of(usable, threshold_percent=threshold_percent)
    return Judgement(observed=observed, band=band, history=[(h, value) for h, value, _v in past])


def hour_start(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(minute=0, second=0, microsecond=0)


HOUR_FIGURES = ("orders_placed", "orders_paid", "paid", "refund_count", "shipped", "ship_seconds")


def hourly_figures(starts) -> dict:
    """{hour start: the hourly rollup's figures} for the local hours `starts` (zeros where nothing happened): one
    read of reports.SalesHour by its (day, hour) key."""
    local = {timezone.localtime(s): s for s in starts}
    where = Q()
    for moment in local:
        where |= Q(day=moment.date(), hour=moment.hour)
    found = {
        (row["day"], row["hour"]): row
        for row in SalesHour.objects.using(read_alias()).filter(where).values("day", "hour", *HOUR_FIGURES)
    }
    empty = dict.fromkeys(HOUR_FIGURES, 0)
    return {start: found.get((moment.date(), moment.hour), empty) for moment, start in local.items()}


def metric_series(starts) -> dict:
    """{metric: [(hour start, value, volume)] in the order of `starts`}: two indexed reads over those hours (the
    hourly rollup; payments for the failure rate, which the rollup keeps net of recovered failures)."""
    starts = list(starts)
    hours = hourly_figures(starts)
    payments = hourly_payment_outcomes(starts)
    return {
        spec.metric: [(s, spec.value(hours[s], payments[s]), spec.volume(hours[s], payments[s])) for s in starts]
        for spec in METRICS
    }


def baseline_hours(hour: datetime, weeks: int = WEEKS) -> list[datetime]:
    """The same hour of the week `weeks` .. 1 weeks back, then `hour` itself."""
    return [hour - timedelta(weeks=k) for k in range(weeks, 0, -1)] + [hour]


@transaction.atomic(durable=True)
def anomalies_detect(*, now=None, weeks=WEEKS) -> list[Anomaly]:
    """Judge the last complete hour of every metric; store each new finding once and notify the owner."""
    hour = hour_start(now or timezone.now()) - timedelta(hours=1)
    threshold = store_settings().anomaly_threshold_percent
    series = metric_series(baseline_hours(hour, weeks))
    found = []
    for spec in METRICS:
        judgement = judge(spec, series[spec.metric], threshold_percent=threshold)
        if judgement is None or not judgement.is_anomaly:
            continue
        band = judgement.band
        anomaly, created = Anomaly.objects.get_or_create(
            metric=spec.metric,
            hour=hour,
            defaults={
                "direction": Anomaly.Direction.SPIKE if judgement.observed > band.high else Anomaly.Direction.DROP,
                "observed": _dec(judgement.observed),
                "expected": _dec(band.expected),
                "band_low": _dec(band.low),
                "band_high": _dec(band.high),
                "score": round(judgement.score, 2),
                "baseline": [[h.isoformat(), v] for h, v in judgement.history],
                "threshold_percent": threshold,
            },
        )
        if not created:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            anomaly.explanation = explain(anomaly)
            title = _("Anomaly: %(metric)s") % {"metric": anomaly.get_metric_display()}
        anomaly.save(update_fields=["explanation"])
        transaction.on_commit(
            partial(
                notify,
                title=title,
                body=anomaly.explanation,
                url=anomaly.get_absolute_url(),
                kind="anomaly",
                role=OWNER,
            )
        )
        found.append(anomaly)
    if found:
        record(None, "reports.anomalies_found", None, after={"anomalies": [a.pk for a in found], "hour": str(hour)})
    return found


def _dec(value: float) -> Decimal:
    return Decimal(repr(round(value, 4))).quantize(Decimal("0.0001"))


def format_value(metric, value) -> str:
    """A metric's value as the page shows it: money, a count, a percentage or hours."""
    if value is None:
        return ""
    if metric == M.SALES:
        return money(Decimal(value))
    if metric == M.ORDERS:
        return formats.number_format(Decimal(value).quantize(Decimal("0.1")).normalize(), force_grouping=True)
    if metric == M.TIME_TO_SHIP:
        return _("%(hours)s h") % {"hours": formats.number_format(Decimal(value), 1)}
    return _("%(rate)s percent") % {"rate": formats.number_format(Decimal(value), 1)}


def explain(anomaly: Anomaly) -> str:
    """One sentence a store owner reads: what was seen, what was usual at this hour of the week, how far off."""
    expected = float(anomaly.expected)
    observed = float(anomaly.observed)
    params = {
        "metric": anomaly.get_metric_display(),
        "hour": formats.date_format(timezone.localtime(anomaly.hour), "SHORT_DATETIME_FORMAT"),
        "observed": format_value(anomaly.metric, anomaly.observed),
        "expected": format_value(anomaly.metric, anomaly.expected),
        "low": format_value(anomaly.metric, anomaly.band_low),
        "high": format_value(anomaly.metric, anomaly.band_high),
        "weeks": len(anomaly.baseline),
        "percent": formats.number_format(Decimal(abs(observed - expected) / expected * 100).quantize(Decimal("1")))
        if expected
        else "",
    }
    if anomaly.direction == Anomaly.Direction.SPIKE:
        if expected:
            text = _(
                "%(metric)s in the hour from %(hour)s was %(observed)s, %(percent)s percent above the usual "
                "%(expected)s for this hour of the week (expected %(low)s to %(high)s, from the last %(weeks)s weeks)."
            )
        else:
            text = _(
                "%(metric)s in the hour from %(hour)s was %(observed)s, where this hour of the week is usually "
                "%(expected)s (expected %(low)s to %(high)s, from the last %(weeks)s weeks)."
            )
    else:
        text = _(
            "%(metric)s in the hour from %(hour)s was %(observed)s, %(percent)s percent below the usual "
            "%(expected)s for this hour of the week (expected %(low)s to %(high)s, from the last %(weeks)s weeks)."
        )
    return text % params


def anomaly_chart(anomaly: Anomaly, *, hours=24) -> dict:
    """The series of the `hours` hours up to the anomaly's hour with each hour's expected value and band (the
    same hour of the week over the weeks before it), for the detail page's chart."""
    spec = SPECS[anomaly.metric]
    ends = [anomaly.hour - timedelta(hours=k) for k in range(hours - 1, -1, -1)]
    weeks = len(anomaly.baseline) or WEEKS
    starts = sorted({h for end in ends for h in baseline_hours(end, weeks)})
    series = dict((h, value) for h, value, _v in metric_series(starts)[spec.metric])
    chart: dict = {"labels": [], "observed": [], "expected": [], "low": [], "high": []}
    for end in ends:
        usable = [series[h] for h in baseline_hours(end, weeks)[:-1] if series[h] is not None]
        band = band_of(usable, threshold_percent=anomaly.threshold_percent) if len(usable) >= MIN_WEEKS else None
        chart["labels"].append(timezone.localtime(end).strftime("%m-%d %H:00"))
        chart["observed"].append(None if series[end] is None else round(series[end], 2))
        chart["expected"].append(round(band.expected, 2) if band else None)
        chart["low"].append(round(band.low, 2) if band else None)
        chart["high"].append(round(band.high, 2) if band else None)
    return chart


@transaction.atomic(durable=True)
def anomaly_acknowledge(*, anomaly: Anomaly, actor, note="") -> Anomaly:
    """Mark the finding as seen by `actor`, with an optional note."""
    anomaly = Anomaly.objects.select_for_update().get(pk=anomaly.pk)
    if anomaly.acknowledged_at is not None:
        raise DomainError(_("This anomaly was already acknowledged."), code="already_acknowledged")
    anomaly.acknowledged_by = actor
    anomaly.acknowledged_at = timezone.now()
    anomaly.acknowledge_note = (note or "").strip()[:300]
    anomaly.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledge_note"])
    record(
        actor,
        "reports.anomaly_acknowledge",
        anomaly,
        before={"acknowledged": False},
        after={"acknowledged": True, "note": anomaly.acknowledge_note},
    )
    return anomaly
