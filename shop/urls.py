import importlib.util

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from shop import views
from shop.api import api
from shop.api import not_found as api_not_found
from shop.forms_auth import LoginForm
from shop.models import MODULE_APPS

admin.site.site_header = _("Houtai operator admin")

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(success_url="/password/done/"), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("modules/<slug:module>/", views.module_home, name="module_home"),
    path("settings/", views.store_settings, name="store_settings"),
    path("settings/staff/", views.staff_list, name="staff_list"),
    path("settings/staff/new/", views.staff_create, name="staff_create"),
    path("settings/staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("settings/staff/<int:pk>/password/", views.staff_password, name="staff_password"),
    path("settings/announcements/", views.announcement_list, name="announcement_list"),
    path("settings/announcements/new/", views.announcement_create, name="announcement_create"),
    path("settings/announcements/<int:pk>/", views.announcement_edit, name="announcement_edit"),
    path("settings/announcements/<int:pk>/delete/", views.announcement_delete, name="announcement_delete"),
    path("settings/audit/", views.audit_list, name="audit_list"),
    path("settings/api-keys/", views.apikey_list, name="apikey_list"),
    path("settings/api-keys/<int:pk>/revoke/", views.apikey_revoke, name="apikey_revoke"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("jobs/<int:pk>/", views.jobrun_detail, name="jobrun_detail"),
    path("jobs/<int:pk>/download/", views.jobrun_download, name="jobrun_download"),
    # Any path under /api/v1/ that no endpoint serves answers 404 in the API's error format: the root
    # (ninja's own root view only raises Http404 and is still there for reversing), and after the API's
    # URLs every other path.
    path("api/v1/", api_not_found),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", api_not_found),
    path("admin/", admin.site.urls),
]

# Each module app with pages has a urls.py; it is mounted at /<label>/.
for label in MODULE_APPS:
    if importlib.util.find_spec(f"{label}.urls"):
        urlpatterns.append(path(f"{label}/", include(f"{label}.urls")))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "shop.views.permission_denied"
handler404 = "shop.views.page_not_found"
handler500 = "shop.views.server_error"
