from celery import shared_task

from autodcc.campaigns import draw


@shared_task(name="autodcc.campaigns.tasks.close_draw_rounds", ignore_result=True)
def close_draw_rounds() -> int:
    """Rounds whose time is up: the entry list frozen and its digest published."""
    return draw.close_due()
