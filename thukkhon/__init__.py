"""ThukKhon (ทุกคน): born meaningfully, live valuably, die with dignity."""

from thukkhon.celery import app as celery_app

__all__ = ["celery_app"]
