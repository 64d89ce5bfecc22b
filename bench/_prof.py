import cProfile
import os
import pstats
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_tracker.settings")
os.environ["DJANGO_DEBUG"] = "1"
import subprocess

subprocess.run(
    [
        "psql",
        "postgres://postgres@127.0.0.1:5432/postgres",
        "-qc",
        "DROP DATABASE IF EXISTS prof WITH (FORCE)",
    ]
)
subprocess.run(
    ["psql", "postgres://postgres@127.0.0.1:5432/postgres", "-qc", "CREATE DATABASE prof"]
)
os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/prof"
import django

django.setup()
from pathlib import Path

from django.core.management import call_command

call_command("migrate", verbosity=0)
call_command("import_fixture", "fixtures/azerbaijan-russia-2025.json", "--system", verbosity=0)
from bench.import_scale import update, write

n = int(sys.argv[1])
write(update(n, 7), Path("/tmp/upd.json"))
for phase in sys.argv[2:]:
    cProfile.run('call_command("import_fixture", "/tmp/upd.json", "--system")', "/tmp/prof.out")
    pstats.Stats("/tmp/prof.out").sort_stats(
        sys.argv[-1] if sys.argv[-1] in ("cumulative", "tottime") else "tottime"
    ).print_stats(45)
