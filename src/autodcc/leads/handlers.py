"""After-commit work of the lead spine, run by the outbox dispatcher (outside the request)."""

from autodcc.leads.services import notices  # noqa: F401  (registers the "new leads" handler)
