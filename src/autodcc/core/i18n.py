"""Words Django itself shows on our pages without a (good) Chinese translation in its own catalogue;
listed here so ``makemessages`` puts them into ours (Django merges the catalogues, ours first)."""

from django.utils.translation import gettext_lazy as _

DJANGO_WORDS = (
    _("- Select an option -"),  # the empty choice of a model field's select (Django 6)
    # every form text field refuses NUL; Django's own Chinese reads "empty string not allowed" (and has a typo)
    _("Null characters are not allowed."),
)
