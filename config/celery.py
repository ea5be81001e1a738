"""Celery application. Tasks are thin, idempotent wrappers around services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("yiyang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
