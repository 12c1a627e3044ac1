"""After-sales reads shared by the pages, the API and reports, one block per area."""

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth, TruncWeek

from aftersales.models import ModerationKeyword, Review, Survey
from aftersales.models.reviews import RATINGS

# -- reviews ---------------------------------------------------------------------------------------------
PUBLISHED = Review.Status.APPROVED


def reviews():
    """Every review with what its list and page show."""
    return Review.objects.select_related("product", "sku", "customer", "replied_by")


def review_detail(pk) -> Review | None:
    return reviews().prefetch_related("images").filter(pk=pk).first()


def keywords():
    return ModerationKeyword.objects.select_related("created_by")


def _summary_aggregates():
    published = Q(status=PUBLISHED)
    figures = {
        "count": Count("pk", filter=published),
        "average": Avg("rating", filter=published),
        "with_images": Count("pk", filter=published & Q(image_count__gt=0)),
    }
    for r in RATINGS:
        figures[f"r{r}"] = Count("pk", filter=published & Q(rating=r))
    return figures


def rating_summary(*, product=None, sku=None) -> dict:
    """The published reviews of a product (or SKU): count, average, the 1–5 distribution, how many have photos."""
    rows = Review.objects.all()
    if product is not None:
        rows = rows.filter(product=product)
    if sku is not None:
        rows = rows.filter(sku=sku)
    figures = rows.aggregate(**_summary_aggregates())
    return _shape(figures)


def _shape(figures) -> dict:
    count = figures["count"] or 0
    distribution = [
        {"rating": r, "count": figures[f"r{r}"], "percent": round(100 * figures[f"r{r}"] / count) if count else 0}
        for r in reversed(RATINGS)
    ]
    average = round(float(figures["average"]), 2) if figures["average"] is not None else None
    return {"count": count, "average": average, "distribution": distribution, "with_images": figures["with_images"]}


def product_ratings(*, min_reviews=1, limit=200) -> list[dict]:
    """Products ranked by their average published rating, lowest first (ties: more reviews first)."""
    rows = (
        Review.objects.filter(status=PUBLISHED)
        .values("product", "product__code", "product__name")
        .annotate(
            count=Count("pk"),
            average=Avg("rating"),
            low=Count("pk", filter=Q(rating__lte=2)),
            with_images=Count("pk", filter=Q(image_count__gt=0)),
        )
        .filter(count__gte=min_reviews)
        .order_by("average", "-count", "product")
    )
    return [{**row, "average": round(float(row["average"]), 2)} for row in rows[:limit]]


def storefront_reviews(*, sku=None, product=None):
    """The published reviews the storefront shows, newest first, with their photos."""
    rows = Review.objects.filter(status=PUBLISHED).select_related("sku", "customer").prefetch_related("images")
    if sku is not None:
        rows = rows.filter(sku=sku)
    if product is not None:
        rows = rows.filter(product=product)
    return rows.order_by("-created_at", "-id")


# -- satisfaction surveys -------------------------------------------------------------------------------
PERIODS = {"week": TruncWeek, "month": TruncMonth}


def _survey_figures():
    answered = Q(answered_at__isnull=False)
    return {
        "sent": Count("pk"),
        "answered": Count("pk", filter=answered),
        "csat": Avg("csat", filter=answered),
        "nps_answers": Count("pk", filter=answered & Q(nps__isnull=False)),
        "promoters": Count("pk", filter=answered & Q(nps__gte=9)),
        "detractors": Count("pk", filter=answered & Q(nps__lte=6)),
    }


def _survey_row(row) -> dict:
    sent, answered, n = row["sent"], row["answered"], row["nps_answers"]
    return {
        **row,
        "response_rate": round(100 * answered / sent, 1) if sent else None,
        "csat": round(float(row["csat"]), 2) if row["csat"] is not None else None,
        # NPS: the percent of promoters (9–10) less the percent of detractors (0–6)
        "nps": round(100 * (row["promoters"] - row["detractors"]) / n, 1) if n else None,
    }


def surveys(*, kind="", since=None):
    rows = Survey.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    if since is not None:
        rows = rows.filter(sent_at__gte=since)
    return rows


def survey_results(*, period="week", kind="", since=None) -> dict:
    """CSAT average, NPS and response rate per week or month (by when the survey was sent) and per kind, with
    the totals over the range."""
    trunc = PERIODS.get(period, TruncWeek)
    rows = surveys(kind=kind, since=since)
    by_period = [
        _survey_row(row)
        for row in rows.annotate(period=trunc("sent_at"))
        .values("period")
        .annotate(**_survey_figures())
        .order_by("period")
    ]
    by_kind = [
        {**_survey_row(row), "label": Survey.Kind(row["kind"]).label}
        for row in rows.values("kind").annotate(**_survey_figures()).order_by("kind")
    ]
    total = _survey_row(rows.aggregate(**_survey_figures()))
    return {"periods": by_period, "kinds": by_kind, "total": total}


def survey_comments(*, kind="", since=None, limit=20):
    """The latest answered surveys that carry a comment."""
    return (
        surveys(kind=kind, since=since)
        .filter(answered_at__isnull=False)
        .exclude(comment="")
        .select_related("customer")
        .order_by("-answered_at", "-id")[:limit]
    )
