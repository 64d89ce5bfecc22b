"""The admin pages for importing fixtures: upload, read the dry run, confirm, watch it go.

Both the check and the import run as background jobs (``import_jobs``), never in the request;
the job's page shows its progress (it refreshes itself, so it survives a reload and needs no
script), then the dry-run report to confirm, then what was created and changed or, for a
refused file, every problem with its file, object, natural key and field.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import import_jobs
from .forms import FixtureUploadForm
from .models import ImportJob
from .roles import CONTENT_MODELS

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
    context = context_for(model_admin, request, _("Import fixtures"))
    form = FixtureUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_jobs.start(
            uploads=form.cleaned_data["files"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        )
        return HttpResponseRedirect(job_url(job))
    context["form"] = form
    context["jobs"] = ImportJob.objects.select_related("user")[:RECENT_JOBS]
    return TemplateResponse(request, "admin/events/import_fixture.html", context)


def import_job_view(model_admin, request, job_id):
    context = context_for(model_admin, request, _("Import"))
    try:
        job = import_jobs.fail_if_stale(ImportJob.objects.select_related("user").get(pk=job_id))
    except ImportJob.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        if job.user_id != request.user.pk:
            raise PermissionDenied
        if not import_jobs.confirm(job):
            messages.error(request, _("This import is not waiting for confirmation."))
        return HttpResponseRedirect(job_url(job))
    context.update(
        job=job,
        progress=import_jobs.progress(job),
        may_confirm=job.status == ImportJob.Status.CHECKED and job.user_id == request.user.pk,
        upload_url=reverse("admin:events_crisis_import_fixture"),
    )
    return TemplateResponse(request, "admin/events/import_job.html", context)


def job_url(job) -> str:
    return reverse("admin:events_crisis_import_job", args=[job.pk])
