"""The storefront's message API (DESIGN §4): a customer's message to the shop (客户留言), idempotent."""

from datetime import datetime

import ninja
from ninja import Status
from pydantic import Field

from customers import services
from customers.services.inbox import SUBJECT_MAX, TEXT_MAX
from shop.apiauth import api_actor, require_scope

router = ninja.Router(tags=["customers"])


class MessageIn(ninja.Schema):
    phone: str = Field(max_length=30, description="The customer's mainland mobile number.")
    subject: str = Field(min_length=1, max_length=SUBJECT_MAX)
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    order_number: str = Field("", max_length=32, description="Optional: the order the message is about.")
    name: str = Field("", max_length=100, description="Optional: a new customer's name.")
    email: str = Field("", max_length=254)


class MessageOut(ninja.Schema):
    id: int
    status: str
    subject: str
    order_number: str
    created_at: datetime


@router.post("/messages", response={200: MessageOut, 201: MessageOut})
def post_message(request, payload: MessageIn):
    """Take a customer's message to the shop for the staff inbox. The customer is found by mobile number
    (or created). Send `Idempotency-Key` to make retries safe: the same key and body return the same
    message (200); the same key with another body is refused (422)."""
    require_scope(request, "aftersales:write")
    key = (request.headers.get("Idempotency-Key") or "").strip()[:100]
    message, created = services.message_receive(
        phone=payload.phone,
        subject=payload.subject,
        text=payload.text,
        order_number=payload.order_number,
        name=payload.name,
        email=payload.email,
        actor=api_actor(request),
        idempotency_key=key,
        idempotency_scope=str(request.api_key.pk),
        payload=payload.model_dump(mode="json"),
    )
    body = {
        "id": message.pk,
        "status": message.status,
        "subject": message.subject,
        "order_number": message.order_number,
        "created_at": message.created_at,
    }
    return Status(201 if created else 200, body)
