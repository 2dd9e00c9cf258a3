"""Baseline views: they go through the same middleware stack as the API, nothing else."""

import itertools

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bench.benchapp.models import BenchRow

_counter = itertools.count()


@csrf_exempt
@require_GET
def bench_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
def bench_insert(request: HttpRequest) -> JsonResponse:
    row = BenchRow.objects.create(n=next(_counter))
    return JsonResponse({"id": row.pk}, status=201)
