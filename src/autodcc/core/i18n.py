"""Words Django itself shows on our pages without a Chinese translation in its own catalogue; listed
here so ``makemessages`` puts them into ours (Django merges the catalogues)."""

from django.utils.translation import gettext_lazy as _

DJANGO_WORDS = (
    _("- Select an option -"),  # the empty choice of a model field's select (Django 6)
)
