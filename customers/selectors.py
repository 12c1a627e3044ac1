from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from customers.models import Customer, CustomerAddress, PointsEntry


def customer_list():
    return Customer.objects.prefetch_related("tags")


def customer_addresses(customer):
    return CustomerAddress.objects.filter(customer=customer).order_by("-is_default", "created_at", "id")


def customer_addresses_all():
    return CustomerAddress.objects.select_related("customer")


# -- the points ledger --------------------------------------------------------------------------------
def points_entries():
    """Every points ledger row with its customer, newest first (index points_created_keyset)."""
    return PointsEntry.objects.select_related("customer")


def customer_points_entries(customer):
    """One customer's ledger rows, newest first (index points_customer_created)."""
    return PointsEntry.objects.filter(customer=customer).order_by("-created_at", "-id")


def points_ledger_mismatches():
    """Customers whose points balance is not the sum of their ledger, or not the sum of their open lots
    (the invariant; empty when all is well), each annotated with `ledger_sum` and `lots_sum`."""

    def total(field, **where):
        rows = (
            PointsEntry.objects.filter(customer=OuterRef("pk"), **where)
            .order_by()
            .values("customer")
            .annotate(s=Sum(field))
            .values("s")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    return (
        Customer.objects.annotate(ledger_sum=total("points"), lots_sum=total("remaining", remaining__gt=0))
        .filter(~Q(points_balance=F("ledger_sum")) | ~Q(points_balance=F("lots_sum")))
        .order_by("pk")
    )
