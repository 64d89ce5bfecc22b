import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import Client
from django.urls import reverse
from PIL import Image

from events.models import Crisis, Section
from events.page_cache import bump_all
from interchange.fixture_export import export_crisis
from interchange.fixture_import import import_fixtures
from tests.conftest import form_data

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SLUG = "azerbaijan-russia-2025"


def test_the_deploy_check_is_clean_in_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 60 + "-production-like-secret-key",
        DJANGO_ALLOWED_HOSTS="tracker.example.org",
    )
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_page_sends_the_security_headers(seed, client):
    for url in [reverse("events:crisis", args=[SLUG]), reverse("admin:login")]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        )
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_public_pages_have_no_inline_script(seed, client):
    html = client.get(reverse("events:crisis", args=[SLUG])).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)


def login(client, password):
    return client.post(
        reverse("admin:login"),
        {"username": "publisher", "password": password, "next": reverse("admin:index")},
    )


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(publisher, caplog):
    publisher.set_password("right-password")
    publisher.save()
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _attempt in range(5):
        response = login(client, "wrong")
        assert response.status_code in (200, 429)
    with caplog.at_level(logging.WARNING, logger="axes"):
        response = login(client, "right-password")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert any("lock" in record.getMessage().lower() for record in caplog.records)
    other_address = Client(REMOTE_ADDR="198.51.100.7")
    assert login(other_address, "right-password").status_code == 302


def test_a_right_password_before_the_limit_still_works(publisher):
    publisher.set_password("right-password")
    publisher.save()
    client = Client(REMOTE_ADDR="203.0.113.10")
    for _attempt in range(4):
        login(client, "wrong")
    assert login(client, "right-password").status_code == 302


def test_state_changing_views_refuse_posts_without_a_csrf_token(seed, publisher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(publisher)
    section = Section.objects.get(key="联合国")
    posts = [
        reverse("set_language"),
        reverse("admin:events_section_change", args=[section.pk]),
        reverse("admin:events_event_changelist"),
        reverse("admin:events_crisis_import_fixture"),
        reverse("admin:events_event_import"),
        reverse("admin:events_event_process_import"),
        reverse("admin:events_section_delete", args=[section.pk]),
        reverse("admin:logout"),
    ]
    for url in posts:
        assert client.post(url, {"language": "en"}).status_code == 403, url
    assert Client(enforce_csrf_checks=True).post(reverse("admin:login"), {}).status_code == 403


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_next_only_redirects_within_the_site(seed, client, publisher, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert not response["Location"].startswith("javascript")
    publisher.set_password("pw-pw-pw-pw")
    publisher.save()
    response = client.post(
        reverse("admin:login") + f"?next={target}",
        {"username": "publisher", "password": "pw-pw-pw-pw", "next": target},
    )
    assert response.status_code == 302 and "evil" not in response["Location"]


def test_no_form_exposes_every_model_field():
    offenders = []
    for path in (
        list((ROOT).glob("*/forms.py"))
        + list(ROOT.glob("*/admin.py"))
        + list((ROOT / "crisis_tracker" / "editorial").glob("*.py"))
    ):
        if "__all__" in path.read_text(encoding="utf-8"):
            offenders.append(str(path))
    assert offenders == []


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "navy").save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def upload_map(client, crisis, name, content):
    url = reverse("admin:events_crisis_change", args=[crisis.pk])
    data = form_data(client, url)
    data.pop("map_image", None)
    data["edit_summary"] = "Map"
    upload = io.BytesIO(content)
    upload.name = name
    data["map_image"] = upload
    return client.post(url, data)


@pytest.mark.parametrize(
    ("name", "fmt"), [("map.png", "PNG"), ("map.jpg", "JPEG"), ("map.webp", "WEBP")]
)
def test_real_images_are_accepted_and_served_with_nosniff(
    seed, client, publisher, media_root, name, fmt
):
    client.force_login(publisher)
    assert upload_map(client, seed, name, image_bytes(fmt)).status_code == 302
    seed.refresh_from_db()
    assert FileSystemStorage(location=media_root).exists(seed.map_image.name)
    response = client.get("/media/" + seed.map_image.name)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("image/")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("map.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("map.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("map.png", b"<html><script>alert(1)</script></html>"),
        ("map.gif", b"GIF89a" + b"\x00" * 20),
        ("map.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (6 * 1024 * 1024)),
    ],
)
def test_other_uploads_are_refused(seed, client, publisher, media_root, name, content):
    client.force_login(publisher)
    response = upload_map(client, seed, name, content)
    assert response.status_code == 200
    assert "map_image" in response.context["adminform"].form.errors
    seed.refresh_from_db()
    assert not seed.map_image


def article_body(client) -> str:
    bump_all()
    html = client.get(reverse("events:crisis", args=[SLUG])).content.decode()
    body = html[html.index('<article class="article"') : html.index("</article>")]
    return re.sub(r'<p class="article-meta".*?</p>', "", body, flags=re.S)


def test_an_exported_crisis_restores_to_the_same_article(seed, client):
    before = article_body(client)
    exported = export_crisis(seed)
    from actors.models import Actor
    from sources.models import Source

    Crisis.objects.all().delete()
    Actor.objects.all().delete()
    Source.objects.all().delete()
    assert client.get(reverse("events:crisis", args=[SLUG])).status_code == 404
    import_fixtures(files=[("backup.json", exported)])
    assert article_body(client) == before
