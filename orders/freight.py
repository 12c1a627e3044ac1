"""The freight service: what shipping costs for a cart going to a province.

A template charges `first_fee` for the first `first_units` (kilograms or pieces) and `additional_fee`
for each started block of `additional_units` after that; a region row overrides both fees for its
provinces. Goods worth at least `free_over` ship free, except that a remote province's surcharge is
always added. With no active default template shipping costs 0.
"""

import math
from decimal import Decimal

from orders.models import FreightTemplate
from shop.china import province_key, province_list
from shop.money import to_cents

ZERO = Decimal("0.00")


def default_template():
    return FreightTemplate.objects.filter(is_active=True, is_default=True).prefetch_related("regions").first()


def freight_quote(*, province, weight_g, pieces, goods_total, template=None) -> Decimal:
    """The shipping fee for goods of this weight, count and value going to this province."""
    template = template or default_template()
    if template is None:
        return ZERO
    key = province_key(province)
    first_fee, additional_fee = template.first_fee, template.additional_fee
    for region in template.regions.all():
        if key in province_list(region.provinces):
            first_fee, additional_fee = region.first_fee, region.additional_fee
            break
    units = Decimal(weight_g) / 1000 if template.basis == FreightTemplate.Basis.WEIGHT else Decimal(pieces)
    fee = first_fee
    if units > template.first_units and template.additional_units > 0:
        blocks = math.ceil((units - template.first_units) / template.additional_units)
        fee += additional_fee * blocks
    if template.free_over is not None and goods_total >= template.free_over:
        fee = ZERO
    if key and key in province_list(template.remote_provinces):
        fee += template.remote_surcharge
    return to_cents(fee)
