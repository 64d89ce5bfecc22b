"""Fixture imports from the admin as background jobs on the task queue (django-tasks).

An upload becomes an ``ImportJob`` whose files are kept in private storage (``IMPORT_ROOT``,
never served). A first task checks the files (a dry run) and keeps the report; once an editor
confirms, a second task imports them. A file holding entries that wait for a publisher (an
editor's update marked published) is *submitted* instead: nothing is written until a publisher
approves it, and it is then imported in the publisher's name, as one revision; or the publisher
sends it back with a comment. Both run on a worker (``manage.py rqworker`` with the RQ
backend) or, with the immediate backend of ``make run`` and the tests, at once.

While a task runs it writes its progress (objects done and total, start and last beat) to the
shared cache after every thousand objects, so any web process can show it. A job that stops
beating for ``IMPORT_STALE_AFTER`` seconds lost its worker: the import is one transaction, so
nothing was written, and the job is marked failed.
"""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.dispatch import Signal, receiver
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from crisis_tracker.history import reason_problem
from crisis_tracker.publication import may_publish
from crisis_tracker.spreadsheets import spreadsheet_imported
from events.models import ENTRY_MODELS
from events.page_cache import CACHE_ERRORS

from .fixture_import import FixtureError, import_fixtures
from .models import ImportJob

Status = ImportJob.Status
PREVIEW_DETAILS = 500  # changes kept field by field in a job's report
PROBLEMS_KEPT = 1000


class ImportStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = FileSystemStorage(location=settings.IMPORT_ROOT)


storage = ImportStorage()

# Sent once the change commits: a submission waits for a publisher (``job_submitted``), or a
# publisher imported or sent it back (``job_reviewed``). The desk tells the people concerned.
job_submitted = Signal()  # job
job_reviewed = Signal()  # job


def start(*, uploads, reason: str, user) -> ImportJob:
    """Keep the uploaded files and queue their check."""
    job = ImportJob(user=user, reason=reason, status=Status.CHECKING)
    job.files = [
        {
            "name": Path(upload.name).name,
            "path": storage.save(f"{job.pk}/{Path(upload.name).name}", upload),
            "size": upload.size,
        }
        for upload in uploads
    ]
    job.save()
    beat(job, 0, 0)
    transaction.on_commit(lambda: check_import.enqueue(str(job.pk)))
    return job


def is_submission(job: ImportJob) -> bool:
    """Whether a checked job holds entries that wait for a publisher (see
    ``publication.waits_for_publisher``): its uploader submits it rather than imports it."""
    return bool(job.preview.get("for_review"))


def seen_by(user):
    """The imports a user may see (their page, files and report): their own, or every one for
    those who may publish what imports hold."""
    if user.is_superuser or any(may_publish(user, model) for model in ENTRY_MODELS):
        return ImportJob.objects.all()
    return ImportJob.objects.filter(user=user)


def may_approve(user) -> bool:
    """Approving a submission imports it in the approver's name: it needs every publish right."""
    return all(may_publish(user, model) for model in ENTRY_MODELS)


def submit_files(*, paths: list[Path], reason: str, user) -> ImportJob:
    """Check files given on the command line as ``user`` and submit them for review, as the
    admin's upload and confirm do. Raises FixtureError for a file that would be refused, and
    ValueError when nothing in it waits for a publisher (it can simply be imported)."""
    files = [(path.name, path) for path in paths]
    report = import_fixtures(
        files=files, reason=reason or None, user=user, dry_run=True, details=PREVIEW_DETAILS
    )
    if not report.for_review:
        raise ValueError("nothing in these files waits for a publisher: import them as they are")
    job = ImportJob(user=user, reason=reason, status=Status.CHECKED, total=report.total)
    job.preview = report.as_json()
    job.files = []
    for path in paths:
        with path.open("rb") as stream:
            stored = storage.save(f"{job.pk}/{path.name}", File(stream, name=path.name))
        job.files.append({"name": path.name, "path": stored, "size": path.stat().st_size})
    job.save()
    submit(job)
    return job


