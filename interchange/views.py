"""The admin pages for importing fixtures: upload, read the dry run, confirm, watch it go.

Both the check and the import run as background jobs (``import_jobs``), never in the request;
the job's page shows its progress (it refreshes itself, so it survives a reload and needs no
script), then the dry-run report to confirm, then what was created and changed or, for a
refused file, every problem with its file, object, natural key and field.
"""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from crisis_tracker.uploads import limit_uploads, too_large
from events.roles import CONTENT_MODELS

from . import import_jobs
from .forms import FixtureUploadForm
from .models import ImportJob
from .problems import consequence_lines

RECENT_JOBS = 20


def may_import(user) -> bool:
    return user.has_perms([f"{app}.change_{model}" for app, model in CONTENT_MODELS])


def context_for(model_admin, request, title: str) -> dict:
    if not may_import(request.user):
        raise PermissionDenied
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
    }


def import_fixture_view(model_admin, request):
    """The upload form. Reading an upload stops at ``IMPORT_MAX_BYTES``, so the limit is in
    place before anything (the CSRF check included) reads the request's body."""
    limit_uploads(request, settings.IMPORT_MAX_BYTES)
    return csrf_protect(partial(upload_form, model_admin))(request)


import_fixture_view.csrf_exempt = True  # checked inside, once the limit is set


def upload_form(model_admin, request):
    context = context_for(model_admin, request, _("Import fixtures"))
    posted = request.method == "POST"
    form = FixtureUploadForm(request.POST, request.FILES) if posted else FixtureUploadForm()
    if posted and too_large(request):
        form.full_clean()
        message = _("%(name)s is larger than %(size)s; nothing was uploaded.") % {
            "name": too_large(request),
            "size": filesizeformat(settings.IMPORT_MAX_BYTES),
        }
        form.add_error("files", message)
    elif posted and form.is_valid():
        job = import_jobs.start(
            uploads=form.cleaned_data["files"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        )
        return HttpResponseRedirect(job_url(job))
    context["form"] = form
    context["jobs"] = import_jobs.seen_by(request.user).select_related("user")[:RECENT_JOBS]
    return TemplateResponse(request, "admin/events/import_fixture.html", context)


def import_job_view(model_admin, request, job_id):
    context = context_for(model_admin, request, _("Import"))
    try:
        job = import_jobs.seen_by(request.user).select_related("user", "reviewed_by").get(pk=job_id)
    except ImportJob.DoesNotExist:
        raise Http404 from None
    job = import_jobs.fail_if_stale(job)
    if request.method == "POST":
        take_action(request, job)
        return HttpResponseRedirect(job_url(job))
    mine = job.user_id == request.user.pk
    context.update(
        job=job,
        progress=import_jobs.progress(job),
        may_confirm=job.status == ImportJob.Status.CHECKED and mine,
        submission=import_jobs.is_submission(job),
        may_approve=job.status == ImportJob.Status.SUBMITTED
        and import_jobs.may_approve(request.user),
        causes=[problem for problem in job.problems if not problem.get("cause")],
        consequences=consequence_lines(job.problems),
        upload_url=reverse("admin:events_crisis_import_fixture"),
    )
    return TemplateResponse(request, "admin/events/import_job.html", context)


def take_action(request, job: ImportJob) -> None:
    """Confirm (the uploader), approve or send back (a publisher, for a submission)."""
    action = request.POST.get("action", "confirm")
    refusal = _("This import is not waiting for a publisher.")
    try:
        if action == "approve":
            done = import_jobs.approve(job, request.user, request.POST.get("summary", ""))
        elif action == "send-back":
            done = import_jobs.send_back(job, request.user, request.POST.get("comment", ""))
        elif job.user_id == request.user.pk:
            done = import_jobs.confirm(job)
            refusal = _("This import is not waiting for confirmation.")
        else:
            raise PermissionDenied
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return
    if not done:
        messages.error(request, refusal)


def job_url(job) -> str:
    return reverse("admin:events_crisis_import_job", args=[job.pk])
