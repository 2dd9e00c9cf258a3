"""Settings come from the environment; malformed values stop the process with a clear message."""

import os
import subprocess
import sys

import pytest

CHECK = [sys.executable, "-c", "import django, os; django.setup(); from django.conf import settings; "
         "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, settings.TIME_ZONE, "
         "settings.LANGUAGE_CODE, settings.CACHES['default']['BACKEND'])"]


def run(tmp_path, **env):
    base = {k: v for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    base.update({"DJANGO_SETTINGS_MODULE": "autodcc.settings", "AUTODCC_VAR_DIR": str(tmp_path)}, **env)
    return subprocess.run(CHECK, env=base, capture_output=True, text=True, timeout=60)


def test_nothing_set_means_sqlite_inline_tasks_and_local_cache(tmp_path):
    out = run(tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["django.db.backends.sqlite3", "True", "Asia/Shanghai", "zh-hans",
                                  "django.core.cache.backends.locmem.LocMemCache"]


def test_services_are_taken_from_the_environment(tmp_path):
    out = run(tmp_path, DATABASE_URL="postgres://u@db.example/autodcc", REDIS_URL="redis://cache:6379/0",
              CELERY_BROKER_URL="redis://cache:6379/1")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[:2] == ["django.db.backends.postgresql", "False"]
    assert out.stdout.split()[-1] == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.parametrize(("name", "value", "says"), [
    ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
    ("DATABASE_URL", "mysql://x/y", "DATABASE_URL must start with one of"),
    ("DATABASE_URL", "postgres:///nohost", "DATABASE_URL has no host name"),
    ("REDIS_URL", "localhost:6379", "REDIS_URL must start with one of"),
    ("CELERY_BROKER_URL", "kafka://x", "CELERY_BROKER_URL must start with one of"),
    ("SECRET_KEY", "short", "SECRET_KEY must be at least 50 characters"),
    ("ALLOWED_HOSTS", "a.example,,b.example", "ALLOWED_HOSTS="),
    ("OUTBOX_MAX_ATTEMPTS", "lots", "OUTBOX_MAX_ATTEMPTS='lots' is not an integer"),
])
def test_a_malformed_value_fails_loudly(tmp_path, name, value, says):
    out = run(tmp_path, **{name: value})
    assert out.returncode != 0
    assert says in out.stderr
