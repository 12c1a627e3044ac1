"""Every message has a zh-hans translation, and the compiled catalogues match the sources."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(p for p in ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts) + sorted(
    ROOT.glob("locale/zh_Hans/LC_MESSAGES/django.po")
)


def _entries(path):
    """(msgid, msgstr, fuzzy) of each entry of a .po file (a small reader: no polib needed)."""
    entries, block = [], []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            entries.append(block)
        block = []
    result = []
    for block in entries:
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block)
        fields, current = {}, None
        for line in block:
            if line.startswith("#"):
                continue
            if line.startswith(("msgid", "msgstr")):
                current, _sep, rest = line.partition(" ")
                fields[current] = rest.strip()[1:-1]
            elif current and line.startswith('"'):
                fields[current] += line.strip()[1:-1]
        if fields.get("msgid"):
            msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
            result.append((fields["msgid"], msgstr, fuzzy))
    return result


@pytest.mark.parametrize("path", CATALOGUES, ids=[str(p.relative_to(ROOT)) for p in CATALOGUES])
def test_every_message_is_translated_to_simplified_chinese(path):
    missing = [msgid for msgid, msgstr, fuzzy in _entries(path) if not msgstr or fuzzy]
    assert missing == []


@pytest.mark.parametrize("path", CATALOGUES, ids=[str(p.relative_to(ROOT)) for p in CATALOGUES])
def test_compiled_catalogue_is_not_older_than_its_source(path):
    compiled = path.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_mtime >= path.stat().st_mtime - 1


def test_money_and_numbers_follow_the_locale():
    from decimal import Decimal

    from shop.templatetags.houtai import money

    with translation.override("en"):
        assert money(Decimal("1234567.5")) == "¥1,234,567.50"
    with translation.override("zh-hans"):
        assert money(Decimal("-12.345")) == "-¥12.35"
        assert money(Decimal("14210")) == "¥14,210.00"


def test_a_closed_order_is_closed_and_a_day_off_is_a_day_off():
    """The word "Closed" means two things: an order's state (已关闭) and a day the shop does not open (休息)."""
    from orders.models import Order

    with translation.override("zh-hans"):
        assert str(Order.Status.CLOSED.label) == "已关闭"
        assert translation.pgettext("business hours", "Closed") == "休息"
