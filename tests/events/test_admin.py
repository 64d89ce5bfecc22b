import pytest
from bs4 import BeautifulSoup
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
    seed, client, publisher, model, django_assert_max_num_queries
):
    client.force_login(publisher)
    # session + user, the user's and the group's permissions, two counts (paginator and total),
    # the page of rows with its list_select_related joins, and list_filter choices (at most a
    # few per filter).
    with django_assert_max_num_queries(14):
        response = client.get(admin_url(model, "changelist"))
    rows = BeautifulSoup(response.content, "html.parser").select("#result_list tbody tr")
    assert len(rows) == min(model.objects.count(), 100)


@pytest.mark.parametrize("model", MODELS)
def test_every_add_and_change_page_shows_a_publisher_the_entry(seed, client, publisher, model):
    client.force_login(publisher)
    obj = model.objects.first()
    add = BeautifulSoup(client.get(admin_url(model, "add")).content, "html.parser")
    assert add.select_one('#content-main form [name="edit_summary"]') is not None
    change = BeautifulSoup(client.get(admin_url(model, "change", obj.pk)).content, "html.parser")
    assert str(obj)[:40] in change.select_one(".breadcrumbs").get_text()
    assert change.select_one('#content-main form [name="edit_summary"]') is not None
    history = client.get(admin_url(model, "history", obj.pk)).content.decode()
    assert "Imported from azerbaijan-russia-2025.json" in history  # the seed's edit summary


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
