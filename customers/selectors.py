from customers.models import Customer, CustomerAddress


def customer_list():
    return Customer.objects.prefetch_related("tags")


def customer_addresses(customer):
    return CustomerAddress.objects.filter(customer=customer).order_by("-is_default", "created_at", "id")


def customer_addresses_all():
    return CustomerAddress.objects.select_related("customer")


# -- CRM: the inbox and the customer's timeline -------------------------------------------------------
def messages():
    """The inbox rows: each message with its customer and assignee."""
    from customers.models import CustomerMessage

    return CustomerMessage.objects.select_related("customer", "assignee")


def message_thread(message):
    """The staff replies of a message, oldest first, with how each was sent."""
    from customers.models import MessageReply

    return (
        MessageReply.objects.filter(message=message).select_related("author", "outbound").order_by("created_at", "id")
    )


def notes():
    from customers.models import InteractionNote

    return InteractionNote.objects.select_related("customer")


TIMELINE_KINDS = ("note", "message", "reply", "text", "tier")


def _timeline_sources(customer):
    """(kind, queryset of this customer's rows) for each source of the timeline, in a fixed rank order."""
    from customers.models import CustomerMessage, InteractionNote, MessageReply, OutboundMessage, TierChange

    return [
        ("note", InteractionNote.objects.filter(customer=customer).select_related("author", "assignee")),
        ("message", CustomerMessage.objects.filter(customer=customer).select_related("assignee")),
        (
            "reply",
            MessageReply.objects.filter(message__customer=customer).select_related("message", "author", "outbound"),
        ),
        # texts that carried a reply are shown with their reply
        ("text", OutboundMessage.objects.filter(customer=customer, reply__isnull=True)),
        ("tier", TierChange.objects.filter(customer=customer).select_related("from_tier", "to_tier")),
    ]


def timeline_cursor(entry) -> str:
    kind, row = entry
    return f"{row.created_at.isoformat()}|{TIMELINE_KINDS.index(kind)}|{row.pk}"


def _parse_cursor(raw):
    from django.utils.dateparse import parse_datetime

    try:
        when, rank, pk = str(raw or "").split("|")
        moment = parse_datetime(when)
        rank, pk = int(rank), int(pk)
    except (ValueError, TypeError):
        return None
    if moment is None or not 0 <= rank < len(TIMELINE_KINDS) or not 0 < pk < 2**63:
        return None
    return moment, rank, pk


def customer_timeline(customer, *, limit=20, before="", kinds=()):
    """(entries, more): the customer's newest `limit` timeline entries [(kind, row)] older than the cursor
    `before`, across notes, messages, replies, texts and tier changes. One query per source, each reading
    at most limit + 1 rows; entries are ordered by (time, source rank, id), newest first."""
    from django.db.models import Q

    cursor = _parse_cursor(before) if before else None
    entries = []
    for rank, (kind, queryset) in enumerate(_timeline_sources(customer)):
        if kinds and kind not in kinds:
            continue
        if cursor is not None:
            moment, cursor_rank, cursor_pk = cursor
            if rank < cursor_rank:
                older = Q(created_at__lte=moment)
            elif rank == cursor_rank:
                older = Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=cursor_pk)
            else:
                older = Q(created_at__lt=moment)
            queryset = queryset.filter(older)
        # (time, rank, id) descending: a row of a lower rank at the cursor's time comes after it
        entries += [(kind, row) for row in queryset.order_by("-created_at", "-pk")[: limit + 1]]
    entries.sort(key=lambda e: (e[1].created_at, TIMELINE_KINDS.index(e[0]), e[1].pk), reverse=True)
    return entries[:limit], len(entries) > limit


def customer_timeline_total(customer) -> int:
    return sum(queryset.order_by().count() for _kind, queryset in _timeline_sources(customer))
