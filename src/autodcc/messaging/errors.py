from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "template.missing": _("No active %(channel)s template for the event “%(event)s”."),
        "template.unknown_variable": _("The template uses {%(value)s}, which the event “%(event)s” does not provide. Available: %(allowed)s."),
        "template.bad_syntax": _("The template text is malformed near “%(value)s”: write variables as {name} and a literal brace as {{ or }}."),
        "template.missing_variable": _("The message needs the value {%(value)s}, which was not given."),
        "message.no_address": _("The recipient has no %(channel)s address."),
        "optout.exists": _("This number has already opted out."),
    }
)
