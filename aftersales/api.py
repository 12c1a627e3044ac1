"""The storefront's after-sales API (DESIGN §4): requests, reviews, surveys, the FAQ.

Requests: `POST /aftersales` (idempotent: the same Idempotency-Key and body answer with the first request),
`GET /aftersales/{number}`, `POST /aftersales/{number}/return-shipment`, `POST /aftersales/{number}/cancel`,
`GET /aftersales/reasons`. Refusals: 404 unknown order or request; 409 a step the request's status does not
allow (`illegal_transition`); 422 a policy rule (`window_passed`, `product_excluded`, `category_excluded`,
`exchange_only`, `quantity_exceeded`, `refund_above_charged`, `order_not_eligible`, `reason_not_for_kind`,
`return_deadline_passed`, `idempotency_mismatch`); 400 invalid input (`not_an_image`, `image_too_large`,
`unknown_reason`, `invalid_lines`, `validation`). Nothing is written when a request is refused.
"""

from datetime import datetime
from decimal import Decimal

import ninja
from django.utils.translation import gettext as _
from ninja import Query, Status
from pydantic import Field

from aftersales import selectors, services
from aftersales.api_complaints import router as complaints_router
from aftersales.models import AftersalesRequest
from aftersales.services.reviews import IMAGES_MAX, TEXT_MAX
from aftersales.services.surveys import COMMENT_MAX, survey_find
from catalog.models import Product, Sku
from orders import selectors as order_selectors
from shop.apiauth import api_actor, require_scope
from shop.errors import DomainError, NotFound
from shop.images import image_from_base64

router = ninja.Router(tags=["aftersales"])
router.add_router("", complaints_router)  # complaints and the FAQ (aftersales/api_complaints.py)
SCOPE = "aftersales:write"


class RequestLineIn(ninja.Schema):
    sku: str = Field("", max_length=64, description="The SKU code of the order line (or give `line`).")
    line: int | None = Field(None, ge=1, le=2**62, description="The order line's id (instead of `sku`).")
    quantity: int = Field(ge=1, le=9999)
    amount: Decimal | None = Field(
        None, ge=0, le=Decimal("999999999999.99"), description="Optional: less than the line's charge."
    )


class ImageIn(ninja.Schema):
    """A photo: requests' evidence and reviews' images (checked by shop.images)."""

    filename: str = Field("", max_length=200)
    content_base64: str = Field(min_length=1)


class RequestIn(ninja.Schema):
    order_number: str = Field(min_length=1, max_length=32)
    kind: str = Field(description="return | exchange | refund_only", max_length=20)
    lines: list[RequestLineIn] = Field(min_length=1, max_length=services.requests.MAX_LINES)
    reason: str = Field(min_length=1, max_length=40, description="A reason's id or code (GET /aftersales/reasons).")
    note: str = Field("", max_length=500)
    images: list[ImageIn] = Field([], max_length=services.MAX_IMAGES)


class ShipmentIn(ninja.Schema):
    carrier: str = Field(min_length=1, max_length=20, description="The carrier's code.")
    tracking_number: str = Field(min_length=1, max_length=60)


class RequestLineOut(ninja.Schema):
    sku: str
    quantity: int
    amount_asked: Decimal
    amount_refunded: Decimal


class RequestOut(ninja.Schema):
    number: str
    order_number: str
    kind: str
    status: str
    reason: str
    freight_payer: str
    refusal_reason: str
    return_address: str
    return_deadline: datetime | None
    return_carrier: str
    return_tracking: str
    replacement_carrier: str
    replacement_tracking: str
    amount_asked: Decimal
    refund_amount: Decimal | None
    refund_status: str
    submitted_at: datetime
    lines: list[RequestLineOut]


class ReasonOut(ninja.Schema):
    id: int
    code: str
    name: str
    kinds: list[str]
    freight_payer: str
    no_reason: bool


