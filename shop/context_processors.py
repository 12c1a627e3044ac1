from functools import partial

from django.utils.functional import SimpleLazyObject

from shop import selectors
from shop.navigation import nav_html, sections_for


def backoffice(request):
    """Layout data: store name, navigation, unread notifications, the partial base for htmx. The navigation
    and the unread count are callables the template calls only where it shows them (base.html, once) and the
    store settings are read on first use: an htmx partial answers without any of them."""
    htmx = getattr(request, "htmx", False)
    context = {"base_template": "components/partial.html" if htmx and not htmx.boosted else "base.html"}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context.update(
            store=SimpleLazyObject(selectors.store_settings),
            nav_sections=partial(sections_for, user),
            nav_html=partial(nav_html, request),
            unread_count=partial(selectors.unread_count, user),
        )
    return context
