"""Import first in a benchmark that runs the app in-process: production settings (debug off,
hashed static files: run collectstatic first) with the test client's host allowed."""

import os

import django

from crisis_tracker import preload

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
django.setup()
preload.for_serving()  # as crisis_tracker.wsgi
