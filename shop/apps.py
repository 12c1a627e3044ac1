from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Store")

    def ready(self):
        from shop import lookups, outbox  # noqa: F401  (outbox: the worker marks the tasks it ran as done)
        from shop.cached import drop_on_change
        from shop.models import StoreSettings
        from shop.roles import sync_roles
        from shop.selectors import STORE_SETTINGS_KEY

        drop_on_change(STORE_SETTINGS_KEY, StoreSettings)
        lookups.register()  # integer `in` lookups drop out-of-range values (a request's huge id)
        from django.contrib.auth.signals import user_logged_in

        from shop.middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="shop.start_session_clock")

        # Later modules add permissions in their own migrations; keep the roles complete.
        post_migrate.connect(lambda **kw: sync_roles(), dispatch_uid="shop.sync_roles", weak=False)
