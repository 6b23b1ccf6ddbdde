"""Template filters for Thai dates, IDs and names (loaded in every template)."""

from __future__ import annotations

from django import template

register = template.Library()
