"""CRM: interaction notes with follow-ups, the message inbox (客户留言) with staff replies, and every text
sent to a customer (OutboundMessage, whatever the channel: the sandbox SMS, a real SMS provider, email).

A message's status moves only along `customers.services.inbox.MESSAGE_MACHINE`; `sla_breached_at` is set
once by the `complaint_sla` job when nobody answered within the store's `complaint_sla_hours`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InteractionNote(models.Model):
    """A note of a contact with the customer (a call, a chat, an email, a visit), with an optional follow-up."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        CHAT = "chat", _("Chat")
        EMAIL = "email", _("Email")
        VISIT = "visit", _("Visit")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CALL)
    text = models.TextField(_("note"), max_length=2000)
    follow_up_at = models.DateTimeField(_("follow up at"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("interaction note")
        verbose_name_plural = _("interaction notes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"]),
            # the follow-up reminder scan: open follow-ups not yet reminded, by due time
            models.Index(
                fields=["follow_up_at"],
                condition=Q(done=False, reminded_at__isnull=True, follow_up_at__isnull=False),
                name="customers_note_follow_up_due",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:40]}"

    def get_absolute_url(self):
        return reverse("customers:customer_detail", args=[self.customer_id])


class CustomerMessage(models.Model):
    """A customer's message to the shop (客户留言), posted by the storefront through `POST /api/v1/messages`."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("message"), max_length=5000)
    order_number = models.CharField(_("order number"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    first_reply_at = models.DateTimeField(_("first reply"), null=True, blank=True)
    last_reply_at = models.DateTimeField(_("last reply"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    sla_breached_at = models.DateTimeField(_("SLA breached at"), null=True, blank=True)
    source = models.CharField(_("received from"), max_length=150, blank=True)  # the API key's actor label
    # Idempotency-Key of the API request that created it (scoped by the API key), with the body's hash.
    idempotency_scope = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("customer message")
        verbose_name_plural = _("customer messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="customers_msg_created"),
            models.Index(fields=["status", "-created_at"], name="customers_msg_status"),
            models.Index(fields=["customer", "-created_at"], name="customers_msg_customer"),
            models.Index(fields=["assignee", "-created_at"], name="customers_msg_assignee"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="customers_message_idempotency",
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject[:60]}"

    def get_absolute_url(self):
        return reverse("customers:message_detail", args=[self.pk])

    @property
    def sla_breached(self) -> bool:
        return self.sla_breached_at is not None


class OutboundMessage(models.Model):
    """One text sent to a customer, through whichever channel, with what the provider answered."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound_messages"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    to = models.CharField(_("sent to"), max_length=254)
    text = models.TextField(_("text"), max_length=5000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    provider = models.CharField(_("provider"), max_length=60, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    purpose = models.CharField(_("purpose"), max_length=40, blank=True)  # reply, tier_change, …
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["customer", "-created_at"], name="customers_outbound_customer")]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.to}: {self.get_status_display()}"


class MessageReply(models.Model):
    """A staff reply in a message's thread; `outbound` is the text that carried it to the customer."""

    message = models.ForeignKey(CustomerMessage, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("reply"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outbound = models.OneToOneField(
        OutboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="reply"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("message reply")
        verbose_name_plural = _("message replies")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["message", "created_at"], name="customers_reply_message"),
            models.Index(fields=["created_at"], name="customers_reply_created"),  # reports' staff figures
        ]

    def __str__(self):
        return f"{self.message_id}: {self.text[:40]}"
