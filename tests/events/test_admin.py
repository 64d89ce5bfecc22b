import pytest
from django.urls import reverse

from actors.models import Actor, Participation
from events.models import Crisis, Event, EventActor, Section
from places.models import Place
from sources.models import Source
from tests.conftest import form_data

pytestmark = pytest.mark.django_db

MODELS = [Crisis, Section, Event, EventActor, Actor, Participation, Source, Place]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_answers_with_a_bounded_number_of_queries(
    seed, client, superuser, model, django_assert_max_num_queries
):
    client.force_login(superuser)
    # session + user, two counts (paginator and total), the page of rows with its
    # list_select_related joins, and list_filter choices (at most a few per filter).
    with django_assert_max_num_queries(12):
        response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_every_add_and_change_page_answers(seed, client, superuser, model):
    client.force_login(superuser)
    obj = model.objects.first()
    assert client.get(admin_url(model, "add")).status_code == 200
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_an_admin_save_records_the_edit_summary_and_the_user(seed, client, superuser):
    client.force_login(superuser)
    source = Source.objects.get(key="cnn-2020-10-10")
    url = admin_url(Source, "change", source.pk)
    data = form_data(client, url)
    data.update(title="Corrected title", edit_summary="Fixed a typo in the title")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = source.history.latest()
    assert latest.title == "Corrected title"
    assert latest.history_change_reason == "Fixed a typo in the title"
    assert latest.history_user == superuser
