"""The storefront's complaint and FAQ endpoints (DESIGN §4), mounted on aftersales.api's router.

POST /complaints                      a customer's complaint (scope aftersales:write), idempotent
POST /complaints/{id}/satisfaction    the customer's rating of the resolution, 1–5 (aftersales:write)
GET  /faq?q=&category=&page=          published FAQ articles for self-service help (aftersales:read)
GET  /faq/{id}                        one published article, counted as viewed (aftersales:read)
"""

from datetime import datetime

import ninja
from django.utils.translation import gettext as _
from ninja import Query, Status
from pydantic import Field

from aftersales import selectors, services
from aftersales.models import Complaint
from aftersales.services.complaints import SUBJECT_MAX, TEXT_MAX
from shop.apiauth import api_actor, require_scope
from shop.errors import NotFound
from shop.keyset import MAX_INT

router = ninja.Router(tags=["aftersales"])
FAQ_PAGE_SIZE = 20
MAX_PAGE = 100_000


class ComplaintIn(ninja.Schema):
    phone: str = Field(max_length=30, description="The customer's mainland mobile number.")
    category: str = Field(description="product, logistics, service, price or other.")
    description: str = Field(min_length=1, max_length=TEXT_MAX)
    subject: str = Field("", max_length=SUBJECT_MAX)
    name: str = Field("", max_length=100, description="Optional: a new customer's name.")
    order_number: str = Field("", max_length=32, description="Optional: the order it is about (the customer's).")
    tracking_number: str = Field("", max_length=40, description="Optional: the order's shipment (logistics).")
    product_code: str = Field("", max_length=64, description="Optional: the product it is about.")


class ComplaintOut(ninja.Schema):
    id: int
    status: str
    category: str
    subject: str
    order_number: str
    created_at: datetime
    satisfaction: int | None


class SatisfactionIn(ninja.Schema):
    rating: int = Field(ge=1, le=5, description="1 (very unhappy) to 5 (very happy).")
    comment: str = Field("", max_length=500)


class FaqOut(ninja.Schema):
    id: int
    category: str
    category_id: int
    question: str
    answer: str


class FaqPage(ninja.Schema):
    page: int
    has_next: bool
    results: list[FaqOut]


def _body(complaint) -> dict:
    return {
        "id": complaint.pk,
        "status": complaint.status,
        "category": complaint.category,
        "subject": complaint.subject,
        "order_number": complaint.order.number if complaint.order_id else "",
        "created_at": complaint.created_at,
        "satisfaction": complaint.satisfaction,
    }


@router.post("/complaints", response={200: ComplaintOut, 201: ComplaintOut})
def post_complaint(request, payload: ComplaintIn):
    """Take a customer's complaint for the staff's complaint list; it is due by the normal priority's SLA. The
    customer is found by mobile number (or created). Send `Idempotency-Key` to make retries safe: the same key
    and body return the same complaint (200); the same key with another body is refused (422)."""
    require_scope(request, "aftersales:write")
    key = (request.headers.get("Idempotency-Key") or "").strip()[:100]
    complaint, created = services.complaint_receive(
        actor=api_actor(request),
        idempotency_key=key,
        idempotency_scope=str(request.api_key.pk),
        payload=payload.model_dump(mode="json"),
        **payload.model_dump(),
    )
    return Status(201 if created else 200, _body(complaint))


@router.post("/complaints/{complaint_id}/satisfaction", response={200: ComplaintOut})
def post_satisfaction(request, complaint_id: int, payload: SatisfactionIn):
    """The customer's satisfaction with the resolution, once the complaint is resolved (409 before). Posting
    the same rating again changes nothing; another rating after the first is refused (409)."""
    require_scope(request, "aftersales:write")
    complaint = (
        Complaint.objects.select_related("order").filter(pk=complaint_id).first()
        if 0 < complaint_id <= MAX_INT
        else None
    )
    if complaint is None:
        raise NotFound(_("No complaint has the number %(n)s.") % {"n": complaint_id})
    complaint = services.complaint_satisfaction_record(
        complaint=complaint, actor=api_actor(request), rating=payload.rating, comment=payload.comment
    )
    return _body(complaint)


@router.get("/faq", response=FaqPage)
def faq(
    request,
    q: str = Query("", max_length=100),
    category: int | None = Query(None, ge=1, le=MAX_INT),
    page: int = Query(1, ge=1, le=MAX_PAGE),
):
    """Published FAQ articles whose question or answer holds every word of `q` (in `category` if given), 20 a
    page in the help's order. The answer is sanitised HTML."""
    require_scope(request, "aftersales:read")
    start = (page - 1) * FAQ_PAGE_SIZE
    rows = list(selectors.faq_search(q=q, category=category)[start : start + FAQ_PAGE_SIZE + 1])
    results = [
        {
            "id": a.pk,
            "category": a.category.name,
            "category_id": a.category_id,
            "question": a.question,
            "answer": a.answer,
        }
        for a in rows[:FAQ_PAGE_SIZE]
    ]
    return {"page": page, "has_next": len(rows) > FAQ_PAGE_SIZE, "results": results}


@router.get("/faq/{article_id}", response=FaqOut)
def faq_article(request, article_id: int):
    """One published FAQ article (the storefront opened it: its view counter goes up by one)."""
    require_scope(request, "aftersales:read")
    article = selectors.faq_search().filter(pk=article_id).first() if 0 < article_id <= MAX_INT else None
    if article is None:
        raise NotFound(_("No published FAQ article has the number %(n)s.") % {"n": article_id})
    services.faq_article_viewed(article_ids=[article.pk])
    return {
        "id": article.pk,
        "category": article.category.name,
        "category_id": article.category_id,
        "question": article.question,
        "answer": article.answer,
    }
