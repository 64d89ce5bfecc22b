"""A database made before the desk's and the imports' models moved to their own apps migrates
in place: built and filled by the code of the commit before the move (seed, a July-style desk
update, review comments, an import job, a preview link, watchers), then migrated by this code,
it serves byte-identical reader pages and keeps the same history, permissions and desk rows."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BEFORE_THE_MOVE = "3193e7416c27eac506c92d009a7f1a60a976f973"
SEED = "fixtures/azerbaijan-russia-2025.json"
CRISIS = "azerbaijan-russia-2025"

UPDATE = [
    {"model": "sources.source", "fields": {
        "key": "desk-2025-07-01", "title": "Desk wire 1", "work": "Desk wire",
        "published": "2025-07-01", "language": "en"}},
    {"model": "actors.actor", "fields": {"slug": "desk-actor", "name": "测试方", "kind": "person"}},
    *[{"model": "events.event", "fields": {
        "crisis": [CRISIS], "slug": f"desk-july-{n}", "title": f"七月第{n}号通报",
        "date": f"2025-07-{10 + n}", "date_precision": "day", "kind": "statement",
        "summary": "外交部发布通报。[@desk-2025-07-01]", "no_place_reason": "通报未说明地点",
        "state": "published"}} for n in range(3)],
    {"model": "events.eventactor", "fields": {
        "event": [CRISIS, "desk-july-0"], "actor": ["desk-actor"], "role": "speaker"}},
    {"model": "events.event", "fields": {
        "crisis": [CRISIS], "slug": "agalarov-case", "verification": "confirmed"}},
]  # fmt: skip

# Run by the code before the move (its module names): people, review comments, an import job,
# a preview link and a watcher, as the desk leaves them.
FILL = """
import datetime
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from events.models import (Crisis, CrisisWatch, Event, ImportJob, NotificationSettings,
                           PreviewLink, ReviewComment)
editor = User.objects.create_user("editor", "ed@example.org", "x", is_staff=True)
editor.groups.add(Group.objects.get(name="Editors"))
publisher = User.objects.create_user("publisher", "pub@example.org", "x", is_staff=True)
publisher.groups.add(Group.objects.get(name="Publishers"))
crisis = Crisis.objects.get()
event = Event.objects.get(slug="desk-july-1")
when = datetime.datetime(2025, 7, 20, 9, 0, tzinfo=datetime.timezone.utc)
for step, user, text in [("submitted", editor, "请审核"), ("sent_back", publisher, "补充来源")]:
    ReviewComment.objects.create(
        content_type=ContentType.objects.get_for_model(Event), object_id=event.pk,
        crisis=crisis, step=step, text=text, user=user, created_at=when)
ImportJob.objects.create(user=editor, reason="七月更新", status="done", kind="fixture",
                         files=[{"name": "july.json", "path": "", "size": 10}],
                         result={"counts": {"events.event": {"created": 3}}})
NotificationSettings.objects.create(user=publisher, published=False)
CrisisWatch.objects.create(user=publisher, crisis=crisis)
link = PreviewLink.objects.create(crisis=crisis, note="legal desk", created_by=publisher,
                                  expires_at=timezone.now() + datetime.timedelta(days=3650))
print(link.token())
"""

# Run by both: what readers are served and what the database keeps.
DUMP = """
import hashlib, json, os, re
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

def model(name):
    for label in ("desk", "interchange", "events"):
        try:
            return apps.get_model(label, name)
        except LookupError:
            pass

client = Client(HTTP_HOST="localhost")
crisis, token = os.environ["MIGRATED_CRISIS"], os.environ["MIGRATED_PREVIEW"]
paths = [f"/crises/{crisis}/", f"/crises/{crisis}/timeline/",
         f"/crises/{crisis}/timeline/?page=2025-07", f"/crises/{crisis}/history/",
         f"/crises/{crisis}/feed/", f"/crises/{crisis}/events.json",
         "/actors/desk-actor/", "/sources/desk-2025-07-01/", "/feed/",
         f"/preview/{token}/", f"/preview/{token}/map.json"]
pages = {}
for path in paths:
    response = client.get(path)
    # hreflang alternates name only the languages a crisis reads in since editions came
    content = re.sub(rb'<link rel="alternate" hreflang="[^"]*" href="[^"]*">\\s*', b"",
                     response.content)
    pages[path] = [response.status_code, hashlib.sha256(content).hexdigest()]
