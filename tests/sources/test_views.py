import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from events.models import Crisis

pytestmark = pytest.mark.django_db


def test_a_source_page_lists_every_place_citing_it(seed, client, django_assert_max_num_queries):
    # source, then one query each for leads, infobox notes, sections and events
    with django_assert_max_num_queries(7):  # the page, its texts by kind, its Last-Modified
        response = client.get(reverse("sources:detail", args=["eurointegration-2025-07-01"]))
    soup = BeautifulSoup(response.content, "html.parser")
    links = [a["href"] for a in soup.select(".places a")]
    assert "/crises/azerbaijan-russia-2025/#乌克兰" in links
    assert "/crises/azerbaijan-russia-2025/timeline/?page=2025#event-zelensky-aliyev-call" in links
    assert any("信息框" in a.get_text() for a in soup.select(".places a"))
    assert "(乌克兰语)" in soup.select_one(".citation-full").get_text()


def test_a_source_page_hides_unpublished_places(seed, client):
    Crisis.objects.update(state="draft")
    response = client.get(reverse("sources:detail", args=["dw-2025-07-03"]))
    assert BeautifulSoup(response.content, "html.parser").select(".places a") == []
