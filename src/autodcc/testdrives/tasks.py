from celery import shared_task

from autodcc.testdrives import services


@shared_task(name="autodcc.testdrives.tasks.send_reminders", ignore_result=True)
def send_reminders() -> int:
    return services.send_reminders()