def _out(request: AftersalesRequest) -> dict:
    return {
        "number": request.number,
        "order_number": request.order.number,
        "kind": request.kind,
        "status": request.status,
        "reason": request.reason.code,
        "freight_payer": request.freight_payer,
        "refusal_reason": request.refusal_reason,
        "return_address": request.return_address,
        "return_deadline": request.return_deadline,
        "return_carrier": request.return_carrier.code if request.return_carrier else "",
        "return_tracking": request.return_tracking,
        "replacement_carrier": request.replacement_carrier.code if request.replacement_carrier else "",
        "replacement_tracking": request.replacement_tracking,
        "amount_asked": request.amount_asked,
        "refund_amount": request.refund.amount if request.refund else None,
        "refund_status": request.refund.status if request.refund else "",
        "submitted_at": request.submitted_at,
        "lines": [
            {
                "sku": line.order_line.sku_code,
                "quantity": line.quantity,
                "amount_asked": line.amount_asked,
                "amount_refunded": line.amount_refunded,
            }
            for line in request.lines.all()
        ],
    }


@router.get("/aftersales/reasons", response=list[ReasonOut])
def list_reasons(request):
    """The active reasons a customer may choose, in the shop's order."""
    require_scope(request, SCOPE)
    return [
        {
            "id": r.pk,
            "code": r.code,
            "name": r.name,
            "kinds": r.kinds,
            "freight_payer": r.freight_payer,
            "no_reason": r.no_reason,
        }
        for r in selectors.active_reasons()
    ]


@router.post("/aftersales", response={200: RequestOut, 201: RequestOut})
def submit_request(request, payload: RequestIn):
    """Submit a customer's return, exchange or refund-only request of a paid order. Send `Idempotency-Key` to
    make retries safe: the same key and body return the same request (200); the same key with another body is
    refused (422 `idempotency_mismatch`). Images are JPEG, PNG, GIF or WebP, base64-encoded, at most 3 MB each;
    the whole body at most Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default; 413 `body_too_large`)."""
    require_scope(request, SCOPE)
    order = order_selectors.order_for_api(payload.order_number)
    if payload.kind not in AftersalesRequest.Kind.values:
        message = _("Unknown kind of request.")
        raise DomainError(message, code="invalid_kind", fields={"kind": message})
    reason = services.reason_find(payload.reason)
    limit = services.requests.MAX_IMAGE_BYTES
    images = [image_from_base64(i.filename, i.content_base64, max_bytes=limit) for i in payload.images]
    key = (request.headers.get("Idempotency-Key") or "").strip()[:100]
    created_request, created = services.request_submit(
        order=order,
        kind=payload.kind,
        reason=reason,
        lines=[
            {"sku": line.sku, "line": line.line, "quantity": line.quantity, "amount": line.amount}
            for line in payload.lines
        ],
        note=payload.note,
        images=images,
        actor=api_actor(request),
        channel=AftersalesRequest.Channel.API,
        idempotency_scope=f"aftersales:{request.api_key.pk}",
        idempotency_key=key,
        payload=payload.model_dump(mode="json"),
    )
    return Status(201 if created else 200, _out(selectors.request_for_api(created_request.number)))


@router.get("/aftersales/{number}", response=RequestOut)
def get_request(request, number: str):
    """One request: its status, the return address and deadline, the refund."""
    require_scope(request, SCOPE)
    return _out(selectors.request_for_api(number))


@router.post("/aftersales/{number}/return-shipment", response=RequestOut)
def return_shipment(request, number: str, payload: ShipmentIn):
    """The customer sent the goods back: the carrier's code and the tracking number (again to correct them)."""
    require_scope(request, SCOPE)
    services.request_return_shipment(
        request=selectors.request_for_api(number),
        carrier_code=payload.carrier,
        tracking_number=payload.tracking_number,
        actor=api_actor(request),
    )
    return _out(selectors.request_for_api(number))


@router.post("/aftersales/{number}/cancel", response=RequestOut)
def cancel_request(request, number: str):
    """Withdraw a request nobody has decided yet (409 once it was approved or rejected)."""
    require_scope(request, SCOPE)
    services.request_cancel(request=selectors.request_for_api(number), actor=api_actor(request))
    return _out(selectors.request_for_api(number))


# -- reviews ---------------------------------------------------------------------------------------------
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
