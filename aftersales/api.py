"""The storefront's after-sales API (DESIGN §4): requests, reviews, surveys, the FAQ."""

from datetime import datetime

import ninja
from django.utils.translation import gettext as _
from ninja import Query, Status
from pydantic import Field

from aftersales import selectors, services
from aftersales.services.reviews import IMAGES_MAX, TEXT_MAX
from aftersales.services.surveys import COMMENT_MAX, survey_find
from catalog.models import Product, Sku
from shop.apiauth import api_actor, require_scope
from shop.errors import DomainError, NotFound

router = ninja.Router(tags=["aftersales"])


# -- reviews ---------------------------------------------------------------------------------------------
class ImageIn(ninja.Schema):
    filename: str = Field("", max_length=200)
    content_base64: str


class ReviewIn(ninja.Schema):
    order_number: str = Field(min_length=1, max_length=32)
    line: int | None = Field(None, description="The order line's id; or name the SKU instead.")
    sku: str = Field("", max_length=64, description="The SKU code of the line (when the order has several).")
    rating: int = Field(description="1 to 5 stars.")
    text: str = Field("", max_length=TEXT_MAX)
    images: list[ImageIn] = Field(default_factory=list, max_length=IMAGES_MAX)


class ReviewImageOut(ninja.Schema):
    url: str
    thumbnail_url: str


class ReviewOut(ninja.Schema):
    id: int
    order_number: str
    sku: str
    rating: int
    text: str
    status: str
    images: list[ReviewImageOut]
    reply: str
    is_default: bool
    created_at: datetime


def _review_body(review) -> dict:
    return {
        "id": review.pk,
        "order_number": review.order_number,
        "sku": review.sku_code,
        "rating": review.rating,
        "text": review.text,
        "status": review.status,
        "images": [{"url": i.image.url, "thumbnail_url": i.thumbnail.url} for i in review.images.all()],
        "reply": review.reply,
        "is_default": review.is_default,
        "created_at": review.created_at,
    }


@router.post("/reviews", response={201: ReviewOut})
def post_review(request, payload: ReviewIn):
    """A customer's review of one line of a delivered order, with up to 9 photos (base64). Refused: a second
    review of the line (409), an order not yet delivered (409), a rating outside 1–5 or a file that is not an
    image or is too large (400; nothing is written)."""
    require_scope(request, "aftersales:write")
    review = services.review_post(
        order_number=payload.order_number,
        line_id=payload.line,
        sku=payload.sku,
        rating=payload.rating,
        text=payload.text,
        images=[i.model_dump() for i in payload.images],
        actor=api_actor(request),
    )
    return Status(201, _review_body(review))


class ReviewQuery(ninja.Schema):
    sku: str = Field("", max_length=64)
    product: str = Field("", max_length=64, description="The product's code.")
    limit: int = Field(20, ge=1, le=100)


class ReviewListOut(ninja.Schema):
    summary: dict
    reviews: list[ReviewOut]


@router.get("/reviews", response=ReviewListOut)
def list_reviews(request, query: Query[ReviewQuery]):
    """The published reviews of a SKU or a product (by code), newest first, with the rating summary."""
    require_scope(request, "catalog:read")
    sku = product = None
    if query.sku:
        sku = Sku.objects.filter(code=query.sku).first()
        if sku is None:
            raise NotFound(_("SKU %(c)s not found.") % {"c": query.sku}, code="sku_not_found")
    elif query.product:
        product = Product.objects.filter(code=query.product).first()
        if product is None:
            raise NotFound(_("Product %(c)s not found.") % {"c": query.product}, code="product_not_found")
    else:
        message = _("Name a SKU or a product.")
        raise DomainError(message, code="sku_required", fields={"sku": message})
    rows = selectors.storefront_reviews(sku=sku, product=product)[: query.limit]
    return {
        "summary": selectors.rating_summary(sku=sku, product=product),
        "reviews": [_review_body(r) for r in rows],
    }


# -- satisfaction surveys -------------------------------------------------------------------------------
class SurveyOut(ninja.Schema):
    token: str
    kind: str
    order_number: str
    request_number: str
    answered: bool
    questions: list[dict]


class SurveyIn(ninja.Schema):
    csat: int | None = None
    nps: int | None = None
    comment: str = Field("", max_length=COMMENT_MAX)


def _survey_body(survey) -> dict:
    return {
        "token": survey.token,
        "kind": survey.kind,
        "order_number": survey.order_number,
        "request_number": survey.request_number,
        "answered": survey.answered_at is not None,
        "questions": [
            {"key": "csat", "text": _("How satisfied are you?"), "min": 1, "max": 5, "required": True},
            {
                "key": "nps",
                "text": _("How likely are you to recommend us to a friend?"),
                "min": 0,
                "max": 10,
                "required": True,
            },
            {"key": "comment", "text": _("Anything else to tell us?"), "max_length": COMMENT_MAX, "required": False},
        ],
    }


@router.get("/surveys/{token}", response=SurveyOut)
def get_survey(request, token: str):
    """The survey's questions for the storefront (unknown token: 404)."""
    require_scope(request, "aftersales:write")
    return _survey_body(survey_find(token))


@router.post("/surveys/{token}", response=SurveyOut)
def answer_survey(request, token: str, payload: SurveyIn):
    """The customer's answer: csat 1–5, nps 0–10, an optional comment. Out of range 400, unknown token 404,
    answered already 409."""
    require_scope(request, "aftersales:write")
    survey = services.survey_answer(token=token, csat=payload.csat, nps=payload.nps, comment=payload.comment)
    return _survey_body(survey)
