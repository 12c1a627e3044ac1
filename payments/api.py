"""Payment provider callbacks (DESIGN §4). Authenticated by the provider's HMAC signature, not an API key.

The raw body is verified before it is parsed: `X-Signature` = hex HMAC-SHA256 of the body with the
provider's secret (compared in constant time). Every refusal is a 4xx in the shared error format.
"""

import ninja
from pydantic import Field

from payments import services

router = ninja.Router(tags=["payments"])


class CallbackOut(ninja.Schema):
    status: str = Field(description="ok")
    payment: int
    outcome: str = Field(description="captured | flagged | failed | refund_queued | duplicate_callback")
    duplicate: bool


class RefundCallbackOut(ninja.Schema):
    status: str
    refund: int
    refund_status: str


@router.post(
    "/payments/{provider}/callback",
    auth=None,
    response=CallbackOut,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["order_number", "transaction_id", "amount", "status", "paid_at"],
                        "properties": {
                            "order_number": {"type": "string"},
                            "transaction_id": {"type": "string"},
                            "amount": {"type": "string", "example": "199.00"},
                            "status": {"type": "string", "enum": ["success", "failed"]},
                            "paid_at": {"type": "string", "format": "date-time"},
                        },
                    }
                }
            }
        }
    },
)
def payment_callback(request, provider: str):
    """A provider reports a payment. Replays of one transaction id have one effect."""
    result = services.payment_callback_handle(
        provider=provider[:20], body=request.body, signature=request.headers.get("X-Signature", "")
    )
    return {
        "status": "ok",
        "payment": result.payment.pk,
        "outcome": result.outcome,
        "duplicate": not result.created,
    }


@router.post("/payments/{provider}/refund-callback", auth=None, response=RefundCallbackOut)
def refund_callback(request, provider: str):
    """A provider reports the outcome of a refund we sent (body: refund_id, provider_refund_id, amount,
    status succeeded|failed, message; signed like the payment callback)."""
    refund = services.refund_callback_handle(
        provider=provider[:20], body=request.body, signature=request.headers.get("X-Signature", "")
    )
    return {"status": "ok", "refund": refund.pk, "refund_status": refund.status}
