"""A/B experiments: the deterministic weighted split, issuing the variant's coupon, the report on hand-built
orders (exact counts, GMV, discount cost and scipy's p-value), promoting the winner, and the form's validation."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from scipy import stats

from marketing import selectors, services
from marketing.models import Coupon, Experiment, ExperimentAssignment, ExperimentVariant, Kind, OrderPromotion
from orders.models import Order
from shop.models import AuditEntry
from tests.customers.tiers_data import make_customer, make_order

D = Decimal


@pytest.fixture
def experiment(db, owner, template):
    def make(*weights_and_templates, starts=-10, ends=10):
        now = timezone.now()
        return services.experiment_save(
            actor=owner,
            name="券面额测试",
            starts_at=now + timedelta(days=starts),
            ends_at=now + timedelta(days=ends),
            variants=[{"name": f"V{i}", "weight": w, "template": t} for i, (w, t) in enumerate(weights_and_templates)],
        )

    return make


def test_split_is_deterministic_and_close_to_the_weights(experiment):
    exp = experiment((1, None), (2, None), (1, None))
    customers = [SimpleNamespace(pk=i) for i in range(1, 8001)]
    first = [services.experiment_variant(exp, c).name for c in customers]
    again = [services.experiment_variant(Experiment.objects.get(pk=exp.pk), c).name for c in customers]
    assert first == again
    shares = {name: n / len(customers) for name, n in Counter(first).items()}
    assert shares["V0"] == pytest.approx(0.25, abs=0.03)
    assert shares["V1"] == pytest.approx(0.50, abs=0.03)
    assert shares["V2"] == pytest.approx(0.25, abs=0.03)


def test_issuing_claims_the_variants_coupon_once_and_control_gets_none(experiment, template, owner):
    ten = template(name="十元券", claim_code="", amount=D("10.00"))
    exp = experiment((1, None), (1, ten))
    seen = Counter()
    for _ in range(30):
        customer = make_customer()
        variant, coupon = services.experiment_issue(experiment=exp, customer=customer, actor=owner)
        again, coupon_again = services.experiment_issue(experiment=exp, customer=customer, actor=owner)
        assert again == variant and coupon_again == coupon
        if variant.template_id:
            assert coupon.template == ten and coupon.customer == customer and coupon.state == Coupon.State.CLAIMED
        else:
            assert coupon is None
        seen[variant.name] += 1
    assert set(seen) == {"V0", "V1"}
    assert Coupon.objects.filter(template=ten).count() == seen["V1"]
    assert ExperimentAssignment.objects.filter(experiment=exp).count() == 30


def test_issuing_outside_the_window_is_refused(experiment, template):
    exp = experiment((1, None), (1, None), starts=1, ends=3)
    with pytest.raises(Exception) as caught:
        services.experiment_issue(experiment=exp, customer=make_customer())
    assert caught.value.code == "experiment_not_running"
    assert not ExperimentAssignment.objects.exists()


def _coupon_order(customer, total, template, amount):
    order = make_order(customer, total, days_ago=1)
    OrderPromotion.objects.create(
        order_id=order.pk,
        order_number=order.number,
        kind=Kind.COUPON,
        promotion_id=template.pk,
        name=template.name,
        amount=D(amount),
    )
    return order


def test_report_on_known_orders(experiment, template, owner):
    ten = template(name="十元券", claim_code="", amount=D("10.00"))
    exp = experiment((1, None), (1, ten))
    groups: dict = {"V0": [], "V1": []}
    for _ in range(60):
        customer = make_customer()
        variant, _coupon = services.experiment_issue(experiment=exp, customer=customer, actor=owner)
        groups[variant.name].append(customer)
    control, treated = groups["V0"], groups["V1"]
    assert len(control) >= 3 and len(treated) >= 7
    # control: 2 converted customers, 3 orders; plus orders that must not count
    make_order(control[0], "100.00")
    make_order(control[0], "50.00")
    make_order(control[1], "80.00")
    make_order(control[2], "999.00", days_ago=20)  # before the window
    make_order(control[2], "999.00", paid=False, status=Order.Status.PENDING_PAYMENT)  # not paid
    # coupon: 6 converted customers, one order each with the ¥10 coupon, one more without it
    for c in treated[:6]:
        _coupon_order(c, "90.00", ten, "10.00")
    make_order(treated[0], "20.00")
    make_order(make_customer(), "500.00")  # not in the experiment

    report = selectors.experiment_report(exp)
    rows = {r["variant"].name: r for r in report["rows"]}
    assert (rows["V0"]["assigned"], rows["V0"]["converted"], rows["V0"]["orders"]) == (len(control), 2, 3)
    assert rows["V0"]["gmv"] == D("230.00") and rows["V0"]["cost"] == D("0.00")
    assert (rows["V1"]["assigned"], rows["V1"]["converted"], rows["V1"]["orders"]) == (len(treated), 6, 7)
    assert rows["V1"]["gmv"] == D("560.00") and rows["V1"]["cost"] == D("60.00")
    assert rows["V1"]["rate"] == (D(6) / len(treated) * 100).quantize(D("0.01"))
    table = [[2, len(control) - 2], [6, len(treated) - 6]]
    assert report["test"] == "fisher"  # expected converted counts are under 5
    assert report["p_value"] == pytest.approx(stats.fisher_exact(table).pvalue)
    # the split of 60 customers is random: a lopsided one (few in the coupon group, all converted) is significant
    assert report["significant"] is bool(stats.fisher_exact(table).pvalue < 0.05)


def test_report_uses_chi_squared_on_large_counts(experiment, owner):
    exp = experiment((1, None), (1, None))
    groups: dict = {"V0": [], "V1": []}
    for _ in range(200):
        customer = make_customer()
        groups[services.experiment_variant(exp, customer).name].append(customer)
        services.experiment_issue(experiment=exp, customer=customer)
    for c in groups["V0"][:10]:
        make_order(c, "10.00")
    for c in groups["V1"][:60]:
        make_order(c, "10.00")
    report = selectors.experiment_report(exp)
    table = [[10, len(groups["V0"]) - 10], [60, len(groups["V1"]) - 60]]
    assert report["test"] == "chi2"
    assert report["p_value"] == pytest.approx(stats.chi2_contingency(table).pvalue)
    assert report["significant"] is True and report["best"].name == "V1"


def test_promoting_the_winner_ends_it_and_issues_the_winner_to_everyone(experiment, template, owner, client):
    ten = template(name="十元券", claim_code="", amount=D("10.00"))
    twenty = template(name="二十元券", claim_code="", amount=D("20.00"))
    exp = experiment((1, ten), (1, twenty))
    winner = ExperimentVariant.objects.get(experiment=exp, template=twenty)
    client.force_login(owner)
    response = client.post(f"/marketing/experiments/{exp.pk}/promote/", {"variant": winner.pk})
    assert response.status_code == 302
    exp.refresh_from_db()
    assert exp.winner == winner and exp.ended_at is not None and exp.status == Experiment.State.ENDED
    assert AuditEntry.objects.filter(action="marketing.experiment_promote").count() == 1
    for _ in range(10):
        variant, coupon = services.experiment_issue(experiment=exp, customer=make_customer())
        assert variant == winner and coupon.template == twenty
    # ended: a second promotion is refused, nothing changes
    with pytest.raises(Exception) as caught:
        services.experiment_promote(actor=owner, experiment=exp, variant=winner)
    assert caught.value.code == "experiment_ended"


def _post(client, **extra):
    data = {
        "name": "首单券",
        "starts_at": "2026-12-01T10:00",
        "ends_at": "2026-12-10T10:00",
        "name_0": "对照组",
        "weight_0": "1",
        "name_1": "十元组",
        "weight_1": "1",
    }
    data.update(extra)
    return client.post("/marketing/experiments/new/", data, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"weight_1": "0"}, "weight_1"),
        ({"weight_1": "-2"}, "weight_1"),
        ({"name_1": "", "weight_1": ""}, None),  # one variant only
        ({"ends_at": "2026-11-30T10:00"}, "ends_at"),
    ],
)
def test_the_form_refuses_bad_input_inline_and_writes_nothing(owner_client, bad, field):
    response = _post(owner_client, **bad)
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_valid()
    if field:
        assert field in form.errors
    else:
        assert form.non_field_errors()
    assert not Experiment.objects.exists()


def test_pages_create_edit_list_and_report(owner_client, template):
    ten = template(name="十元券", claim_code="", amount=D("10.00"))
    response = _post(owner_client, template_1=str(ten.pk))
    exp = Experiment.objects.get()
    assert response.status_code == 302 and response.url == f"/marketing/experiments/{exp.pk}/"
    variants = [(v.name, v.weight, v.template_id) for v in exp.variants.all()]
    assert variants == [("对照组", 1, None), ("十元组", 1, ten.pk)]
    assert AuditEntry.objects.filter(action="marketing.experiment_save").count() == 1
    edit = owner_client.post(
        f"/marketing/experiments/{exp.pk}/edit/",
        {
            "name": "首单券二",
            "starts_at": "2026-12-01T10:00",
            "ends_at": "2026-12-10T10:00",
            "name_0": "对照组",
            "weight_0": "1",
            "name_1": "十元组",
            "weight_1": "3",
            "template_1": str(ten.pk),
        },
    )
    assert edit.status_code == 302
    assert [v.weight for v in exp.variants.all()] == [1, 3]
    listing = owner_client.get("/marketing/experiments/")
    assert listing.status_code == 200 and "首单券二" in listing.content.decode()
    page = owner_client.get(f"/marketing/experiments/{exp.pk}/")
    assert page.status_code == 200
    assert b'data-testid="experiment-report"' in page.content and b'data-testid="verdict"' in page.content


def test_variants_cannot_change_once_customers_are_assigned(experiment, owner):
    exp = experiment((1, None), (1, None))
    services.experiment_issue(experiment=exp, customer=make_customer())
    with pytest.raises(Exception) as caught:
        services.experiment_save(
            actor=owner,
            experiment=exp,
            name=exp.name,
            starts_at=exp.starts_at,
            ends_at=exp.ends_at,
            variants=[{"name": "V0", "weight": 1, "template": None}, {"name": "V1", "weight": 5, "template": None}],
        )
    assert caught.value.code == "experiment_started"
    assert [v.weight for v in exp.variants.all()] == [1, 1]
    renamed = services.experiment_save(
        actor=owner,
        experiment=exp,
        name="改名",
        starts_at=exp.starts_at,
        ends_at=exp.ends_at,
        variants=[{"name": "V0", "weight": 1, "template": None}, {"name": "V1", "weight": 1, "template": None}],
    )
    assert renamed.name == "改名" and ExperimentAssignment.objects.filter(experiment=exp).count() == 1


def test_issuing_from_the_report_page(experiment, template, owner_client):
    ten = template(name="十元券", claim_code="", amount=D("10.00"))
    exp = experiment((1, None), (1, ten))
    customer = make_customer(phone="13912345678")
    response = owner_client.post(f"/marketing/experiments/{exp.pk}/issue/", {"phone": "139 1234 5678"})
    assert response.status_code == 302
    assignment = ExperimentAssignment.objects.get(experiment=exp, customer=customer)
    assert assignment.variant == services.experiment_variant(exp, customer)
    assert (assignment.coupon is not None) == (assignment.variant.template_id == ten.pk)
    unknown = owner_client.post(f"/marketing/experiments/{exp.pk}/issue/", {"phone": "13700000000"})
    assert unknown.status_code == 302 and ExperimentAssignment.objects.count() == 1