# Pages changed on purpose since the move are compared by their answer only: the preview link's
# timeline (its map address is no longer rewritten: map.js asks through the link), the
# front page (its map, latest events and assessments), the English article (it says there
# is no English edition yet) and the API's events (each states the language of its texts).
for path in (f"/preview/{token}/timeline/", "/", f"/en/crises/{crisis}/",
             "/api/v1/events/?page_size=100"):
    pages[path] = [client.get(path).status_code]
revisions = apps.get_model(settings.REVISION_MODEL).objects.order_by("pk")
history = {m._meta.label: m.history.count() for m in apps.get_models() if hasattr(m, "history")}
rows = {
    "ReviewComment": list(model("ReviewComment").objects.order_by("pk").values_list(
        "content_type__model", "object_id", "step", "text", "user__username")),
    "ImportJob": list(model("ImportJob").objects.values_list("status", "reason", "files")),
    "PreviewLink": list(model("PreviewLink").objects.values_list("key", "note")),
    "CrisisWatch": list(model("CrisisWatch").objects.values_list("user__username", "crisis__slug")),
    "NotificationSettings": list(model("NotificationSettings").objects.values_list(
        "user__username", "published")),
}
groups = {g.name: sorted(g.permissions.values_list("codename", flat=True))
          for g in Group.objects.order_by("name")}
print(json.dumps({"pages": pages, "history": history, "groups": groups,
                  "revisions": [[str(r.key), r.summary] for r in revisions],
                  "rows": rows}, default=str, sort_keys=True))
"""


def before_codenames(before: dict, group: str) -> set[str]:
    """The permissions a group had before (models added since bring their own)."""
    return set(before["groups"].get(group, []))


def manage(tree: Path, env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{' '.join(args[:2])} in {tree}:\n{done.stderr[-3000:]}"
    return done.stdout


def checkout_before_the_move(target: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the project's git history")
    known = subprocess.run(
        ["git", "cat-file", "-e", f"{BEFORE_THE_MOVE}^{{commit}}"], cwd=ROOT, capture_output=True
    )
    if known.returncode != 0:
        pytest.skip("the commit before the move is not in this clone (a shallow clone?)")
    archive = subprocess.run(
        ["git", "archive", BEFORE_THE_MOVE], cwd=ROOT, capture_output=True, check=True
    )
    target.mkdir()
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)


def test_a_database_of_the_commit_before_the_move_migrates_in_place(tmp_path):
    old = tmp_path / "before"
    checkout_before_the_move(old)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_DEBUG": "1",
        "DJANGO_IMPORT_ROOT": str(tmp_path / "imports"),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("REDIS_URL", None)  # each process its own memory cache: nothing carried over
    env.pop("DJANGO_SETTINGS_MODULE", None)
    update = tmp_path / "july.json"
    update.write_text(json.dumps(UPDATE, ensure_ascii=False), encoding="utf-8")

    manage(old, env, "migrate", "--no-input", "-v0")
    manage(old, env, "import_fixture", SEED, "--system")
    manage(old, env, "import_fixture", str(update), "--system", "--reason", "七月更新")
    token = manage(old, env, "shell", "-c", FILL).strip().splitlines()[-1]
    env |= {"MIGRATED_CRISIS": CRISIS, "MIGRATED_PREVIEW": token}
    before = json.loads(manage(old, env, "shell", "-c", DUMP).splitlines()[-1])

    manage(ROOT, env, "migrate", "--no-input", "-v0")
    after = json.loads(manage(ROOT, env, "shell", "-c", DUMP).splitlines()[-1])
    manage(ROOT, env, "makemigrations", "--check", "--dry-run")

    statuses = {path: answer[0] for path, answer in before["pages"].items()}
    assert set(statuses.values()) == {200}, statuses  # every page was really served
    assert before["rows"]["ReviewComment"] and before["revisions"]  # something to keep
    added = set(after["history"]) - set(before["history"])  # models made since: empty
    assert {label: after["history"].pop(label) for label in added} == dict.fromkeys(added, 0)
    groups_after = {name: [c for c in codenames if c in before_codenames(before, name)]
                    for name, codenames in after["groups"].items()}  # fmt: skip
    assert groups_after == before["groups"]
    for part in ("pages", "history", "revisions", "rows"):
        assert after[part] == before[part], part