def confirm(job: ImportJob) -> bool:
    """Queue the import of a checked job, or submit it for review when it holds entries that
    wait for a publisher; False if it is not waiting for confirmation."""
    if is_submission(job):
        return submit(job)
    changed = ImportJob.objects.filter(pk=job.pk, status=Status.CHECKED).update(
        status=Status.IMPORTING
    )
    if not changed:
        return False
    queue_import(job)
    return True


def submit(job: ImportJob) -> bool:
    """A checked job waits for a publisher, its files kept; publishers are told."""
    changed = ImportJob.objects.filter(pk=job.pk, status=Status.CHECKED).update(
        status=Status.SUBMITTED
    )
    if changed:
        job.refresh_from_db()
        transaction.on_commit(lambda: job_submitted.send(ImportJob, job=job), robust=True)
    return bool(changed)


def approve(job: ImportJob, user, summary: str = "") -> bool:
    """A publisher approves a submission: it is imported in their name, as one revision whose
    edit summary is ``summary`` or the editor's. False if it is not waiting for approval."""
    if not may_approve(user):
        raise PermissionDenied
    reason = " ".join(summary.split()) or job.reason
    if reason_problem(reason or None):
        raise ValidationError(reason_problem(reason))
    changed = ImportJob.objects.filter(pk=job.pk, status=Status.SUBMITTED).update(
        status=Status.IMPORTING, reviewed_by=user, reason=reason
    )
    if changed:
        job.refresh_from_db()
        queue_import(job)
    return bool(changed)


def send_back(job: ImportJob, user, comment: str) -> bool:
    """A publisher sends a submission back with a comment: nothing is imported, the files
    are deleted and the editor is told. False if it is not waiting for approval."""
    if not may_approve(user):
        raise PermissionDenied
    comment = comment.strip()
    if not comment:
        raise ValidationError(_("Say what needs changing: this step needs a comment."))
    changed = ImportJob.objects.filter(pk=job.pk, status=Status.SUBMITTED).update(
        status=Status.SENT_BACK, reviewed_by=user, review_comment=comment
    )
    if changed:
        job.refresh_from_db()
        delete_files(job)
        transaction.on_commit(lambda: job_reviewed.send(ImportJob, job=job), robust=True)
    return bool(changed)


def queue_import(job: ImportJob) -> None:
    beat(job, 0, job.total)
    transaction.on_commit(lambda: run_import.enqueue(str(job.pk)))


@task()
def check_import(job_id: str) -> None:
    run(job_id, dry_run=True)


@task()
def run_import(job_id: str) -> None:
    run(job_id, dry_run=False)


def run(job_id: str, *, dry_run: bool) -> None:
    job = ImportJob.objects.select_related("user", "reviewed_by").get(pk=job_id)
    files = [(item["name"], storage.open(item["path"], "rb")) for item in job.files]
    try:
        report = import_fixtures(
            files=files,
            reason=job.reason or None,
            user=job.reviewed_by or job.user,  # an approved submission: its publisher
            dry_run=dry_run,
            details=PREVIEW_DETAILS,
            progress=lambda done, total: beat(job, done, total),
        )
    except FixtureError as error:
        job.problems = [problem.as_json() for problem in error.problems[:PROBLEMS_KEPT]]
        job.status = Status.REFUSED
        job.save()
        return
    except Exception as error:
        job.status, job.error = Status.FAILED, f"{type(error).__name__}: {error}"
        job.save()
        raise
    finally:
        for _name, stream in files:
            stream.close()
        if not (dry_run and job.status == Status.CHECKING):  # only a checked job waits for them
            delete_files(job)
    job.total = report.total
    if dry_run:
        job.preview, job.status = report.as_json(), Status.CHECKED
    else:
        job.result, job.status = report.as_json(), Status.DONE
    job.save()
    if job.reviewed_by_id and not dry_run:
        transaction.on_commit(lambda: job_reviewed.send(ImportJob, job=job), robust=True)


