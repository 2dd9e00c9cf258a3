"""The store's feedback forms: the general page (anyone, with their mobile number) and the short
form on an order's page (the order already says who and where)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from autodcc.feedback.models import Category, Kind
from autodcc.storefront.forms import CONSENT_VERSION, ContactForm

TEXT_LIMIT = 2000


class FeedbackForm(ContactForm):
    kind = forms.ChoiceField(label=_("This is"), choices=Kind.choices, initial=Kind.COMPLAINT,
                             widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("About"), choices=[("", _("Choose what it is about")), *Category.choices])
    order = forms.CharField(label=_("Order number (optional)"), required=False, max_length=40,
                            widget=forms.TextInput(attrs={"autocomplete": "off"}))
    description = forms.CharField(label=_("What happened?"), widget=forms.Textarea(attrs={"rows": 5}))
    attachment = forms.FileField(label=_("A picture or PDF (optional)"), required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    field_order: ClassVar[list[str]] = ["kind", "category", "description", "attachment", "order", "name", "phone",
                                        "consent_privacy", "consent_share_with_dealer", "consent_marketing"]
    ALIASES: ClassVar[dict[str, str]] = {"consent_version": "consent_privacy", "consent_share": "consent_share_with_dealer"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lets_services_check_text(self)

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"name": d.get("name", ""), "phone": d.get("phone", ""), "kind": d["kind"], "category": d["category"],
                "description": d["description"], "order": d.get("order", ""),
                "consent_version": CONSENT_VERSION if d.get("consent_privacy") else "",
                "consent_share": bool(d.get("consent_share_with_dealer")),
                "consent_marketing": bool(d.get("consent_marketing")),
                "attachments": [d["attachment"]] if d.get("attachment") else []}


def lets_services_check_text(form: forms.Form) -> None:
    """A NUL byte is the service's to refuse, with the field's name (Django's own message is vague)."""
    for field in form.fields.values():
        field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class OrderFeedbackForm(FeedbackForm):
    """On the order's own page: who, which order and which dealer are known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("name", "phone", "order", "consent_marketing"):
            del self.fields[name]


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("What is still wrong? (needed to reopen)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
