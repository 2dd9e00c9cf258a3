"""Signatures of the platforms' requests.

Taobao Open Platform (TOP, also Qimen): every parameter but ``sign`` (empty values left out),
sorted by name, names and values concatenated, then a Qimen JSON/XML body appended when there is
one; ``md5`` digests secret + that + secret, ``hmac`` is HMAC-MD5 and ``hmac-sha256`` HMAC-SHA256
keyed with the app secret; the digest in upper-case hex.

The car platforms (Autohome, Yiche, Dongchedi): HMAC-SHA256 keyed with the shared secret over the
timestamp followed by the raw body, in lower-case hex.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from zoneinfo import ZoneInfo

TOP_METHODS = ("md5", "hmac", "hmac-sha256")
GMT8 = ZoneInfo("Asia/Shanghai")
TOP_TIME = "%Y-%m-%d %H:%M:%S"


def top_sign(params: Mapping[str, str], secret: str, method: str = "md5", body: str = "") -> str:
    text = "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "sign" and k and v not in (None, ""))
    text += body or ""
    if method == "md5":
        digest = hashlib.md5((secret + text + secret).encode("utf-8")).hexdigest()
    elif method == "hmac":
        digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.md5).hexdigest()
    elif method == "hmac-sha256":
        digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()
    else:
        raise ValueError(f"unknown sign_method {method!r}")
    return digest.upper()


def top_timestamp(at: dt.datetime) -> str:
    """A TOP timestamp: ``yyyy-MM-dd HH:mm:ss`` in GMT+8."""
    return at.astimezone(GMT8).strftime(TOP_TIME)


def parse_top_timestamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text.strip(), TOP_TIME).replace(tzinfo=GMT8)


def hmac_sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + body, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.strip().lower().encode(), b.strip().lower().encode())