def delete_files(job: ImportJob) -> None:
    for item in job.files:
        if item.get("path"):
            storage.delete(item["path"])
    folder = Path(settings.IMPORT_ROOT, str(job.pk))
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def expire_uploads(now: float | None = None) -> int:
    """Delete the uploads that no job waits for: those of jobs done with them (refused, failed
    — a worker that died never cleaned up — or imported), of deleted jobs, and of checked jobs
    left unconfirmed for ``IMPORT_KEEP_SECONDS`` (these then fail: there is nothing left to
    confirm). Returns how many jobs' folders were deleted."""
    root = Path(settings.IMPORT_ROOT)
    folders = {p.name: p for p in root.iterdir() if p.is_dir()} if root.is_dir() else {}
    if not folders:
        return 0
    now = now or time.time()
    jobs = {str(job.pk): job for job in ImportJob.objects.filter(pk__in=valid_ids(folders))}
    expired = 0
    for name, folder in folders.items():
        job = jobs.get(name)
        if job is not None and (job.running or job.status == Status.SUBMITTED):
            continue  # a submission's files wait for its publisher
        if job is not None and job.status == Status.CHECKED:
            if now - job.updated_at.timestamp() < settings.IMPORT_KEEP_SECONDS:
                continue
            job.status, job.error = Status.FAILED, EXPIRED
            job.save(update_fields=["status", "error", "updated_at"])
        shutil.rmtree(folder, ignore_errors=True)
        expired += 1
    return expired


def valid_ids(names) -> list[uuid.UUID]:
    found = []
    for name in names:
        try:
            found.append(uuid.UUID(name))
        except ValueError:
            continue
    return found


EXPIRED = "The uploaded files were kept as long as the site keeps them and are gone; upload again."


# Progress ----------------------------------------------------------------------------------


def progress_key(job) -> str:
    return f"import-job:{job.pk}:progress"


def beat(job, done: int, total: int) -> None:
    now = time.time()
    try:
        started = (cache.get(progress_key(job)) or {}).get("started", now) if done else now
        value = {"done": done, "total": total, "started": started, "beat": now}
        cache.set(progress_key(job), value, timeout=7 * 24 * 3600)
    except CACHE_ERRORS:
        pass  # progress is a courtesy; the import goes on


def progress(job) -> dict:
    """Objects done and total, the rate and the seconds left, as far as they are known."""
    try:
        value = cache.get(progress_key(job)) or {}
    except CACHE_ERRORS:
        value = {}
    done, total = value.get("done", 0), value.get("total", 0)
    elapsed = max(time.time() - value.get("started", time.time()), 0.001)
    rate = done / elapsed if done else 0
    left = (total - done) / rate if rate and total > done else None
    percent = round(100 * done / total) if total else 0
    return {
        "done": done,
        "total": total,
        "percent": percent,
        "rate": round(rate),
        "left": round(left) if left is not None else None,
        "beat": value.get("beat"),
    }


def fail_if_stale(job: ImportJob) -> ImportJob:
    """A running job whose worker stopped beating is failed: its transaction never committed."""
    if not job.running:
        return job
    # Without a beat in the cache (evicted, or the cache was down), the job's last save.
    beat_at = progress(job)["beat"] or job.updated_at.timestamp()
    if time.time() - beat_at <= settings.IMPORT_STALE_AFTER:
        return job
    message = (
        "The worker running this import stopped before it finished; the import is one "
        "transaction, so nothing was written. Upload the files again to retry."
    )
    ImportJob.objects.filter(pk=job.pk, status=job.status).update(
        status=Status.FAILED, error=message
    )
    job.refresh_from_db()
    return job


@receiver(spreadsheet_imported)
def record_spreadsheet_import(sender, model, user, file_name, counts, refused, **kwargs) -> None:
    """A spreadsheet import from the admin, as a finished job, so the desk lists it."""
    ImportJob.objects.create(
        kind=ImportJob.Kind.SPREADSHEET,
        user=user,
        files=[{"name": file_name, "path": "", "size": 0}],
        status=Status.REFUSED if refused else Status.DONE,
        total=sum(counts.values()),
        result={"counts": {model._meta.label_lower: counts}},
    )
