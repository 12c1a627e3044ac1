from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = _("Marketing")
    nav = [
        ("marketing:flash_session_list", _("Flash sales"), "marketing.view_flashsession"),
        ("marketing:group_buy_list", _("Group buys"), "marketing.view_groupbuy"),
    ]
