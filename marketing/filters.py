import django_filters
from django.utils.translation import gettext_lazy as _

from marketing.models import FlashSession, GroupBuy
from marketing.models.flash import Schedule, schedule_q
from shop.lists import FilterSet


class ScheduleFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Schedule.choices, method="filter_status", empty_label=_("All")
    )

    def filter_status(self, queryset, name, value):
        return queryset.filter(schedule_q(value)) if value else queryset


class FlashSessionFilter(ScheduleFilter):
    class Meta:
        model = FlashSession
        fields = ["status"]


class GroupBuyFilter(ScheduleFilter):
    class Meta:
        model = GroupBuy
        fields = ["status"]
