"""The floor a cached page is measured against: the project's settings, but the middleware
`django-admin startproject` writes and one URL, a view returning the same stored bytes."""

from crisis_tracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
