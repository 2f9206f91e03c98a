"""The console pages render with the test client: layout, links, local assets only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from circulate.web.pages import DOMAIN_PAGES

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[1] / "static"
PAGES = [
    "web:landing",
    "web:sign-in",
    "web:sign-up",
    "web:sign-out",
    "web:confirm-email",
    "web:reset-password",
    "web:outbox",
    "web:account",
    "web:library",
    "web:library-relations",
    "web:bikes",
    "web:audit",
    "web:partners",
    "web:dealership",
]


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_with_the_layout_and_only_local_assets(name: str) -> None:
    # when
    response = Client().get(reverse(name))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="viewport"' in html
    assert 'id="user-area"' in html
    assert "/static/web/js/layout.js" in html
    external = re.findall(r"""(?:src|href)=["'](https?:)?//""", html)
    assert external == [], f"{name} loads something from another host"
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html):
        assert Client().get(asset).status_code == 200, asset


def test_landing_links_to_console_docs_admin_and_outbox() -> None:
    # when
    html = Client().get("/").content.decode()
    # then
    for link in ["/api/docs/", "/api/redoc/", "/admin/", "/dev/outbox/", "/sign-in/", "/sign-up/"]:
        assert f'href="{link}"' in html
    for page in DOMAIN_PAGES:
        assert f'href="{reverse(page.url_name)}"' in html


def test_navbar_lists_every_domain_page_and_marks_the_current_one() -> None:
    # when
    html = Client().get(reverse("web:library")).content.decode()
    # then
    assert f'<a href="{reverse("web:library")}" aria-current="page">Library</a>' in html
    assert f'href="{reverse("web:library-relations")}"' in html


def test_account_page_has_its_forms_and_is_linked_from_the_navbar_and_landing() -> None:
    # when
    html = Client().get(reverse("web:account")).content.decode()
    landing = Client().get("/").content.decode()
    layout = (STATIC / "web" / "js" / "layout.js").read_text()
    # then the page holds the profile, the password and e-mail forms, the resend button and the log
    assert reverse("web:account") == "/account/"
    assert "/static/web/js/account.js" in html
    for element in ['id="profile-form"', 'id="password-form"', 'id="email-form"', 'id="resend-button"', 'id="api-log"']:
        assert element in html
    # and the signed-in user's name in the navbar, and the landing page, link to it
    assert f'const ACCOUNT_URL = "{reverse("web:account")}";' in layout
    assert 'id: "nav-account"' in layout
    assert f'href="{reverse("web:account")}"' in landing


@override_settings(DEV_OUTBOX_ENABLED=False)
def test_outbox_page_is_gone_when_mail_goes_out_through_smtp() -> None:
    # when
    client = Client()
    outbox = client.get("/dev/outbox/")
    landing = client.get("/").content.decode()
    # then
    assert outbox.status_code == 404
    assert "/dev/outbox/" not in landing


def test_pages_refuse_writes() -> None:
    # when
    response = Client().post(reverse("web:library"))
    # then
    assert response.status_code == 405


def test_every_form_control_has_a_label() -> None:
    # given the pages with forms
    for name in [
        "web:sign-in",
        "web:sign-up",
        "web:reset-password",
        "web:account",
        "web:library",
        "web:library-relations",
        "web:audit",
    ]:
        html = Client().get(reverse(name)).content.decode()
        # when we look at each visible control
        controls = re.findall(r"<(input|select|textarea)\b([^>]*)>", html)
        # then each sits inside a <label> (the hidden id fields need none)
        for tag, attrs in controls:
            if 'type="hidden"' in attrs:
                continue
            before = html.split(f"<{tag}{attrs}>", 1)[0]
            assert before.rfind("<label") > before.rfind("</label>"), f"{name}: <{tag}{attrs}> has no label"


def test_javascript_modules_import_files_that_exist() -> None:
    # given every console module
    modules = sorted((STATIC / "web" / "js").glob("*.js"))
    assert modules
    for module in modules:
        # The SVG namespace is a name, not an address that is fetched.
        source = module.read_text().replace("http://www.w3.org/2000/svg", "")
        # then each relative import names a file that is there, and nothing comes from a CDN
        for target in re.findall(r"""from\s+["'](\.[^"']+)["']""", source):
            assert (module.parent / target).resolve().is_file(), f"{module.name} imports missing {target}"
        assert not re.search(r"""["'`](https?:)?//\w""", source), f"{module.name} names another host"


@pytest.mark.parametrize("url", ["/api/redoc/", "/api/docs/"])
def test_api_docs_pages_load_nothing_from_another_host(url: str) -> None:
    # when
    response = Client().get(url)
    html = response.content.decode()
    # then no script, style, font or preconnect points off the machine
    assert response.status_code == 200
    assert re.findall(r"""(?:src|href)=["'](?:https?:)?//""", html) == []
    assert "fonts.googleapis" not in html
    if url == "/api/docs/":
        assert re.search(r'"validatorUrl":\s*null', html), "Swagger UI's online validator badge is on"
    # and the browser may fetch nothing off the machine (Redoc's bundle hard-codes a logo on a CDN)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "img-src 'self' data: blob:" in response["Content-Security-Policy"]
