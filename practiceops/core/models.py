"""Abstract bases shared by the domain models."""

import uuid

from django.db import models
from django.db.models.functions import Length
from django.utils import timezone

# `field__length` in check constraints (text limits enforced by the database too).
models.CharField.register_lookup(Length)
models.TextField.register_lookup(Length)


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class TimeStampedModel(UUIDModel):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
