"""Demo data for the store itself: settings, the owner, one account per role, announcements."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from shop.models import Announcement
from shop.roles import ADMIN_ROLES, ROLE_RULES
from shop.selectors import store_settings_row

OWNER_USERNAME = "owner"
DEMO_PASSWORD = "houtai-demo-2026"
STAFF = {
    "owner": ("owner", "王店长"),
    "operations": ("yunying", "李运营"),
    "warehouse": ("cangku", "张仓管"),
    "customer_service": ("kefu", "陈客服"),
    "finance": ("caiwu", "刘财务"),
    "marketing": ("yingxiao", "赵营销"),
}


def seed(stdout):
    settings = store_settings_row()
    if settings.name == "Houtai Store":
        settings.name = "后台示范店"
        settings.contact_phone = "021-6288 8888"
        settings.address = "上海市静安区南京西路 1266 号"
        settings.save()
    User = get_user_model()
    for role, (username, name) in STAFF.items():
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff, user.is_superuser = role in ADMIN_ROLES, role == "owner"
            user.save()
        user.groups.add(Group.objects.get(name=role))
    if not Announcement.objects.exists():
        now = timezone.now()
        Announcement.objects.create(
            title="双十二大促备货通知",
            body="12 月 12 日大促，请各仓在 12 月 8 日前完成备货盘点。",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=20),
        )
        Announcement.objects.create(
            title="元旦放假安排", body="1 月 1 日至 3 日客服值班时间 10:00–18:00。", starts_at=now + timedelta(days=25)
        )
    stdout.write(f"store: {settings.name}; staff accounts for {len(ROLE_RULES)} roles (password {DEMO_PASSWORD})")
