"""The admin page for importing fixtures: upload, read the dry-run diff, then confirm.

It runs the same ``import_fixtures`` as the ``import_fixture`` command; between the preview and
the confirmation the files travel back to the browser signed, so nothing is stored server-side.
"""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .fixture_import import FixtureError, import_fixtures
from .forms import FixtureConfirmForm, FixtureUploadForm
from .roles import CONTENT_MODELS

SALT = "events.fixture-import"
MAX_AGE = 3600


def may_import(user) -> bool:
    return user.has_perms([f"{app}.change_{model}" for app, model in CONTENT_MODELS])


def import_fixture_view(model_admin, request):
    if not may_import(request.user):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import fixtures"),
    }
    if request.method == "POST" and "payload" in request.POST:
        return confirm(model_admin, request, context)
    form = FixtureUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files, reason = form.cleaned_data["files"], form.cleaned_data["reason"]
        try:
            report = import_fixtures(files=files, reason=reason, user=request.user, dry_run=True)
        except FixtureError as error:
            context["problems"] = error.problems
        else:
            payload = signing.dumps({"files": files, "reason": reason}, salt=SALT, compress=True)
            context["report"] = report
            context["confirm_form"] = FixtureConfirmForm(initial={"payload": payload})
    context["form"] = form
    return TemplateResponse(request, "admin/events/import_fixture.html", context)


def confirm(model_admin, request, context):
    form = FixtureConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        data = signing.loads(form.cleaned_data["payload"], salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        messages.error(request, _("The preview expired or was altered; upload the files again."))
        return HttpResponseRedirect(request.path)
    files = [tuple(pair) for pair in data["files"]]
    try:
        report = import_fixtures(files=files, reason=data["reason"], user=request.user)
    except FixtureError as error:
        context.update(problems=error.problems, form=FixtureUploadForm())
        return TemplateResponse(request, "admin/events/import_fixture.html", context)
    for line in report.summary_lines():
        messages.info(request, line)
    messages.success(request, _("Imported %(count)d objects.") % {"count": report.total})
    return HttpResponseRedirect(reverse("admin:events_crisis_changelist"))
