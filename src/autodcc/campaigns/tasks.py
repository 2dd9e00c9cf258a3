from celery import shared_task

from autodcc.campaigns import draw


@shared_task(name="autodcc.campaigns.tasks.close_draw_rounds", ignore_result=True)
def close_draw_rounds() -> int:
    """Rounds whose time is up: the entry list frozen, its digest published, and the round drawn
    (unless it waits for a public value); entries followed up as leads."""
    draw.entries_follow_up()
    return draw.close_due()
