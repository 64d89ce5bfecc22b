from django.urls import path

from crisis_tracker.http_cache import reader_page

from . import feeds, views

app_name = "events"

urlpatterns = [
    path("", views.crisis_list, name="crisis_list"),
    path("feed/", reader_page(feeds.SiteFeed()), name="site_feed"),
    path("search/", views.site_search, name="search"),
    path("crises/<slug:slug>/", views.crisis_detail, name="crisis"),
    path("crises/<slug:slug>/timeline/", views.crisis_timeline, name="timeline"),
    path("crises/<slug:slug>/map.json", views.crisis_map_data, name="map_data"),
    path("crises/<slug:slug>/charts/<slug:chart>.csv", views.crisis_chart_csv, name="chart_csv"),
    path("crises/<slug:slug>/history/", views.crisis_history, name="history"),
    path("crises/<slug:slug>/history/<int:revision_id>/", views.crisis_revision, name="revision"),
    path(
        "crises/<slug:slug>/history/<int:revision_id>/compare/",
        views.crisis_compare,
        name="compare",
    ),
    path("crises/<slug:slug>/feed/", reader_page(feeds.CrisisFeed()), name="feed"),
    path("crises/<slug:slug>/events.json", views.crisis_events_json, name="events_json"),
    path("crises/<slug:slug>/events.csv", views.crisis_events_csv, name="events_csv"),
]
