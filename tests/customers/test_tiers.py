"""Member tiers: the nightly job moves customers up and down, a completed order moves its customer up at
once, and staff set the tiers up on their pages."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from customers.models import Customer, MemberTier, TierChange
from customers.services import member_order_completed, rfm_and_tiers_recompute
from customers.signals import tier_changed
from orders import services as order_services
from orders.models import Order
from shop.models import AuditEntry
from tests.customers.tiers_data import make_customer, make_order, make_tiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def listen(sender, customer, from_tier, to_tier, reason, **kwargs):
        calls.append((customer.pk, from_tier and from_tier.name, to_tier and to_tier.name, reason))

    tier_changed.connect(listen, dispatch_uid="test.heard")
    yield calls
    tier_changed.disconnect(dispatch_uid="test.heard")


def _tier(customer):
    customer.refresh_from_db()
    return customer.tier.name if customer.tier else None


def test_the_job_gives_each_customer_the_best_tier_they_reach(django_capture_on_commit_callbacks, heard):
    make_tiers()
    nobody = make_customer()
    spender = make_customer()
    make_order(spender, "1200", days_ago=10)
    frequent = make_customer()  # five small orders: 金卡 by order count, though the spend is low
    for day in range(5):
        make_order(frequent, "30", days_ago=day + 1)
    whale = make_customer()
    make_order(whale, "12000", days_ago=3)
    lapsed = make_customer()  # spent a lot, but more than 12 months ago
    make_order(lapsed, "20000", days_ago=400)
    with django_capture_on_commit_callbacks(execute=True):
        result = rfm_and_tiers_recompute()
    assert [_tier(c) for c in (nobody, spender, frequent, whale, lapsed)] == [None, "银卡", "金卡", "钻石", None]
    assert result["upgraded"] == 3 and result["downgraded"] == 0
    changes = TierChange.objects.filter(customer=whale)
    assert [(c.from_tier, c.to_tier.name, c.reason) for c in changes] == [(None, "钻石", "recompute")]
    assert sorted(heard) == sorted(
        [
            (spender.pk, None, "银卡", "recompute"),
            (frequent.pk, None, "金卡", "recompute"),
            (whale.pk, None, "钻石", "recompute"),
        ]
    )


def test_the_job_moves_customers_down_when_their_year_falls_short(django_capture_on_commit_callbacks, heard):
    tiers = make_tiers()
    customer = make_customer(tier=tiers["diamond"])  # held 钻石, but only 1,500 spent in the last 12 months
    make_order(customer, "1500", days_ago=20)
    make_order(customer, "9000", days_ago=500)
    with django_capture_on_commit_callbacks(execute=True):
        result = rfm_and_tiers_recompute()
    assert _tier(customer) == "银卡"
    assert result["downgraded"] == 1
    change = TierChange.objects.get(customer=customer)
    assert (change.from_tier.name, change.to_tier.name, change.reason) == ("钻石", "银卡", "recompute")
    assert heard == [(customer.pk, "钻石", "银卡", "recompute")]


def test_running_the_job_twice_writes_no_new_changes(django_capture_on_commit_callbacks, heard):
    make_tiers()
    for amount in ("1500", "15000", "50"):
        make_order(make_customer(), amount, days_ago=5)
    rfm_and_tiers_recompute()
    changes = TierChange.objects.count()
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = rfm_and_tiers_recompute()
    assert TierChange.objects.count() == changes == 2
    assert again["upgraded"] == again["downgraded"] == 0
    assert heard == []


def test_the_job_is_registered_at_four_in_the_morning():
    from shop.jobs import load_jobs

    task, schedule = load_jobs()["recompute_rfm_and_tiers"]
    assert schedule.hour == {4} and schedule.minute == {0}
    assert task.name == "houtai.recompute_rfm_and_tiers"


def test_completing_an_order_moves_its_customer_up_at_once(owner, django_capture_on_commit_callbacks, heard):
    make_tiers()
    customer = make_customer()
    make_order(customer, "800", days_ago=30)
    rfm_and_tiers_recompute()
    assert _tier(customer) is None
    order = make_order(customer, "400", days_ago=8, status=Order.Status.DELIVERED)
    with django_capture_on_commit_callbacks(execute=True):
        order_services.order_complete(order=order, actor=owner)
    assert _tier(customer) == "银卡"
    assert customer.spend_12m == Decimal("1200.00") and customer.order_count == 2
    change = TierChange.objects.get(customer=customer)
    assert (change.to_tier.name, change.reason, change.reference) == ("银卡", "order", order.number)
    assert heard == [(customer.pk, None, "银卡", "order")]
    # The same order's news again (a retried signal) changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        member_order_completed(customer=customer, reference=order.number)
    assert TierChange.objects.filter(customer=customer).count() == 1
    assert len(heard) == 1


def test_a_completed_order_never_moves_a_customer_down(owner, django_capture_on_commit_callbacks):
    tiers = make_tiers()
    customer = make_customer(tier=tiers["diamond"])
    order = make_order(customer, "100", days_ago=8, status=Order.Status.DELIVERED)
    with django_capture_on_commit_callbacks(execute=True):
        order_services.order_complete(order=order, actor=owner)
    assert _tier(customer) == "钻石"
    assert not TierChange.objects.exists()
    assert customer.order_count == 1 and customer.lifetime_spend == Decimal("100.00")


# -- the tier pages ------------------------------------------------------------------------------------
TIER = {
    "name": "白金",
    "rank": "4",
    "threshold_kind": "spend",
    "threshold": "30000",
    "discount_percent": "12.5",
    "points_multiplier": "2",
    "birthday_points": "500",
    "free_shipping": "on",
}


def test_staff_create_edit_and_list_tiers(owner_client):
    response = owner_client.post("/customers/tiers/new/", TIER)
    assert response.status_code == 302
    tier = MemberTier.objects.get(name="白金")
    assert (tier.rank, tier.threshold, tier.discount_percent, tier.free_shipping) == (
        4,
        Decimal("30000.00"),
        Decimal("12.50"),
        True,
    )
    assert AuditEntry.objects.filter(action="customers.tier_save", object_id=str(tier.pk)).exists()
    owner_client.post(f"/customers/tiers/{tier.pk}/", {**TIER, "discount_percent": "15"})
    tier.refresh_from_db()
    assert tier.discount_percent == Decimal("15.00")
    page = owner_client.get("/customers/tiers/").content.decode()
    assert "白金" in page and "15%" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"discount_percent": "150"}, "discount_percent", "100"),
        ({"discount_percent": "-1"}, "discount_percent", "0"),
        ({"threshold": "-5"}, "threshold", "0"),
        ({"threshold_kind": "orders", "threshold": "2.5"}, "threshold", "whole number"),
        ({"rank": "1"}, "rank", "Another tier already has rank 1"),
        ({"name": "银卡"}, "name", "Another tier is already called 银卡"),
        ({"name": "  "}, "name", ""),
    ],
)
def test_a_bad_tier_shows_a_clear_message_and_saves_nothing(owner_client, change, field, message):
    make_tiers()
    before = MemberTier.objects.count()
    response = owner_client.post("/customers/tiers/new/", {**TIER, **change}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert MemberTier.objects.count() == before


def test_a_tier_customers_hold_cannot_be_deleted(owner_client):
    tiers = make_tiers()
    make_customer(tier=tiers["gold"])
    response = owner_client.post(f"/customers/tiers/{tiers['gold'].pk}/delete/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert MemberTier.objects.filter(pk=tiers["gold"].pk).exists()
    assert "1 customers hold the tier 金卡" in response.content.decode()
    owner_client.post(f"/customers/tiers/{tiers['silver'].pk}/delete/")
    assert not MemberTier.objects.filter(pk=tiers["silver"].pk).exists()
    assert AuditEntry.objects.filter(action="customers.tier_delete").count() == 1


def test_marketing_sees_the_tiers_but_cannot_change_them(client_as):
    tiers = make_tiers()
    client = client_as("marketing")
    assert client.get("/customers/tiers/").status_code == 200
    assert client.post("/customers/tiers/new/", TIER).status_code == 403
    assert client.post(f"/customers/tiers/{tiers['gold'].pk}/delete/").status_code == 403
    assert MemberTier.objects.count() == 3


def test_the_customer_page_shows_the_tier_its_benefits_and_its_history(owner_client):
    tiers = make_tiers()
    customer = make_customer()
    make_order(customer, "12000", days_ago=3)
    rfm_and_tiers_recompute()
    page = owner_client.get(f"/customers/{customer.pk}/").content.decode()
    with translation.override("zh-hans"):  # the page's language; the texts as the catalogue has them
        expected = [_("%(p)s%% off") % {"p": "10"}, _("Free shipping"), str(TierChange.Reason.RECOMPUTE.label)]
    assert "钻石" in page and all(text in page for text in expected)
    assert 'data-testid="related-tier-history"' in page
    assert Customer.objects.get(pk=customer.pk).tier == tiers["diamond"]


def test_the_auto_complete_sweep_moves_customers_up_too(django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    make_tiers()
    customer = make_customer()
    order = make_order(customer, "1500", days_ago=40, status=Order.Status.DELIVERED)
    Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert order_services.orders_auto_complete()["completed"] == 1
    assert _tier(customer) == "银卡"
    assert TierChange.objects.get(customer=customer).reference == order.number
