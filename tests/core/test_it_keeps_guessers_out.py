"""Failed log-ins lock a name at one address, not the colleagues behind the same proxy; a name
attacked from many addresses is locked everywhere; the API slows key guessing and limits each key
and each address (429 with Retry-After, in the API's error shape and the caller's language)."""

import json

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from autodcc.core.actors import SYSTEM
from autodcc.core.limits import client_ip
from autodcc.network.services import api_token_create

LOGIN = "/console/login/"


def attempt(persona, address, password="wrong-password"):
    client = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="zh-hans")
    return client.post(LOGIN, {"username": persona.username, "password": password})


def test_failures_lock_the_name_at_that_address_only(net, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert attempt(net.a_agent, "10.0.0.1").status_code == 200  # the form again, with its error
    assert attempt(net.a_agent, "10.0.0.1").status_code == 429  # the third failure locks
    locked = attempt(net.a_agent, "10.0.0.1", password=net.a_agent.password)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录失败次数过多" in page and "分钟" in page
    # the same name from another address, and a colleague from the same address, still log in
    assert attempt(net.a_agent, "10.0.0.2", password=net.a_agent.password).status_code == 302
    assert attempt(net.b_agent, "10.0.0.1", password=net.b_agent.password).status_code == 302


def test_a_name_attacked_from_many_addresses_is_locked_everywhere(net, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_USERNAME_FAILURE_LIMIT = 5
    for n in range(5):
        attempt(net.a_manager, f"10.1.0.{n}")
    assert attempt(net.a_manager, "10.9.9.9", password=net.a_manager.password).status_code == 429
    assert attempt(net.b_manager, "10.9.9.9", password=net.b_manager.password).status_code == 302


def test_the_client_address_comes_through_trusted_proxies_only(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.5")
    settings.TRUSTED_PROXIES = []
    assert client_ip(request) == "127.0.0.1"  # no proxy trusted: the header is not believed
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "10.0.0.0/8"]
    assert client_ip(request) == "203.0.113.9"  # the last hop that is not a trusted proxy
    spoofed = factory.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(spoofed) == "198.51.100.7"  # from an untrusted peer the header counts for nothing


BODY = {"name": "李娜", "phone": "13700001111", "city": "杭州", "consent_version": "2026-01",
        "consent_share_with_dealer": True}


@pytest.fixture
def key(net):
    _token, raw = api_token_create(actor=SYSTEM, name="汽车之家", channel="autohome")
    return raw


def post(client, key, n=0):
    return client.post("/api/leads", json.dumps({**BODY, "phone": f"1370000{n:04d}"}),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}",
                       HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_guessing_keys_is_slowed_down(client, key, settings):
    settings.API_AUTH_FAILURES = "5/m"
    for n in range(5):
        assert post(client, "adcc_nope_x", n).status_code == 401
    refused = post(client, key, 99)  # even the right key waits: this address guessed too often
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    with translation.override("zh-hans"):
        assert refused.json()["error"]["code"] == "too_many" and "秒" in refused.json()["error"]["message"]


def test_each_key_and_each_address_has_its_rate(client, key, settings):
    settings.API_RATE_PER_KEY = "3/m"
    for n in range(3):
        assert post(client, key, n).status_code == 201
    over = post(client, key, 3)
    assert over.status_code == 429 and over["Retry-After"].isdigit()
    _token, other = api_token_create(actor=SYSTEM, name="易车", channel="yiche")
    assert post(client, other, 4).status_code == 201  # another key has its own count
    settings.API_RATE_PER_KEY = "0"
    settings.API_RATE_PER_ADDRESS = "5/m"
    assert post(client, other, 5).status_code == 429  # this address already sent five
