"""The left navigation: one section per module (shop.models.MODULES).

A module app lists its pages in its AppConfig as `nav = [(url_name, label, permission), ...]`,
so shop never imports a module app.
"""

from django.apps import apps
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from shop.models import MODULES

# The navigation is the same for every request of one set of permissions in one language: built once per
# process for each (permissions, language). The key holds the permissions themselves, so a changed role gets
# a new entry; the pages are declared in code, so nothing else can change it while the process runs.
_BUILT: dict = {}
_HTML: dict = {}
_BUILT_MAX = 256


def _key(user):
    perms = "superuser" if user.is_active and user.is_superuser else frozenset(user.get_all_permissions())
    return (perms, get_language())


def sections_for(user):
    """The modules this user may open, each with the pages their role allows (built once per role and
    language; callers must not change what they get)."""
    key = _key(user)
    sections = _BUILT.get(key)
    if sections is None:
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
        sections = _BUILT[key] = _build(user)
    return sections


def nav_html(request) -> SafeString:
    """The sidebar's links as base.html shows them: the dashboard, then each section with its pages, the page
    shown marked active. Written once per role and language (as `sections_for`); per request only the
    active link is chosen."""
    key = _key(request.user)
    pieces = _HTML.get(key)
    if pieces is None:
        if len(_HTML) >= _BUILT_MAX:
            _HTML.clear()
        pieces = _HTML[key] = _pieces(sections_for(request.user))
    match = request.resolver_match
    path = request.path
    html = [pieces[0][1] if match is not None and match.url_name == "dashboard" else pieces[0][0]]
    html += [p if isinstance(p, str) else p[2] if p[0] == path else p[1] for p in pieces[1:]]
    return mark_safe("".join(html))


def _pieces(sections) -> list:
    """The navigation's HTML in pieces: strings, and per link (url, html, html when active)."""
    url, label = escape(reverse("dashboard")), escape(gettext("Dashboard"))
    pieces: list = [
        (f'<a class="nav-module" href="{url}">{label}</a>', f'<a class="nav-module active" href="{url}">{label}</a>')
    ]
    for section in sections:
        pieces.append(
            f'<div class="nav-section" data-module="{escape(section["code"])}">'
            f'<a class="nav-module" href="{escape(section["url"])}">{escape(section["label"])}</a>'
        )
        for link in section["links"]:
            url, label = escape(link["url"]), escape(link["label"])
            pieces.append(
                (
                    link["url"],
                    f'<a class="nav-link" href="{url}">{label}</a>',
                    f'<a class="nav-link active" href="{url}">{label}</a>',
                )
            )
        pieces.append("</div>")
    return pieces


def _build(user):
    sections = []
    for code, label in MODULES:
        if not user.has_perm(f"shop.access_{code}"):
            continue
        config = next((c for c in apps.get_app_configs() if c.label == code), None)
        entries = getattr(config, "nav", None) or (SETTINGS_NAV if code == "settings" else [])
        links = [
            {"url": reverse(name), "label": str(text), "name": name}
            for name, text, perm in entries
            if perm is None or user.has_perm(perm)
        ]
        sections.append(
            {
                "code": code,
                "label": str(label),
                "links": links,
                "url": links[0]["url"] if links else reverse("module_home", args=[code]),
            }
        )
    return sections


def _settings_nav():
    from django.utils.translation import gettext_lazy as _

    return [
        ("store_settings", _("Store settings"), "shop.change_storesettings"),
        ("announcement_list", _("Announcements"), "shop.view_announcement"),
        ("staff_list", _("Staff and roles"), "auth.view_user"),
        ("audit_list", _("Audit log"), "shop.view_auditentry"),
        ("apikey_list", _("API keys"), "shop.view_apikey"),
    ]


SETTINGS_NAV = _settings_nav()
