"""Static files as a first visit gets them: fingerprinted names, compressed, cached for a year;
the 1 MB chart library travels at about a third of its size."""

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

ECHARTS = "console/vendor/echarts/echarts.min.js"


@pytest.fixture
def collected(settings, tmp_path):
    """``make demo`` and ``manage.py serve`` collect the static files into the manifest storage."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage._setup()  # the storage object is built once: read the new manifest
    return settings.STATIC_ROOT


def test_the_chart_library_is_fingerprinted_compressed_and_cached_for_a_year(collected):
    url = static(ECHARTS)
    assert url != f"/static/{ECHARTS}" and url.endswith(".js")  # a content hash in the name
    served = WhiteNoiseMiddleware(lambda request: None)  # WhiteNoise reads STATIC_ROOT when built
    response = served(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip"))
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"] and "max-age=315360000" in response.headers["Cache-Control"]
    assert int(response.headers["Content-Length"]) < (collected / ECHARTS).stat().st_size / 2


def test_the_insights_pages_ask_for_the_fingerprinted_file(collected, net, login):
    response = login(net.hq_marketer).get("/console/insights/")
    assert response.status_code == 200
    page = response.content.decode()
    assert static(ECHARTS) in page and f'"/static/{ECHARTS}"' not in page
