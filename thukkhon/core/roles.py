"""The roles of DESIGN.md. A membership gives one user one role in one municipality."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    EXECUTIVE = "executive", _("Executive")
    WELFARE = "welfare", _("Welfare officer")
    DISPATCHER = "dispatcher", _("Dispatcher")
    DRIVER = "driver", _("Driver")
    VOLUNTEER = "volunteer", _("Health volunteer")
    TEACHER = "teacher", _("Teacher")
    PARENT = "parent", _("Parent or caregiver")
    FUNERAL = "funeral", _("Funeral officer")
    RESIDENT = "resident", _("Resident")


# Who may read the resident registry, and how much of it.
REGISTRY_ALL = frozenset({Role.ADMIN, Role.EXECUTIVE, Role.WELFARE, Role.DISPATCHER, Role.FUNERAL})
REGISTRY_SCOPED = frozenset({Role.VOLUNTEER})  # only residents of their own communities
REGISTRY_WRITE = frozenset({Role.ADMIN, Role.WELFARE})
REGISTRY_WRITE_SCOPED = frozenset({Role.VOLUNTEER})
# Roles that see full national IDs; everyone else sees them masked.
SEES_FULL_NATIONAL_ID = frozenset({Role.ADMIN, Role.WELFARE, Role.FUNERAL})
