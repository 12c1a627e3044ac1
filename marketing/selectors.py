"""Reads the marketing pages share: flash-sale sessions with their SKUs' live counts, group-buy activities
with their groups and members."""

from django.db.models import Count, F, Q, Sum

from marketing.models import FlashSaleItem, FlashSession, GroupBuy, GroupBuyGroup, GroupBuyMember


def flash_sessions():
    return FlashSession.objects.annotate(
        sku_count=Count("items"),
        units=Sum("items__quantity"),
        left=Sum("items__remaining"),
        back=Sum("items__returned"),
        sold=Sum(F("items__quantity") - F("items__remaining") - F("items__returned")),
    )


def flash_items(session):
    """The session's SKUs, with what is left and sold read now (the page polls them)."""
    return FlashSaleItem.objects.filter(session=session).select_related("sku__product").order_by("pk")


def group_buys():
    return GroupBuy.objects.select_related("sku").annotate(
        group_count=Count("groups"),
        filled=Count("groups", filter=Q(groups__status=GroupBuyGroup.Status.SUCCEEDED)),
    )


def groups_of(activity, limit=50):
    """The activity's latest groups, each with its members."""
    groups = list(GroupBuyGroup.objects.filter(activity=activity).order_by("-opened_at", "-pk")[:limit])
    members: dict = {}
    for member in GroupBuyMember.objects.filter(group__in=groups).select_related("customer").order_by("joined_at"):
        members.setdefault(member.group_id, []).append(member)
    for group in groups:
        group.member_rows = members.get(group.pk, [])
    return groups
