from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "analytics.body_too_large": _("The request is too large (at most %(limit)s bytes)."),
        "analytics.not_json": _("The request is not valid JSON."),
        "analytics.shape": _("Send an object with a list of events: {\"events\": [...]}."),
        "analytics.too_many": _("At most %(limit)s events per request."),
        "analytics.kind_unknown": _("Unknown event type “%(value)s”."),
        "analytics.field_type": _("The field “%(name)s” must be text."),
        "analytics.field_too_long": _("The field “%(name)s” is longer than %(limit)s characters."),
        "analytics.control_chars": _("The field “%(name)s” contains control characters."),
        "analytics.url_foreign": _("The page address must be a page of this store."),
        "analytics.rate_limited": _("Too many events from your network; please wait a minute."),
        "analytics.dates_reversed": _("The last day is before the first."),
        "analytics.range_too_long": _("Choose at most %(limit)s days."),
    }
)
