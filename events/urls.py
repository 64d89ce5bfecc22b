from django.urls import path

from crisis_tracker.http_cache import reader_page

from . import feeds
from .views import assessments, data, history, pages
from .views import search as search_page

app_name = "events"

urlpatterns = [
    path("", pages.crisis_list, name="crisis_list"),
    path("feed/", reader_page(feeds.SiteFeed()), name="site_feed"),
    path("search/", search_page.site_search, name="search"),
    path("crises/<slug:slug>/", pages.crisis_detail, name="crisis"),
    path("crises/<slug:slug>/timeline/", pages.crisis_timeline, name="timeline"),
    path("crises/<slug:slug>/map.json", data.crisis_map_data, name="map_data"),
    path("crises/<slug:slug>/charts/<slug:chart>.csv", data.crisis_chart_csv, name="chart_csv"),
    path("crises/<slug:slug>/assessments/", assessments.crisis_assessments, name="assessments"),
    path("tracker/feed/", reader_page(feeds.AssessmentFeed()), name="tracker_feed"),
    path("tracker/<str:month>/", assessments.tracker, name="tracker"),
    path(
        "crises/<slug:slug>/assessments/feed/",
        reader_page(feeds.AssessmentFeed()),
        name="assessments_feed",
    ),
    path("crises/<slug:slug>/history/", history.crisis_history, name="history"),
    path("crises/<slug:slug>/history/<int:revision_id>/", history.crisis_revision, name="revision"),
    path(
        "crises/<slug:slug>/history/<int:revision_id>/compare/",
        history.crisis_compare,
        name="compare",
    ),
    path("crises/<slug:slug>/feed/", reader_page(feeds.CrisisFeed()), name="feed"),
    path("crises/<slug:slug>/events.json", data.crisis_events_json, name="events_json"),
    path("crises/<slug:slug>/events.csv", data.crisis_events_csv, name="events_csv"),
]
