"""Simplified Chinese formats as Chinese shops write money: ¥14,210.00 (groups of three with commas),
not Django's default for zh-Hans (groups of four, no separator)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
