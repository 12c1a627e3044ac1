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
from ninja import Status
from pydantic import Field

from aftersales import selectors, services
from aftersales.api_complaints import router as complaints_router
from aftersales.models import AftersalesRequest
from orders import selectors as order_selectors
from shop.apiauth import api_actor, require_scope
from shop.errors import DomainError
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
    filename: str = Field(max_length=100)
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
