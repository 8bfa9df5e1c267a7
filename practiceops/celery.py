"""The Celery app. With no broker configured, tasks run eagerly in-process."""

import os

from celery import Celery
from celery.signals import setup_logging
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practiceops.settings.base")

app = Celery("practiceops")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Carries the request id of the request that enqueued a task into the worker's log lines.
app.steps["worker"].add(DjangoStructLogInitStep)
app.autodiscover_tasks()


@setup_logging.connect
def _use_django_logging(**_: object) -> None:
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
