"""The product description is edited in a rich-text editor (Quill, vendored): formatting typed in the
editor is saved and shown again; without JavaScript the plain textarea still works; either way the
HTML is sanitised on save, and the editor breaks no rule of the page's Content-Security-Policy."""

import pytest
from django.contrib.staticfiles import finders

from catalog.forms import ProductForm
from catalog.models import Product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tea(db):
    return Product.objects.create(code="P-TEA", name="龙井茶", description="<p>原来的介绍</p>")


def _csp_errors(page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


@pytest.mark.parametrize("width", [1280, 390])
def test_formatted_text_typed_in_the_editor_is_saved_and_shown(make_staff, login_page, tea, width):
    page = login_page(make_staff("operations").username)
    page.wait_for_url("**/")
    page.set_viewport_size({"width": width, "height": 900})
    errors = _csp_errors(page)
    page.goto(tea.get_absolute_url())
    editor = page.locator("[data-testid=rich-text-editor]")
    assert editor.is_visible()
    assert not page.locator("textarea[name=description]").is_visible()
    assert "原来的介绍" in editor.inner_text()
    page.locator(".ql-toolbar").first.wait_for()
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.press("Control+B")
    page.keyboard.type("明前特级")
    page.keyboard.press("Control+B")
    page.keyboard.type(" 清香 ")
    page.keyboard.press("Control+I")
    page.keyboard.type("回甘")
    page.keyboard.press("Control+I")
    page.keyboard.press("Enter")
    page.locator(".ql-toolbar button.ql-list[value=bullet]").click()
    page.keyboard.type("250 克")
    page.click("[data-testid=save-product]")
    page.wait_for_selector(".messages")
    tea.refresh_from_db()
    assert "<strong>明前特级</strong>" in tea.description
    assert "<em>回甘</em>" in tea.description
    assert "<ul><li>250 克</li></ul>" in tea.description
    assert "&nbsp;" not in tea.description and "原来的介绍" not in tea.description
    page.reload()
    editor = page.locator("[data-testid=rich-text-editor]")
    assert editor.locator("strong").inner_text() == "明前特级"
    assert editor.locator("em").inner_text() == "回甘"
    assert "250 克" in editor.locator("li").inner_text()
    page.screenshot(path=f"/tmp/houtai-rich-text-{width}.png", full_page=True)
    assert errors == []


def test_without_javascript_the_textarea_saves_and_the_sanitiser_removes_scripts(make_staff, browser, live_server, tea):
    from tests.conftest import PASSWORD

    make_staff("operations")
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto("/login/")
    page.fill("input[name=username]", "operations_user")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(tea.get_absolute_url())
    textarea = page.locator("textarea[name=description]")
    assert textarea.is_visible()
    textarea.fill('<p><b>新茶</b><script>alert(1)</script><img src="x" onerror="alert(2)"></p>')
    page.click("[data-testid=save-product]")
    page.wait_for_selector(".messages")
    tea.refresh_from_db()
    assert "<b>新茶</b>" in tea.description
    assert "script" not in tea.description and "onerror" not in tea.description
    context.close()


def test_the_product_form_loads_the_vendored_editor():
    media = str(ProductForm().media)
    assert "vendor/quill/quill.min.js" in media and "catalog/editor.js" in media
    for path in (
        "vendor/quill/quill.min.js",
        "vendor/quill/quill.snow.css",
        "vendor/quill/LICENSE",
        "catalog/editor.js",
    ):
        assert finders.find(path), path
