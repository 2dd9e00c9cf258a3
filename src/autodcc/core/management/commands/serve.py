"""Start the whole system: gunicorn (sync workers) plus the background worker and schedule.

With a broker configured the worker and beat are Celery processes; without one the schedule runs
in this process and tasks run inline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from autodcc.core import scheduler


class Command(BaseCommand):
    help = "Run the web server and the background worker/schedule."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args: Any, bind: str, workers: int, **options: Any) -> None:
        if "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]:
            # fingerprinted, compressed files for the code being served (only what changed is copied):
            # a stale manifest would send the unhashed, uncompressed files with a one-minute cache
            call_command("collectstatic", interactive=False, verbosity=0)
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "autodcc.wsgi:application", "--bind", bind,
                 "--workers", str(workers), "--worker-class", "sync", "--access-logfile", "-"]
            )
        ]
        stop = threading.Event()
        if settings.BROKER_CONFIGURED:
            procs.append(
                subprocess.Popen([sys.executable, "-m", "celery", "-A", "autodcc", "worker", "-B", "-l", "info"])
            )
            mode = "celery worker + beat"
        else:
            threading.Thread(target=scheduler.run_forever, args=(stop,), daemon=True).start()
            mode = "in-process scheduler, tasks inline"
        self.stdout.write(self.style.SUCCESS(f"autodcc console: http://{bind}/console/  ({mode})"))

        def shutdown(*_: Any) -> None:
            stop.set()
            for p in procs:
                p.terminate()

        signal.signal(signal.SIGTERM, shutdown)
        signal.signal(signal.SIGINT, shutdown)
        try:
            while all(p.poll() is None for p in procs):
                stop.wait(1)
        finally:
            shutdown()
            for p in procs:
                p.wait(timeout=15)
