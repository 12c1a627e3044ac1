from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    nav: list = []  # (url name, label, permission), one block per area

    def ready(self):
        pass  # each area connects its receivers here (reports listens to every module's signals)
