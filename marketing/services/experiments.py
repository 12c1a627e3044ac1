"""A/B experiments: saving one with its variants, the deterministic split, issuing a customer's variant
coupon, and ending it by promoting the winner."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketing.models import CouponTemplate, Experiment, ExperimentAssignment, ExperimentVariant
from marketing.services.coupons import _claim
from shop.audit import record
from shop.errors import DomainError, RuleRefused

MAX_VARIANTS = 6


def _check(name, starts_at, ends_at, variants):
    errors = {}
    if not str(name or "").strip():
        errors["name"] = _("This field is required.")
    if not isinstance(starts_at, datetime):
        errors["starts_at"] = _("Enter a date and time.")
    if not isinstance(ends_at, datetime):
        errors["ends_at"] = _("Enter a date and time.")
    if "starts_at" not in errors and "ends_at" not in errors and ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if not 2 <= len(variants) <= MAX_VARIANTS:
        errors["variants"] = _("An experiment needs 2 to %(n)s variants.") % {"n": MAX_VARIANTS}
    for i, v in enumerate(variants):
        weight = v.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            errors[f"weight_{i}"] = _("The weight must be a whole number above zero.")
        if not str(v.get("name") or "").strip():
            errors[f"name_{i}"] = _("Name the variant.")
        template = v.get("template")
        if template is not None and not isinstance(template, CouponTemplate):
            errors[f"template_{i}"] = _("Choose a coupon.")
    names = [str(v.get("name") or "").strip() for v in variants]
    if len(set(names)) != len(names) and "variants" not in errors:
        errors["variants"] = _("Each variant needs its own name.")
    if errors:
        raise DomainError(next(iter(errors.values())), code="invalid_experiment", fields=errors)


def _snapshot(experiment):
    return {
        "name": experiment.name,
        "starts_at": experiment.starts_at.isoformat(),
        "ends_at": experiment.ends_at.isoformat(),
        "variants": [
            {"name": v.name, "weight": v.weight, "template": v.template_id} for v in experiment.variants.all()
        ],
    }


@transaction.atomic(durable=True)
def experiment_save(*, actor, name, starts_at, ends_at, variants, experiment=None) -> Experiment:
    """Create an experiment or change it. `variants` is a list of {name, weight, template or None};
    the variants of an experiment that has assigned customers cannot change (the split would move)."""
    _check(name, starts_at, ends_at, variants)
    before = None
    if experiment is not None:
        experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if experiment.ended_at:
            raise RuleRefused(_("The experiment has ended."), code="experiment_ended")
        before = _snapshot(experiment)
        wanted = [(str(v["name"]).strip(), v["weight"], getattr(v["template"], "pk", None)) for v in variants]
        if wanted != [(d["name"], d["weight"], d["template"]) for d in before["variants"]]:
            if experiment.assignments.exists():
                message = _("Customers are already assigned: the variants cannot change.")
                raise RuleRefused(message, code="experiment_started", fields={"variants": message})
            experiment.variants.all().delete()
            experiment.variants_changed = True
    else:
        experiment = Experiment()
    experiment.name, experiment.starts_at, experiment.ends_at = str(name).strip(), starts_at, ends_at
    experiment.save()
    if before is None or getattr(experiment, "variants_changed", False):
        ExperimentVariant.objects.bulk_create(
            ExperimentVariant(
                experiment=experiment,
                position=i,
                name=str(v["name"]).strip(),
                weight=v["weight"],
                template=v["template"],
            )
            for i, v in enumerate(variants)
        )
    record(actor, "marketing.experiment_save", experiment, before=before, after=_snapshot(experiment))
    return experiment


def experiment_variant(experiment, customer) -> ExperimentVariant:
    """The customer's variant: a stable hash of experiment id + customer id into the weights (the same
    customer always lands in the same variant). After the winner was promoted, the winner for everyone."""
    if experiment.winner_id:
        return experiment.winner
    variants = list(experiment.variants.all())
    point = experiment.bucket(customer.pk, sum(v.weight for v in variants))
    for variant in variants:
        if point < variant.weight:
            return variant
        point -= variant.weight
    raise AssertionError("weights exhausted")  # pragma: no cover


@transaction.atomic(durable=True)
def experiment_issue(*, experiment, customer, actor=None, now=None):
    """Assign the customer (once) and claim their variant's coupon for them; a control variant gives none.
    Returns (variant, coupon or None). Outside the window (and before a winner) nothing is issued."""
    now = now or timezone.now()
    experiment = Experiment.objects.select_related("winner__template").get(pk=experiment.pk)
    if not experiment.winner_id and not (experiment.starts_at <= now < experiment.ends_at and not experiment.ended_at):
        raise RuleRefused(_("The experiment is not running."), code="experiment_not_running")
    variant = experiment_variant(experiment, customer)
    assignment, created = ExperimentAssignment.objects.get_or_create(
        experiment=experiment, customer=customer, defaults={"variant": variant, "assigned_at": now}
    )
    if not created and (assignment.coupon_id or not experiment.winner_id):
        return assignment.variant, assignment.coupon  # issued already: idempotent
    coupon = _claim(variant.template, customer, now) if variant.template_id else None
    if coupon is not None:
        assignment.coupon = coupon
        assignment.save(update_fields=["coupon"])
    record(
        actor or "system",
        "marketing.experiment_issue",
        experiment,
        after={"customer": customer.pk, "variant": variant.name, "coupon": getattr(coupon, "pk", None)},
    )
    return variant, coupon


@transaction.atomic(durable=True)
def experiment_promote(*, actor, experiment, variant, now=None) -> Experiment:
    """End the experiment and promote `variant`: its template is the one issued to everyone from now on."""
    now = now or timezone.now()
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if experiment.ended_at:
        raise RuleRefused(_("The experiment has ended."), code="experiment_ended")
    if variant is None or variant.experiment_id != experiment.pk:
        message = _("Choose one of the experiment's variants.")
        raise DomainError(message, code="invalid_variant", fields={"variant": message})
    experiment.winner, experiment.ended_at = variant, now
    experiment.save(update_fields=["winner", "ended_at"])
    record(
        actor,
        "marketing.experiment_promote",
        experiment,
        after={"winner": variant.name, "template": variant.template_id, "ended_at": now.isoformat()},
    )
    return experiment
