from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from events.services import import_fixtures

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "azerbaijan-russia-2025.json"
SEED_ARTICLE = ROOT / "tests" / "data" / "seed-article.txt"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed(db):
    """The seed crisis, imported the way editors import updates."""
    import_fixtures(files=[(SEED.name, SEED.read_text(encoding="utf-8"))])
    from events.models import Crisis

    return Crisis.objects.get(slug="azerbaijan-russia-2025")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")


def staff_user(django_user_model, username: str, group: str | None = None, perms=()):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def outsider(django_user_model):
    """A staff account with no rights at all."""
    return staff_user(django_user_model, "outsider")


@pytest.fixture
def anonymous_client(client):
    return client
