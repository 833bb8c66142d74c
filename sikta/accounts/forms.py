from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from sikta.accounts.models import normalise_code


class LoginForm(AuthenticationForm):
    """Django's login form, with the length of the user name checked on the server.

    Django sets the field's max_length after the field is made: that limits the input box but
    adds no check, so a longer name went on to authentication, and django-axes then failed to
    record the failed attempt (its username column holds 255 characters on PostgreSQL): a
    server error instead of the form's own message.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class TokenForm(forms.Form):
    """A six-digit code from the app, or (when verifying) a recovery code."""

    token = forms.CharField(
        label=_("Code"),
        max_length=24,  # a recovery code, written in groups of four
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_token(self) -> str:
        return normalise_code(self.cleaned_data["token"])
