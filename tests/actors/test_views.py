import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from events.models import Crisis

pytestmark = pytest.mark.django_db


def test_an_actor_page_shows_the_affiliation_chain_roles_and_events(
    seed, client, django_assert_max_num_queries
):
    # actor with three levels of affiliation, participations, event roles, members
    with django_assert_max_num_queries(5):  # the page, its parts, its Last-Modified
        response = client.get(reverse("actors:detail", args=["maria-zakharova"]))
    soup = BeautifulSoup(response.content, "html.parser")
    assert [a.get_text() for a in soup.select(".chain a")] == ["俄罗斯外交部", "俄罗斯"]
    assert "zakharova-statement" in soup.select_one(".actor-events a")["href"]


def test_a_state_lists_its_role_in_the_crisis(seed, client):
    response = client.get(reverse("actors:detail", args=["ukraine"]))
    assert "支持者" in response.content.decode()


def test_an_actor_page_hides_unpublished_crises(seed, client):
    Crisis.objects.update(state="draft")
    response = client.get(reverse("actors:detail", args=["ukraine"]))
    assert seed.title not in response.content.decode()
    assert client.get(reverse("actors:detail", args=["nobody"])).status_code == 404
