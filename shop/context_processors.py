from shop import selectors
from shop.navigation import sections_for


def backoffice(request):
    """Layout data: store name, navigation, unread notifications, the partial base for htmx."""
    htmx = getattr(request, "htmx", False)
    context = {"base_template": "components/partial.html" if htmx and not htmx.boosted else "base.html"}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context.update(
            store=selectors.store_settings(),
            nav_sections=sections_for(user),
            unread_count=selectors.unread_count(user),
        )
    return context
