"""Forms of the assistant's pages: a bank entry, a reply."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from autodcc.assistant.models import Entry


class EntryForm(forms.ModelForm):
    class Meta:
        model = Entry
        fields = ["question", "variants", "answer", "links", "category", "is_active"]
        widgets = {"variants": forms.Textarea(attrs={"rows": 4}), "answer": forms.Textarea(attrs={"rows": 6}),
                   "links": forms.Textarea(attrs={"rows": 2})}


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 3}), strip=False)
