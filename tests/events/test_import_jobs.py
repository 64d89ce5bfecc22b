"""Imports at desk scale: bulk writes with one history row each, all or nothing, batches whose
query count does not grow, background jobs with progress, a killed worker, two imports at once."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from actors.models import Actor
from events.models import Crisis, Event, EventActor
from interchange import fixture_import, import_jobs
from interchange.fixture_import import FixtureError, import_fixtures
from interchange.models import ImportJob
from sources.models import Source
from tests.events.test_import import snapshot

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
REDIS_TEST_DB = "redis://127.0.0.1:6379/11"


def generated(count: int, crisis: str = "bulk", prefix: str = "e") -> list[dict]:
    """A crisis with ``count`` events, each citing a new source and linked to an actor."""
    objects = [
        {"model": "events.crisis", "fields": {"slug": crisis, "title": crisis,
                                              "start_date": "2025-01", "state": "draft"}},
        {"model": "actors.actor", "fields": {"slug": f"{crisis}-actor", "name": "Actor"}},
    ]  # fmt: skip
    for n in range(count):
        objects += [
            {"model": "sources.source", "fields": {"key": f"{crisis}-{prefix}-src-{n}",
                                                   "title": f"Source {n}"}},
            {"model": "events.event", "fields": {
                "crisis": [crisis], "slug": f"{prefix}-{n}", "title": f"Event {n}",
                "date": "2025-06-02", "summary": f"It happened.[@{crisis}-{prefix}-src-{n}]"}},
            {"model": "events.eventactor", "fields": {
                "event": [crisis, f"{prefix}-{n}"], "actor": [f"{crisis}-actor"],
                "role": "initiator"}},
        ]  # fmt: skip
    return objects


def run(objects, **options):
    return import_fixtures(files=[("bulk.json", json.dumps(objects))], **options)


def test_every_created_or_changed_object_has_exactly_one_history_row(db, django_user_model):
    desk = django_user_model.objects.create_user("desk")
    objects = generated(300)
    run(objects, reason="Back-fill", user=desk)
    for model in (Source, Event, EventActor, Crisis):
        rows = model.history.filter(history_change_reason="Back-fill", history_user=desk)
        assert rows.count() == model.objects.count() > 0
        assert rows.values("revision_key").distinct().count() == 1
    for obj in objects:
        if obj["model"] == "events.event" and obj["fields"]["slug"] in ("e-3", "e-7"):
            obj["fields"]["title"] += " (corrected)"
    report = run(objects, reason="Corrections", user=desk)
    assert report.counts["events.event"]["changed"] == 2
    corrected = Event.history.filter(history_change_reason="Corrections")
    assert sorted(corrected.values_list("slug", flat=True)) == ["e-3", "e-7"]
    assert Event.history.count() == 302


def test_a_problem_in_the_last_of_5000_objects_leaves_nothing_behind(db):
    objects = [
        {"model": "sources.source", "fields": {"key": f"s-{n}", "title": f"Source {n}"}}
        for n in range(4999)
    ]
    objects.append({"model": "sources.source", "fields": {"key": "last", "published": "2025-13"}})
    before = snapshot()
    with pytest.raises(FixtureError) as error:
        run(objects)
    assert "bulk.json: object 5000 (sources.source ['last'])" in str(error.value)
    assert snapshot() == before
    assert not Source.history.exists()


SAVEPOINT = re.compile(r'"s\d+_x\d+"')
CURSOR = re.compile(r'"_django_curs_\d+_[a-z]+_\d+"')  # PostgreSQL's server-side cursors


def queries_for(count: int, prefix: str) -> Counter:
    """Statements by kind; SQLite splits a bulk INSERT to stay under its 999 parameters."""
    with CaptureQueriesContext(connection) as captured:
        run(generated(count, crisis=f"c{prefix}", prefix=prefix))
    inserts = connection.vendor == "sqlite"
    return Counter(
        "INSERT"
        if inserts and query["sql"].startswith("INSERT")
        else CURSOR.sub("", SAVEPOINT.sub("", query["sql"]))[:80]
        for query in captured
    )


def test_queries_per_batch_do_not_grow_with_the_batch(db):
    queries_for(1, "warm")  # first use: content types, caches
    small, large = queries_for(20, "a"), queries_for(200, "b")
    assert {k: v for k, v in small.items() if k != "INSERT"} == {
        k: v for k, v in large.items() if k != "INSERT"
    }
    if connection.vendor == "sqlite":
        assert large["INSERT"] <= 3 * small["INSERT"]


def test_the_page_cache_is_bumped_once_per_import(db, monkeypatch):
    from events import page_cache as pages

    bumped = []
    monkeypatch.setattr(pages, "_new_version", lambda key: bumped.append(key))
    run(generated(50))
    # New sources and an actor renew every crisis's pages: one new generation, once, and no
    # crisis on its own (the generation covers it) — not one bump per object.
    assert bumped == [pages.GENERATION_KEY]
    bumped.clear()
    run(generated(50), dry_run=True)
    assert bumped == [], "a dry run changes nothing readers see"
    run([{"model": "events.event", "fields": {"crisis": ["bulk"], "slug": f"e-{n}",
          "title": f"Event {n} again", "date": "2025-06-02",
          "summary": f"It happened.[@bulk-e-src-{n}]"}} for n in range(50)])  # fmt: skip
    assert bumped == [pages._version_key("bulk")], "events alone renew their crisis only, once"


@pytest.mark.django_db(transaction=True)
def test_an_import_renews_the_statistics_of_the_tables_it_changed_by_a_tenth(monkeypatch):
    """On PostgreSQL, once an import has committed, the tables it wrote (and their history)
    whose rows changed since they were last vacuumed by ``ANALYZE_AFTER`` rows and a tenth of the
    table are vacuumed and their columns analysed (the search indexes' expressions, costly to
    sample, are left to autovacuum); changes of several imports add up; a dry run and SQLite
    leave the tables alone."""
    monkeypatch.setattr(fixture_import, "ANALYZE_AFTER", 20)
    expressions = {"event_text_bigrams", "event_summary_trgm"}  # indexes on expressions

    def maintenance(objects, **options) -> str:
        with CaptureQueriesContext(connection) as captured:
            run(objects, **options)
        statements = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("VACUUM")]
        assert len(statements) <= 1
        return statements[0] if statements else ""

    def analysed() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT tablename FROM pg_stats WHERE tablename = ANY(%s)",
                           [["events_event", *expressions]])  # fmt: skip
            return {table for (table,) in cursor.fetchall()}

    if connection.vendor != "postgresql":
        assert maintenance(generated(30)) == ""
        return
    assert maintenance(generated(30), dry_run=True) == ""
    tables = [table._meta.db_table for model in (Crisis, Actor, Source, Event, EventActor)
              for table in (model, model.history.model)]  # fmt: skip
    with connection.cursor() as cursor:  # what earlier tests and the dry run changed is left behind
        cursor.execute("SELECT pg_stat_force_next_flush()")  # their counts, not yet sent
        cursor.execute(f"VACUUM {', '.join(tables)}")
    before = analysed()  # statistics of the expressions: none, unless autovacuum made them
    assert maintenance(generated(12, crisis="small", prefix="s")) == ""
    statement = maintenance(generated(12, crisis="small", prefix="t"))  # 24 events in all
    for table in ("events_event", "events_historicalevent", "events_eventactor"):
        assert f'"{table}" ("id", ' in statement  # its columns: not the indexes' expressions
    assert '"events_crisis"' not in statement  # one crisis written: under the threshold
    after = analysed()
    assert "events_event" in after
    assert after & expressions == before & expressions

    monkeypatch.setattr(fixture_import, "ANALYZE_AFTER", 1)  # a tenth of 224 events: 22.4
    assert '"events_event"' in maintenance(generated(200, crisis="large", prefix="l"))
    assert '"events_event"' not in maintenance(generated(20, crisis="large", prefix="m"))
    assert '"events_event"' in maintenance(generated(3, crisis="large", prefix="n"))


# Background jobs --------------------------------------------------------------------------


def upload(client, objects, name="desk.json"):
    content = json.dumps(objects).encode()
    return client.post(
        reverse("admin:events_crisis_import_fixture"),
        {"files": SimpleUploadedFile(name, content, content_type="application/json")},
    )


def test_the_job_page_shows_progress_that_survives_a_reload(db, client, publisher):
    client.force_login(publisher)
    job = ImportJob.objects.create(user=publisher, status=ImportJob.Status.IMPORTING,
                                   files=[{"name": "big.json", "path": "x", "size": 1}])  # fmt: skip
    import_jobs.beat(job, 0, 100_000)
    import_jobs.beat(job, 25_000, 100_000)
    for _reload in range(2):
        response = client.get(reverse("admin:events_crisis_import_job", args=[job.pk]))
        soup = BeautifulSoup(response.content, "html.parser")
        bar = soup.select_one("progress#import-progress")
        assert (bar["value"], bar["max"]) == ("25000", "100000")
        assert "已处理 25000 / 100000 个对象" in soup.select_one(".import-progress").get_text()
        assert soup.select_one('meta[http-equiv="refresh"]') is not None
    assert (
        response["Cache-Control"].startswith("private") or "no-store" in response["Cache-Control"]
    )


def test_the_job_checks_then_imports_and_lists_what_it_did(
    db, client, publisher, django_capture_on_commit_callbacks
):
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, generated(3))
    job_page = response["Location"]
    soup = BeautifulSoup(client.get(job_page).content, "html.parser")
    rows = {row.th.get_text(): [td.get_text() for td in row.select("td")]
            for row in soup.select(".import-summary tbody tr")}  # fmt: skip
    assert rows["events.event"] == ["3", "0", "0"]
    assert not Event.objects.exists(), "checking writes nothing"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_page)
    assert Event.objects.count() == 3
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and job.total == 11
    page = client.get(job_page).content.decode()
    assert "created: events.event bulk / e-0" in page
    assert job.totals() == {"created": 11, "changed": 0, "unchanged": 0}
    desk = BeautifulSoup(client.get("/admin/").content, "html.parser")
    assert "新建 11" in desk.select_one("#desk-imports li").get_text()  # on the desk, counted
    assert not list(Path(settings.IMPORT_ROOT, str(job.pk)).glob("*")), "files are not kept"


def test_only_the_uploader_confirms_and_only_once(
    db, client, publisher, superuser, django_capture_on_commit_callbacks
):
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        job_page = upload(client, generated(1))["Location"]
    client.force_login(superuser)
    assert client.post(job_page).status_code == 403
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_page)
    response = client.post(job_page, follow=True)
    assert "此导入不在等待确认。" in response.content.decode()
    assert Event.objects.count() == 1


@override_settings(IMPORT_STALE_AFTER=5)
def test_a_job_whose_worker_went_silent_is_failed_and_wrote_nothing(db, client, publisher):
    client.force_login(publisher)
    job = ImportJob.objects.create(user=publisher, status=ImportJob.Status.IMPORTING,
                                   files=[{"name": "big.json", "path": "x", "size": 1}])  # fmt: skip
    import_jobs.beat(job, 1000, 5000)
    page = reverse("admin:events_crisis_import_job", args=[job.pk])
    assert "progress" in client.get(page).content.decode()
    from django.core.cache import cache

    value = cache.get(import_jobs.progress_key(job))
    cache.set(import_jobs.progress_key(job), {**value, "beat": time.time() - 6})
    text = client.get(page).content.decode()
    assert "stopped before it finished" in text
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


# A real worker, killed mid-import; two imports at once (PostgreSQL: the tests' database must be
# reachable from another process and another connection) -----------------------------------


def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can reach: PostgreSQL only")


def worker(env_extra: dict) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crisis_tracker.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "REDIS_URL": REDIS_TEST_DB,
        "TASKS_BACKEND": "rq",
        "DJANGO_IMPORT_ROOT": str(settings.IMPORT_ROOT),
        **env_extra,
    }
    command = [sys.executable, "manage.py", "rqworker", "default", "--burst"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def kill_tree(pid: int) -> None:
    for child in children(pid):
        kill_tree(child)
    os.kill(pid, signal.SIGKILL)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_the_database_as_it_was(client, publisher):
    needs_postgres()
    redis_cache = {"BACKEND": "crisis_tracker.cache.SharedRedisCache", "LOCATION": REDIS_TEST_DB,
                   "KEY_PREFIX": "crisis-tracker"}  # fmt: skip
    rq = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queues = {"default": {"URL": REDIS_TEST_DB, "DEFAULT_TIMEOUT": 600}}
    with override_settings(CACHES={"default": redis_cache}, TASKS=rq, RQ_QUEUES=queues,
                           IMPORT_STALE_AFTER=3):  # fmt: skip
        client.force_login(publisher)
        job_page = upload(client, generated(6000))["Location"]
        job = ImportJob.objects.get()
        process = worker({})
        process.wait(timeout=300)  # the check (a dry run) runs to the end
        job.refresh_from_db()
        assert job.status == ImportJob.Status.CHECKED, job.error or job.problems[:3]
        before = snapshot()
        client.post(job_page)
        process = worker({})
        deadline = time.time() + 300
        while import_jobs.progress(job)["done"] < 3000 and time.time() < deadline:
            time.sleep(0.1)
        assert import_jobs.progress(job)["done"] >= 3000, "the import reported its progress"
        kill_tree(process.pid)  # the worker and its work horse (RQ runs each job in a child)
        process.wait()
        time.sleep(4)
        text = client.get(job_page).content.decode()
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED, (job.status, import_jobs.progress(job))
        assert "stopped before it finished" in text
        assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_crisis_at_once_do_not_interleave(monkeypatch):
    needs_postgres()
    run(generated(1, crisis="shared", prefix="seed"))
    first_batch_done = threading.Event()
    finished = []
    original = fixture_import.Importer.write

    def slow_write(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if threading.current_thread().name == "first":
            first_batch_done.set()
            time.sleep(0.2)

    monkeypatch.setattr(fixture_import.Importer, "write", slow_write)

    def importing(prefix):
        try:
            run(generated(400, crisis="shared", prefix=prefix), reason=prefix)
            finished.append((prefix, time.monotonic()))
        finally:
            connection.close()

    first = threading.Thread(target=importing, args=("a",), name="first")
    first.start()
    assert first_batch_done.wait(60)
    second = threading.Thread(target=importing, args=("b",), name="second")
    second.start()
    first.join(120)
    second.join(120)
    assert [prefix for prefix, _at in finished] == ["a", "b"], "the second waited for the first"
    a_rows = Event.history.filter(history_change_reason="a")
    b_rows = Event.history.filter(history_change_reason="b")
    last_a = max(a_rows.values_list("history_date", flat=True))
    first_b = min(b_rows.values_list("history_date", flat=True))
    assert last_a < first_b, "no row of the second import was written before the first committed"
    assert Event.objects.filter(crisis__slug="shared").count() == 801


def test_the_command_shows_progress_as_plain_lines_when_piped(db, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "big.json"
    path.write_text(json.dumps(generated(700)), encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_fixture", str(path), "--system", stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].strip() == "0/2102 objects, 0/s"
    done = [int(line.split()[0].split("/")[0]) for line in lines[1:]]
    assert len(done) >= 2 and done == sorted(done) and done[0] >= 1000 and done[-1] == 2102
    assert "\r" not in err.getvalue()
    assert "Created 2102, changed 0, left 0 unchanged" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_an_rq_worker_checks_imports_and_refuses_as_the_admin_says(client, publisher):
    """The job's path in production: the web process queues, a worker (another process) checks,
    the editor confirms, a worker imports; a hostile file is refused by the worker."""
    needs_postgres()
    import redis

    url = "redis://127.0.0.1:6379/12"  # a queue of this test's own
    redis.Redis.from_url(url).flushdb()
    shared = {"BACKEND": "crisis_tracker.cache.SharedRedisCache", "LOCATION": url,
              "KEY_PREFIX": "crisis-tracker"}  # fmt: skip
    rq = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queues = {"default": {"URL": url, "DEFAULT_TIMEOUT": 600}}
    with override_settings(CACHES={"default": shared}, TASKS=rq, RQ_QUEUES=queues):
        client.force_login(publisher)
        job_page = upload(client, generated(20))["Location"]
        nested = client.post(
            reverse("admin:events_crisis_import_fixture"),
            {"files": SimpleUploadedFile("deep.json", b"[" * 200_000)},
        )["Location"]
        assert set(ImportJob.objects.values_list("status", flat=True)) == {"checking"}
        worker({"REDIS_URL": url}).wait(timeout=300)
        job = ImportJob.objects.get(files__0__name="desk.json")
        assert job.status == ImportJob.Status.CHECKED, job.error or job.problems[:3]
        refused = ImportJob.objects.get(files__0__name="deep.json")
        assert refused.status == ImportJob.Status.REFUSED
        assert "nested deeper than a fixture can be" in client.get(nested).content.decode()
        assert not Path(settings.IMPORT_ROOT, str(refused.pk)).exists()
        client.post(job_page)
        worker({"REDIS_URL": url}).wait(timeout=300)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE and Event.objects.count() == 20
        assert "created: events.event bulk / e-0" in client.get(job_page).content.decode()
    redis.Redis.from_url(url).flushdb()
