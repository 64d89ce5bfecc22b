"""Benchmark settings: production settings plus a bare view to compare the article against."""

from crisis_tracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
