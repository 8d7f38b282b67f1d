"""Input errors with one-line messages that name the field, the value and what is allowed."""

from __future__ import annotations

from typing import Any


class InputError(ValueError):
    """Bad input: carries the field, the offending value and what is allowed.

    The CLI prints ``str(error)`` as a single line and exits with status 2.
    """

    def __init__(self, field: str, value: Any, allowed: str, *, message: str | None = None):
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(message or f"{field}: got {value!r}; expected {allowed}")

    @classmethod
    def from_validation(cls, error: Exception, prefix: str = "") -> InputError:
        """Wrap a pydantic ``ValidationError`` with one line per problem, fields prefixed."""
        message = describe_validation_error(error, prefix)
        first = message.splitlines()[0] if message else prefix
        return cls(first.split(":", 1)[0], None, "valid input", message=message)


def describe_validation_error(error: Exception, prefix: str = "") -> str:
    """One line per problem of a pydantic ``ValidationError`` (or an :class:`InputError`).

    Parameters
    ----------
    error : Exception
        A ``pydantic.ValidationError``, an :class:`InputError` or any ``ValueError``.
    prefix : str
        Dotted location prepended to field names (e.g. ``"laser"``).

    Returns
    -------
    str
        Human-readable message, one line per problem, naming field and value.
    """
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        lines = []
        for item in error.errors():
            # "<...>" parts are the tags of tagged unions (which member was tried), not fields
            location = ".".join(str(part) for part in item.get("loc", ()) if not str(part).startswith("<"))
            if prefix:
                location = f"{prefix}.{location}" if location else prefix
            message = item.get("msg", "invalid")
            message = message.removeprefix("Value error, ")
            value = item.get("input")
            if item.get("type") == "extra_forbidden":
                message = "unknown key (not part of the schema)"
            if isinstance(value, dict | list):
                lines.append(f"{location or 'input'}: {message}")
            else:
                lines.append(f"{location or 'input'}: {message} (got {value!r})")
        return "\n".join(lines)
    if isinstance(error, InputError) and prefix:
        return f"{prefix}.{error}"
    return str(error)
