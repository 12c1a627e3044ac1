"""Reviews (评价): the moderation list, a review with its reply, the moderation keywords, product ratings."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales import selectors, services
from aftersales.forms import KeywordForm, ReplyForm, ReviewFilter
from aftersales.services.reviews import MODERATION_ACTIONS, REVIEW_MACHINE
from shop.lists import BulkAction, Column, ListPage, render_list
from shop.permissions import staff_view
from shop.related import Related
from shop.selectors import audit_for_object
from shop.web import form_submit, message_submit

CHANGE = "aftersales.change_review"
ACTION_LABELS = {
    "approve": gettext_lazy("Publish"),
    "hide": gettext_lazy("Hide"),
    "flag": gettext_lazy("Flag"),
}


@dataclass
class RatingPanel(Related):
    """The product page's reviews panel: the latest reviews with the product's rating summary."""

    summary: dict = field(default_factory=dict)


def _bulk(action):
    def run(request, queryset):
        done, refused = services.reviews_moderate(reviews=queryset, actor=request.user, action=action)
        for refusal in refused[:10]:
            messages.warning(request, refusal)
        if action == "approve":
            return _("%(n)s reviews published.") % {"n": done}
        return _("%(n)s reviews hidden.") % {"n": done}

    return run


class ReviewList(ListPage):
    filterset_class = ReviewFilter
    default_ordering = "-created_at"
    search_fields = ("order_number__startswith", "sku_code__startswith", "text__icontains")
    export_name = "reviews"
    columns = [
        Column("created_at", gettext_lazy("Posted"), value=lambda r: timezone.localtime(r.created_at)),
        Column("order_number", gettext_lazy("Order number"), sortable=False),
        Column("product__name", gettext_lazy("Product"), sortable=False),
        Column("sku_code", gettext_lazy("SKU code"), sortable=False),
        Column("rating", gettext_lazy("Rating")),
        Column("text", gettext_lazy("Review text"), sortable=False),
        Column("image_count", gettext_lazy("Photos"), sortable=False),
        Column("status", gettext_lazy("Status"), sortable=False, value=lambda r: r.get_status_display()),
        Column(
            "flagged_keywords", gettext_lazy("Keywords"), sortable=False, value=lambda r: "、".join(r.flagged_keywords)
        ),
        Column("is_default", gettext_lazy("Default review"), sortable=False),
        Column("reply", gettext_lazy("Shop reply"), sortable=False),
    ]
    actions = [
        BulkAction("approve", gettext_lazy("Publish"), CHANGE, _bulk("approve")),
        BulkAction("hide", gettext_lazy("Hide"), CHANGE, _bulk("hide")),
    ]

    def scope(self):
        return selectors.reviews()


@staff_view("aftersales.view_review")
def review_list(request):
    return render_list(request, "aftersales/review_list.html", ReviewList(request))


def _review_or_404(pk):
    review = selectors.review_detail(pk)
    if review is None:
        raise Http404
    return review


def _detail_context(request, review, reply_form=None):
    may_change = request.user.has_perm(CHANGE)
    return {
        "review": review,
        "photos": list(review.images.all()),
        "may_change": may_change,
        "moderation": [(a, ACTION_LABELS[a]) for a in MODERATION_ACTIONS if REVIEW_MACHINE.allows(review, a)]
        if may_change
        else [],
        "reply_form": reply_form or ReplyForm(initial={"text": review.reply}),
        "history": audit_for_object(review)[:20],
    }


@staff_view("aftersales.view_review")
def review_detail(request, pk):
    review = _review_or_404(pk)
    return render(request, "aftersales/review_detail.html", _detail_context(request, review))


@staff_view(CHANGE)
@require_POST
def review_moderate(request, pk):
    review = _review_or_404(pk)
    action = request.POST.get("action", "")
    message_submit(
        request,
        lambda: services.review_moderate(review=review, actor=request.user, action=action),
        _("Review status changed."),
    )
    return redirect(review)


@staff_view(CHANGE)
@require_POST
def review_reply(request, pk):
    """Save the shop's reply; an htmx post gets the reply card back, a plain post the review page."""
    review = _review_or_404(pk)
    form = ReplyForm(request.POST)
    saved = form_submit(form, lambda: services.review_reply(review=review, actor=request.user, **form.cleaned_data))
    if request.htmx:
        review = _review_or_404(pk)
        context = _detail_context(request, review, None if saved else form)
        context["saved"] = saved
        return render(request, "aftersales/_review_reply.html", context)
    if saved:
        messages.success(request, _("Reply saved."))
        return redirect(review)
    return render(request, "aftersales/review_detail.html", _detail_context(request, review, form))


# -- moderation keywords --------------------------------------------------------------------------------
@staff_view("aftersales.view_moderationkeyword")
def keyword_list(request):
    form = KeywordForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("aftersales.add_moderationkeyword"):
            raise PermissionDenied
        if form_submit(form, lambda: services.keyword_add(actor=request.user, **form.cleaned_data)):
            messages.success(request, _("Keyword added."))
            return redirect("aftersales:keyword_list")
    return render(
        request,
        "aftersales/review_keywords.html",
        {
            "keywords": selectors.keywords(),
            "form": form,
            "may_add": request.user.has_perm("aftersales.add_moderationkeyword"),
            "may_delete": request.user.has_perm("aftersales.delete_moderationkeyword"),
        },
    )


@staff_view("aftersales.delete_moderationkeyword")
@require_POST
def keyword_delete(request, pk):
    keyword = get_object_or_404(selectors.keywords(), pk=pk)
    message_submit(request, lambda: services.keyword_delete(actor=request.user, keyword=keyword), _("Keyword removed."))
    return redirect("aftersales:keyword_list")


# -- product ratings ------------------------------------------------------------------------------------
@staff_view("aftersales.view_review")
def product_ratings(request):
    """Products ranked by their average rating, lowest first."""
    raw = request.GET.get("min", "1")
    min_reviews = int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1
    return render(
        request,
        "aftersales/review_ratings.html",
        {"rows": selectors.product_ratings(min_reviews=min_reviews), "min_reviews": min_reviews},
    )
