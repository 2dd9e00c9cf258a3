"""The platforms' push endpoints: thin, each connector verifies, maps and answers in its format."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from autodcc.channels import connectors
from autodcc.channels.connectors import Inbound
from autodcc.channels.services import delivery_receive


@csrf_exempt
@require_POST
def push(request: HttpRequest, connector: str) -> HttpResponse:
    found = connectors.get(connector)
    if found is None:
        raise Http404
    form = {k: request.POST.get(k, "") for k in request.POST} if "x-www-form-urlencoded" in request.content_type else {}
    inbound = Inbound(query={k: request.GET.get(k, "") for k in request.GET}, form=form,
                      headers={k.lower(): v for k, v in request.headers.items()}, body=request.body,
                      content_type=request.content_type or "")
    reply = delivery_receive(connector=found, inbound=inbound)
    return HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)
