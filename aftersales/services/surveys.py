"""Satisfaction surveys (满意度调查): invite the customer after an order completes or an after-sales request closes
(once per order, kind and request number), optionally by text, and take their answer through the API."""

import logging
from functools import partial

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.models import Survey
from customers.services import customer_text_send
from shop.errors import Conflict, DomainError, NotFound
from shop.selectors import store_settings

log = logging.getLogger(__name__)
COMMENT_MAX = 1000
K = Survey.Kind


@transaction.atomic
def survey_invite(*, kind, order, request_number="", now=None) -> tuple[Survey, bool]:
    """Invite the order's customer to a survey of this kind (once per order, kind and request number); texts
    them the link after commit when the store setting says so. Returns (survey, created)."""
    if kind not in K.values:
        raise DomainError(_("Unknown survey kind."), code="invalid_kind")
    request_number = str(request_number or "")[:32] if kind == K.REQUEST else ""
    existing = Survey.objects.filter(order=order, kind=kind, request_number=request_number).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                kind=kind,
                order=order,
                order_number=order.number,
                request_number=request_number,
                customer_id=order.customer_id,
                sent_at=now or timezone.now(),
            )
    except IntegrityError:  # invited by a concurrent delivery of the same signal
        return Survey.objects.get(order=order, kind=kind, request_number=request_number), False
    settings = store_settings()
    if settings.survey_text_customers and settings.survey_link:
        transaction.on_commit(partial(survey_text, survey_id=survey.pk))
    return survey, True


def survey_link(survey) -> str:
    return store_settings().survey_link.replace("{token}", survey.token)


def survey_text(*, survey_id):
    """Text the customer the survey's link through their channel (customers' outbound texts); once."""
    survey = Survey.objects.select_related("customer").filter(pk=survey_id, texted_at__isnull=True).first()
    if survey is None:
        return None
    with translation.override(django_settings.LANGUAGE_CODE):  # the customer reads the store's language
        if survey.kind == K.REQUEST:
            text = _("How did we handle your after-sales request %(n)s? Tell us: %(link)s")
            text %= {"n": survey.request_number, "link": survey_link(survey)}
        else:
            text = _("How was your order %(n)s? Tell us: %(link)s") % {
                "n": survey.order_number,
                "link": survey_link(survey),
            }
        subject = _("A short satisfaction survey")
    try:
        outbound = customer_text_send(customer=survey.customer, text=text, subject=subject, purpose="survey")
    except DomainError as e:  # no channel to reach them
        log.info("survey %s not texted: %s", survey.pk, e.message)
        return None
    Survey.objects.filter(pk=survey.pk).update(texted_at=timezone.now())
    return outbound


def _score(value, low, high, field, message):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(message, code="invalid_" + field, fields={field: message})
    return value


def survey_find(token) -> Survey:
    survey = Survey.objects.filter(token=str(token or "")[:64]).first() if token else None
    if survey is None:
        raise NotFound(_("Survey not found."), code="survey_not_found")
    return survey


@transaction.atomic(durable=True)
def survey_answer(*, token, csat, nps, comment="", now=None) -> Survey:
    """Record the customer's answer (CSAT 1–5, NPS 0–10, a comment); a survey is answered once."""
    errors = {}
    for field, value, low, high, message in (
        ("csat", csat, 1, 5, _("Give a satisfaction score from 1 to 5.")),
        ("nps", nps, 0, 10, _("Give a score from 0 to 10.")),
    ):
        try:
            _score(value, low, high, field, message)
        except DomainError:
            errors[field] = message
    comment = str(comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _("At most %(n)s characters.") % {"n": COMMENT_MAX}
    if errors:
        raise DomainError(_("Check the answers."), code="invalid_answer", fields=errors)
    survey = survey_find(token)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.answered_at is not None:
        raise Conflict(_("This survey is already answered."), code="already_answered")
    survey.csat, survey.nps, survey.comment = csat, nps, comment
    survey.answered_at = now or timezone.now()
    survey.save(update_fields=["csat", "nps", "comment", "answered_at"])
    return survey
