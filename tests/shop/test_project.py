"""Project-wide rules: the module dependency graph of DESIGN §1 and a clean deploy check."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from payments.gateways import PROVIDERS

ROOT = Path(settings.BASE_DIR)
ALLOWED = {  # DESIGN §1: what each module may import (transitively closed below)
    "shop": set(),
    "catalog": {"shop"},
    "customers": {"shop", "catalog"},
    "inventory": {"shop", "catalog"},
    "marketing": {"shop", "catalog", "customers"},
    "orders": {"shop", "catalog", "customers", "inventory", "marketing"},
    "payments": {"shop", "orders"},
    "aftersales": {"shop", "orders", "payments", "inventory"},
    "reports": set(),  # reads every module
}


def _closure(module, seen=None):
    seen = set() if seen is None else seen
    for dep in ALLOWED[module]:
        if dep not in seen:
            seen.add(dep)
            _closure(dep, seen)
    return seen


def _references(path):
    """Module apps a Python file imports or names in a string model reference ("orders.Order")."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.count(".") == 1:
            app, model = node.value.split(".")
            if app in ALLOWED and model[:1].isupper():
                found.add(app)
    return found & set(ALLOWED)


@pytest.mark.parametrize("module", sorted(set(ALLOWED) - {"reports"}))
def test_modules_import_only_what_design_allows(module):
    allowed = _closure(module) | {module}
    offenders = []
    for path in (ROOT / module).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        bad = _references(path) - allowed
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} -> {sorted(bad)}")
    assert offenders == []


def test_check_deploy_is_clean_when_configured_for_production():
    test_only = (
        "DEBUG",
        "DJANGO_SETTINGS_MODULE",
        "SECURE_SSL_REDIRECT",
        "SECURE_COOKIES",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings",
        SECRET_KEY="x" * 30 + "-production-secret-with-entropy-9f8e7d6c",
        ALLOWED_HOSTS="shop.example.com",
        **{f"PAYMENT_SECRET_{code.upper()}": f"provider-issued-{code}-secret-0123456789" for code in PROVIDERS},
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_web_server_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(
        [sys.executable, "-c", "import shop.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_readme_only_points_at_files_a_clone_has():
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", readme) + re.findall(r"`([^`\s]*/[^`\s/]+\.[a-z]+)`", readme)
    paths = [
        (ROOT / link).resolve() for link in links if "://" not in link and not link.startswith("/") and "<" not in link
    ]
    assert paths, "the README names at least shop/settings.py"
    assert [p for p in paths if not p.is_relative_to(ROOT) or not p.exists()] == []
    assert "DESIGN" not in readme  # the design notes live outside the repository; the README stands alone


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout")
def test_build_metadata_and_sqlite_side_files_are_ignored():
    for path in ("houtai.egg-info/PKG-INFO", "db.sqlite3-wal", "db.sqlite3-shm"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, path
