"""The admin's modules load with the URLconf, not with every process (desk.admin_config): a
command starts without them, a serving process and the system checks have them."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADMIN_ONLY = ["desk.admin", "desk.views", "import_export.admin", "openpyxl", "yaml"]


def registered() -> int:
    """Models registered on every admin site in this process (its URLconf is loaded)."""
    from django.contrib.admin.sites import all_sites

    return sum(len(site._registry) for site in all_sites)


def loaded_after(code: str) -> dict:
    """In a new process: Django set up, ``code`` run, then which admin-only modules are loaded
    and how many models the admin site holds."""
    script = (
        "import json, sys, django; django.setup()\n"
        f"{code}\n"
        "from django.contrib.admin.sites import all_sites\n"
        f"print(json.dumps({{'modules': [m for m in {ADMIN_ONLY!r} if m in sys.modules], "
        "'registered': sum(len(site._registry) for site in all_sites)}))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    environment.update(DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="crisis_tracker.settings")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_a_command_starts_without_the_admin_or_the_spreadsheet_formats():
    loaded = loaded_after("import interchange.management.commands.import_fixture")
    assert loaded == {"modules": [], "registered": 0}


def test_the_urlconf_discovers_the_admin():
    loaded = loaded_after("from crisis_tracker import preload; preload.urls()")
    assert loaded["modules"] == ["desk.admin", "desk.views", "import_export.admin", "openpyxl",
                                 "yaml"]  # fmt: skip
    assert loaded["registered"] == registered() > 0


def test_the_admin_checks_discover_the_admin_first():
    code = (
        "from django.core import checks\n"
        "errors = checks.run_checks(tags=[checks.Tags.admin])\n"
        "assert not errors, errors"
    )
    loaded = loaded_after(code)
    assert "desk.admin" in loaded["modules"]
    assert loaded["registered"] == registered() > 0


def test_the_admin_checks_report_a_broken_model_admin():
    code = (
        "from django.core import checks\n"
        "from desk.admin import EventAdmin\n"
        "EventAdmin.list_display = ['no_such_field']\n"
        "ids = [e.id for e in checks.run_checks(tags=[checks.Tags.admin])]\n"
        "assert 'admin.E108' in ids, ids"
    )
    assert loaded_after(code)["registered"] == registered()
