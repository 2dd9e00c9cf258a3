"""The SMS gateway's replies (上行短信): a consumer answering a marketing SMS with TD, T, R, 退订 …
stops marketing messages (``messaging.preferences.marketing_stop``).

The gateway pushes the replies the way it takes our messages (``messaging.providers.sms_gateway``):
``POST /hooks/sms/replies/`` with ``X-Api-Key``, ``X-Timestamp`` (Unix seconds, within 5 minutes)
and ``X-Signature = hex(HMAC-SHA256(SMS_GATEWAY_SECRET, timestamp + "\\n" + body))``, the body
``{"replies": [{"id": "…", "phone": "13800138000", "content": "TD", "received_at": "…"}]}``.
Answer ``{"code": "OK", "received": n, "stopped": k}``; a bad signature or an old timestamp is
refused with 401, a malformed body with 400, and nothing is recorded then. A reply pushed twice
changes nothing the second time. Other replies are left for people (logged, masked).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import time
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from autodcc.core.errors import DomainError
from autodcc.messaging.preferences import is_stop_reply, marketing_stop
from autodcc.messaging.providers.sms_gateway import SmsGatewayProvider

log = logging.getLogger(__name__)
SKEW_SECONDS = 300
MAX_REPLIES = 500
CHINA = dt.timezone(dt.timedelta(hours=8))


def _refuse(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


def _replies(body: bytes) -> list[dict[str, Any]]:
    if b"\x00" in body or b"\\u0000" in body:
        raise ValueError("NUL character in the body")
    data = json.loads(body.decode("utf-8"))
    replies = data.get("replies") if isinstance(data, dict) else None
    if not isinstance(replies, list) or not replies or len(replies) > MAX_REPLIES:
        raise ValueError(f"'replies' must be a list of 1 to {MAX_REPLIES} replies")
    for reply in replies:
        if not (isinstance(reply, dict) and isinstance(reply.get("phone"), str)
                and isinstance(reply.get("content"), str) and len(reply["content"]) <= 1000):
            raise ValueError("each reply needs 'phone' and 'content' (text, at most 1,000 characters)")
    return replies


def _when(text: Any) -> dt.datetime | None:
    """The reply's ``received_at`` (Beijing time, "YYYY-MM-DD HH:MM:SS"), None when absent or unreadable."""
    try:
        return dt.datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except ValueError:
        return None


@csrf_exempt
@require_POST
def replies(request: HttpRequest) -> JsonResponse:
    if not (settings.SMS_GATEWAY_URL and settings.SMS_GATEWAY_KEY and settings.SMS_GATEWAY_SECRET):
        raise Http404  # no gateway configured: no hook
    gateway = SmsGatewayProvider.from_settings()
    stamp = request.headers.get("X-Timestamp", "")
    key = request.headers.get("X-Api-Key", "").encode("utf-8", "replace")
    signature = request.headers.get("X-Signature", "").lower().encode("utf-8", "replace")
    if not hmac.compare_digest(key, gateway.key.encode()) or not hmac.compare_digest(
            signature, gateway.sign(stamp, request.body).encode()):
        return _refuse(401, "BAD_SIGNATURE", "unknown key or signature")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > SKEW_SECONDS:
        return _refuse(401, "STALE", f"timestamp more than {SKEW_SECONDS} s away")
    try:
        received = _replies(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        return _refuse(400, "MALFORMED", str(exc)[:200])
    stopped = 0
    for reply in received:
        if not is_stop_reply(reply["content"]):
            log.info("SMS reply from …%s left for people", reply["phone"][-4:])
            continue
        try:
            done = marketing_stop(raw_phone=reply["phone"], source="sms-reply",
                                  said_at=_when(reply.get("received_at")))
        except DomainError:
            log.warning("SMS reply with an unusable number %r", reply["phone"][:30])
            continue
        stopped += done is not None
    return JsonResponse({"code": "OK", "received": len(received), "stopped": stopped})
