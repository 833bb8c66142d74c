"""Model and form fields that hold a Personnummer value."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from sikta.core.personnummer import Personnummer, PersonnummerError


def to_personnummer(value: Any) -> Personnummer | None:
    if value is None or value == "":
        return None
    if isinstance(value, Personnummer):
        return value
    try:
        return Personnummer.parse(str(value))
    except PersonnummerError as error:
        raise ValidationError(error.message, code=f"personnummer_{error.code}") from None


class PersonnummerFormField(forms.CharField):
    """A text input that cleans to a Personnummer, with a Swedish message per kind of error."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # A length limit on the widget only: validators run on the parsed value.
        self.widget.attrs.setdefault("maxlength", "20")
        self.widget.attrs.setdefault("autocomplete", "off")
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("spellcheck", "false")

    def to_python(self, value: Any) -> Personnummer | None:  # type: ignore[override]
        return to_personnummer(super().to_python(value))

    def prepare_value(self, value: Any) -> Any:
        return str(value) if isinstance(value, Personnummer) else value


class _PersonnummerDescriptor:
    """Turns what is assigned into a Personnummer at once, so `obj.personnummer` is always one.

    Text that does not parse is kept as it is; `full_clean()` and saving report it.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        return instance.__dict__.get(self.name)

    def __set__(self, instance: Any, value: Any) -> None:
        with contextlib.suppress(ValidationError):
            value = to_personnummer(value)
        instance.__dict__[self.name] = value


class PersonnummerField(models.CharField):
    """Stores the 12 digits; reads back a Personnummer."""

    def contribute_to_class(self, cls: type[models.Model], name: str, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, **kwargs)
        setattr(cls, self.attname, _PersonnummerDescriptor(self.attname))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = 12
        super().__init__(*args, **kwargs)

    @property
    def validators(self) -> list[Any]:
        # CharField's max-length validator would measure the value object; parsing validates.
        return [*self.default_validators, *self._validators]

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else Personnummer(value)

    def to_python(self, value: Any) -> Personnummer | None:  # type: ignore[override]
        return to_personnummer(value)

    def get_prep_value(self, value: Any) -> str | None:
        pnr = to_personnummer(value)
        return None if pnr is None else pnr.digits

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else value.digits

    def formfield(self, **kwargs: Any) -> forms.Field:
        kwargs.setdefault("form_class", PersonnummerFormField)
        return super().formfield(**kwargs)
