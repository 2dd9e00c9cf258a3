"""autodcc: online sales and dealer lead management for a car brand."""

from autodcc.celery import app as celery_app

__all__ = ["celery_app"]
