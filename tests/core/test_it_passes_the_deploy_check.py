import os
import subprocess
import sys
from pathlib import Path

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


def test_check_deploy_shows_no_issue_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "autodcc.settings",
        "SECRET_KEY": "k7#Qz9!vR2@pL5$wX8^nB3&mT6*yH1(cJ4)dF0-gS_eA+uK-production-like-secret-key",
        "ALLOWED_HOSTS": "dcc.example.cn",
        "DEBUG": "0",
        "HTTPS": "1",
        "AUTODCC_VAR_DIR": str(tmp_path),
    })
    out = subprocess.run([sys.executable, str(MANAGE), "check", "--deploy", "--fail-level", "WARNING"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout
