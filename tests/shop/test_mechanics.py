"""The shared mechanics every app uses: money, the actor, Chinese provinces and phones, the state machine,
the audited save."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.actors import Actor
from shop.audit import audited_save
from shop.china import mobile_digits, phone_clean, province_key, province_list
from shop.errors import DomainError
from shop.models import Announcement, AuditEntry
from shop.money import allocate, parse_money, to_cents
from shop.state import IllegalTransition, StateMachine

cents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


def test_money_rounds_half_up_not_to_even():
    assert to_cents(Decimal("0.125")) == Decimal("0.13")
    assert to_cents(Decimal("0.135")) == Decimal("0.14")
    assert to_cents("-2.345") == Decimal("-2.35")


@pytest.mark.parametrize("junk", ["", "abc", "NaN", "Infinity", "1e20", None])
def test_an_amount_that_is_not_one_names_its_field(junk):
    with pytest.raises(DomainError) as e:
        parse_money(junk, field="adjustment")
    assert "adjustment" in e.value.data["fields"]


@given(total=cents, weights=st.lists(cents, min_size=1, max_size=12))
def test_allocated_shares_always_sum_to_the_total(total, weights):
    shares = allocate(total, weights)
    assert sum(shares) == total and len(shares) == len(weights)
    assert all(
        abs(s - total * w / sum(weights)) <= Decimal("0.01") * len(weights)
        for s, w in zip(shares, weights, strict=True)
    )


def test_an_adjustment_spreads_over_lines_in_proportion():
    assert allocate(Decimal("-100.00"), [Decimal("100.00"), Decimal("100.00")]) == [Decimal("-50.00")] * 2
    assert allocate(Decimal("10.00"), [Decimal("1")] * 3) == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]


def test_the_actor_of_a_user_an_api_client_and_the_system(owner):
    assert Actor.of(owner) == Actor(user=owner, label=owner.username) and Actor.of(owner).is_staff
    assert Actor.of("api:erp") == Actor(user=None, label="api:erp")
    assert Actor.of(None).label == "system" and not Actor.of(None).is_staff


def test_provinces_and_phone_numbers():
    assert province_key("广东省") == province_key("广东") == "广东"
    assert province_key("新疆维吾尔自治区") == "新疆" and province_key("北京市") == "北京"
    assert province_list("广东，浙江、上海市") == {"广东", "浙江", "上海"}
    assert mobile_digits("+86 138-0013-8000") == mobile_digits("0086 13800138000") == "13800138000"
    assert mobile_digits("12800138000") is None
    assert phone_clean("(010) 1234 5678") == "01012345678" and phone_clean("12345") is None


@pytest.mark.django_db
def test_the_state_machine_moves_stamps_and_refuses(owner):
    machine = StateMachine(
        transitions={"go": (("draft",), "live"), "stop": (("live",), "stopped")}, stamps={"go": "starts_at"}
    )

    class Row:
        status = "draft"
        starts_at = None
        saved = None

        def save(self, update_fields):
            self.saved = update_fields

        def get_status_display(self):
            return self.status

    row = Row()
    assert machine.allowed(row) == {"go"}
    assert machine.move(row, "go") == "draft"
    assert row.status == "live" and row.starts_at is not None and row.saved == ["status", "starts_at"]
    with pytest.raises(IllegalTransition):
        machine.move(row, "go")


@pytest.mark.django_db
def test_an_audited_save_validates_and_records_before_and_after(owner):
    with pytest.raises(DomainError) as e:
        audited_save(Announcement(), actor=owner, action="settings.announcement_save", fields={"title": ""})
    assert "title" in e.value.data["fields"] and not AuditEntry.objects.exists()
