"""Input errors with one-line messages that name the field, the value and what is allowed.

This is the one place where input errors are phrased: :class:`InputError` for the checks of
laserskin itself, and :func:`describe_validation_error` for pydantic's ``ValidationError``,
which it turns into the same ``field: got VALUE; expected WHAT`` lines in plain words (never
pydantic's or pint's own text), so the CLI, scenario files, sweeps and the web JSON all say
the same thing.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any


def shown(value: Any) -> str:
    """A value as the user wrote it: ``true``/``false`` for booleans (TOML/JSON), quotes for text, and a quantity
    parsed from text (:class:`laserskin.core.units.TypedQuantity`) as typed, with its value in the field's display
    unit where typed in another (``'1 m^2' (10000 cm^2)``; session 14: a check after parsing echoed the SI float
    or its own conversion). The one place an error message writes the value it got. ``None`` (a key left out, a
    value not given) is ``nothing``, the word of every refusal of a missing value (``got nothing; expected ...``;
    QA16 #10: Python's ``got None`` for an explicit layer without ``water_fraction``)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    echo = getattr(value, "echo", None)
    if isinstance(value, float) and callable(echo):
        return str(echo())
    return repr(value)


class InputError(ValueError):
    """Bad input: carries the field, the offending value and what is allowed.

    The CLI prints ``str(error)`` as a single line and exits with status 2. The text is
    ``"{field}: got {value}; expected {allowed}"``; ``given`` replaces the shown value
    (e.g. ``"'10 J', an energy"``). A field of ``""`` means "the field being validated":
    pydantic adds the location (see :func:`describe_validation_error`).
    """

    #: Markers of a burn refusal (:func:`laserskin.pipeline.simulation.burnt_tissue_refusal`), set on that
    #: refusal only (its instance; these class defaults are what every other error reads as)
    burnt_tissue: bool = False
    #: how the refused setting heated the tissue (``"past 1000 degC"``), kept for the refusal's restatement
    heats: str | None = None
    #: the share of the refused run's energy delivered when the tissue reached the ceiling (where
    #: :func:`laserskin.pipeline.setting_limit.refusal_with_limit` starts its search)
    delivered_share: float | None = None

    def __init__(self, field: str, value: Any, allowed: str, *, message: str | None = None, given: str | None = None):
        self.field = field
        self.value = value
        self.allowed = allowed
        self.given = given
        #: the message without the leading ``field: `` (joined to a location by the describers)
        self.detail = f"got {given or shown(value)}; expected {allowed}"
        if message is not None:
            self.detail = message.removeprefix(f"{field}: ") if field else message
        super().__init__(message or (f"{field}: {self.detail}" if field else self.detail))

    @classmethod
    def from_validation(cls, error: Exception, prefix: str = "") -> InputError:
        """Wrap a pydantic ``ValidationError`` with one line per problem, fields prefixed."""
        message = describe_validation_error(error, prefix)
        first = message.splitlines()[0] if message else prefix
        return cls(first.split(":", 1)[0], None, "valid input", message=message)


_CLI_OPTION = re.compile(r"(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?: (?!(?:to|or|and|for|in)\b)([A-Za-z0-9_.]+))?")


#: How an interface names a control of the request: ``(key, value)`` -> text; ``key`` is the request's field
#: (``max_session_minutes``), ``value`` the option's value where the message gives one (``--goal resurface``).
ControlNamer = typing.Callable[[str, str | None], str]


def name_controls(text: str, namer: ControlNamer) -> str:
    """``text`` with every control of the request it names renamed by the caller's ``namer``.

    The one convention for advice in messages, reasons and notes of every layer: a control of the request is
    written as its CLI option (``raise --max-session-minutes to 88``, ``use --goal resurface``), the one
    spelling that cannot be mistaken for a word of the text. The CLI prints it as it is; every other
    interface names the control its own way through this function: the JSON API and the web's error
    messages by the body's key (:func:`in_field_terms`), the web pages by the label of the form field the
    user sees (``laserskin.web.forms.in_form_terms``), so no page asks for an option it does not have.
    """

    def field(match: re.Match) -> str:
        return namer(match.group(1).replace("-", "_"), match.group(2))

    return _CLI_OPTION.sub(field, text)


def controls_named(data: Any, namer: ControlNamer) -> Any:
    """``data`` (parsed JSON: a plan, a summary) with :func:`name_controls` applied to every string in it."""
    if isinstance(data, str):
        return name_controls(data, namer) if "--" in data else data
    if isinstance(data, dict):
        return {key: controls_named(value, namer) for key, value in data.items()}
    if isinstance(data, list):
        return [controls_named(value, namer) for value in data]
    return data


def key_terms(key: str, value: str | None) -> str:
    """A control named by the request's key: ``goal: resurface``, ``max_session_minutes``."""
    return f"{key}: {value}" if value else key


def in_field_terms(text: str) -> str:
    """A message in the terms of the JSON API and the web forms, not the CLI's: ``--goal resurface`` reads
    ``goal: resurface`` and ``--max-session-minutes`` reads ``max_session_minutes`` (the body's key and the
    form's field; QA6 #20). The lower layers phrase their advice for the CLI (:func:`name_controls`)."""
    return name_controls(text, key_terms)


# --- pydantic's errors in plain words ------------------------------------------------------------
_MODELS: dict[str, Any] = {}


def register_model(model: type) -> None:
    """Let :func:`describe_validation_error` find a model's fields by the name pydantic reports."""
    _MODELS.setdefault(model.__name__, model)


def _quoted_choices(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text or "")


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The type inside ``Annotated``/``Optional`` layers and the metadata collected on the way."""
    metadata: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            args = typing.get_args(annotation)
            annotation, metadata = args[0], metadata + list(args[1:])
            continue
        if origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation, metadata


def _models_in(annotation: Any) -> list[Any]:
    """Pydantic model classes an annotation may hold (through Optional, unions and tuples)."""
    from pydantic import BaseModel

    annotation, _ = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out = []
    for arg in typing.get_args(annotation):
        if arg is not type(None) and arg is not Ellipsis:
            out.extend(_models_in(arg))
    return out


def _field_of(model: type, key: Any) -> Any:
    fields = getattr(model, "model_fields", {})
    if key in fields:
        return fields[key]
    for field in fields.values():
        if field.alias == key:
            return field
    return None


def _typed_key(model: type, field: Any) -> str:
    """The key a user types for ``field`` of ``model`` (a field found by :func:`_field_of`): its alias where it has
    one, else its name."""
    return field.alias or next(n for n, f in getattr(model, "model_fields", {}).items() if f is field)


def _locate(title: str, loc: tuple) -> Any:
    """The ``FieldInfo`` that pydantic's location ``loc`` names in the model called ``title``
    (any registered model that has that location when ``title`` is not one, e.g. a web body)."""
    return _walk(title, loc)[0]


def _walk(title: str, loc: tuple) -> tuple[Any, tuple | None]:
    """``(FieldInfo, loc without union tags)`` of a location, or ``(None, None)`` when unknown."""
    if title not in _MODELS:
        for name in list(_MODELS):
            walked = _walk(name, loc) if loc else (None, None)
            if walked[0] is not None:
                return walked
        return None, None
    models = [_MODELS[title]]
    field = None
    kept: list = []
    tag_allowed = False
    for part in loc:
        if isinstance(part, int):
            kept.append(part)
            continue
        found = None
        for model in models:
            found = _field_of(model, part)
            if found is not None:
                break
        if found is None:
            if tag_allowed:  # right after a field holding a union: the member's tag ("<laser>", "cryogen")
                tag_allowed = False
                continue
            return None, None
        field = found
        kept.append(part)
        models = _models_in(found.annotation)
        tag_allowed = len(models) > 1
    return field, tuple(kept)


def _literals(annotation: Any) -> tuple:
    return typing.get_args(annotation) if typing.get_origin(annotation) is typing.Literal else ()


def _union_tags(field: Any, key: str) -> list[str]:
    """The tags (``kind`` values) of the models a union field may hold."""
    tags: list[str] = []
    for model in _models_in(field.annotation) if field is not None else []:
        member = _field_of(model, key)
        if member is not None and typing.get_origin(member.annotation) is typing.Literal:
            tags.extend(str(a) for a in typing.get_args(member.annotation))
    return tags


def range_words(gt: Any = None, ge: Any = None, lt: Any = None, le: Any = None, fmt: Any = None) -> str:
    """Bounds in plain words: ``range_words(ge=1, le=20)`` is ``"from 1 to 20"``."""
    fmt = fmt or (lambda v: str(v) if isinstance(v, int) else f"{v:g}")
    if ge is not None and le is not None:
        return f"from {fmt(ge)} to {fmt(le)}"
    parts = []
    if gt is not None:
        parts.append(f"more than {fmt(gt)}")
    if ge is not None:
        parts.append(f"at least {fmt(ge)}")
    if lt is not None:
        parts.append(f"less than {fmt(lt)}")
    if le is not None:
        parts.append(f"at most {fmt(le)}")
    return " and ".join(parts)


def field_at(model: Any, path: tuple[str, ...] | list[str]) -> Any:
    """The ``FieldInfo`` at a dotted location of an input model (``field_at(Scenario, ("transport", "photons"))``),
    keys by name or alias, through optional and union tables; ``None`` where there is none."""
    field = None
    models = [model]
    for key in path:
        field = next((f for m in models if (f := _field_of(m, key)) is not None), None)
        if field is None:
            return None
        models = _models_in(field.annotation)
    return field


def field_range(field: Any) -> tuple[dict[str, Any], Any]:
    """``(bounds, quantity spec)`` of a field: ``({"ge": 1000, "le": 10000000}, None)`` for a bounded number, or the
    SI bounds and the :class:`laserskin.core.units.QuantitySpec` of a quantity (whose ``bound`` formats them)."""
    annotation, metadata = _unwrap(field.annotation)
    metadata = list(field.metadata) + metadata
    for item in metadata:
        if hasattr(item, "si_unit") and hasattr(item, "describe"):  # a laserskin.core.units.QuantitySpec
            return {k: getattr(item, k) for k in ("gt", "ge", "lt", "le") if getattr(item, k) is not None}, item
    bounds = {}
    for item in metadata:
        for name in ("gt", "ge", "lt", "le"):
            if getattr(item, name, None) is not None:
                bounds[name] = getattr(item, name)
    return bounds, None


class Choices:
    """What a text field takes where its own check (a validator) holds the values: ``site: Annotated[str,
    Choices(SITES)]``. It checks nothing; it gives the field the words of its check, ``one of forehead, cheek,
    ...``, where the type alone says "text" (:func:`describe_field`), so that a missing value says what is expected
    as a wrong one does, in every interface (before, ``plan.site: required; expected text``; QA12 #5). The JSON
    schema is unchanged (the check also reads ``" Cheek "`` and, for a skin type, ``4``)."""

    __slots__ = ("values",)

    def __init__(self, values: typing.Iterable[Any]):
        self.values = tuple(str(value) for value in values)

    def describe(self) -> str:
        return "one of " + ", ".join(self.values)

    def __repr__(self) -> str:
        return f"Choices({self.values!r})"


class Floor:
    """A higher lower end that some commands hold a field to, beside the field's own, and why: ``photons:
    Annotated[int, Floor(1000, "a simulation takes from 1000: ...")] = Field(ge=1)``. It checks nothing (the command
    does: :meth:`laserskin.pipeline.settings.SimulationSettings.from_tables`); a refusal of the field that states
    its own range adds the words, unless the value given already meets the floor or lies over the upper end
    (:func:`describe_error_item`). So one schema shared by two commands (``laserskin transport`` takes photons from
    1, a simulation from 1000) states the range of each, and a user who follows the first refusal is not refused
    by the second (QA13 #6: ``photons = 0`` read "from 1 to 10000000000", then ``photons = 10`` "from 1000")."""

    __slots__ = ("lowest", "words")

    def __init__(self, lowest: float, words: str):
        self.lowest = lowest  # not ``ge``: the field's own bounds are read from metadata by that name (field_range)
        self.words = words

    def __repr__(self) -> str:
        return f"Floor({self.lowest!r}, {self.words!r})"


def floor_of(field: Any) -> Floor | None:
    """The :class:`Floor` of a field, or ``None``."""
    if field is None:
        return None
    _, inner = _unwrap(field.annotation)
    return next((m for m in [*field.metadata, *inner] if isinstance(m, Floor)), None)


def _meets(value: Any, ge: float) -> bool:
    """Whether a given value (a number, or a number written as text) is at least ``ge``."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return False
    return isinstance(value, int | float) and value >= ge


def describe_field(field: Any) -> str | None:
    """What a field accepts, in plain words (``None`` when that cannot be said simply)."""
    if field is None:
        return None
    annotation, inner = _unwrap(field.annotation)
    choices = next((m for m in [*field.metadata, *inner] if isinstance(m, Choices)), None)
    if choices is not None:
        return choices.describe()
    bounds, spec = field_range(field)
    if spec is not None:
        return spec.describe()
    if annotation is bool:
        return "true or false"
    if annotation is int:
        words = range_words(**bounds)
        return f"a whole number {words}".strip()
    if annotation is float:
        words = range_words(**bounds)
        return f"a number {words}".strip()
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(annotation))
    if annotation is str:
        return "text"
    models = _models_in(annotation)
    if models:
        return "a table"
    return None


def _allowed(field: Any, fallback: str) -> str:
    return describe_field(field) or fallback


_STARTS_WITH_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*): (.+)$", re.S)


def _join(location: str, key: str) -> str:
    if location and key.startswith("["):  # an index: layers + [1].k is layers[1].k
        return f"{location}{key}"
    return f"{location}.{key}" if location else key


def _dotted(parts: Any) -> str:
    """A location in README's style: keys joined by dots, an item of an array by its index in brackets
    (``inclusions[0].kind``, as ``layers[1].k``; before, pydantic's ``inclusions.0.kind``)."""
    text = ""
    for part in parts:
        text = f"{text}[{part}]" if isinstance(part, int) else f"{text}.{part}" if text else str(part)
    return text


def describe_error_item_fully(item: Any, title: str, prefix: str = "", *, mapping: str = "table") -> str:
    """:func:`describe_error_item` with the model ``title``; where that model only says "text" (a free-text
    field checked later), the first other registered model with the same location that says more. Every
    candidate is tried, since the registry's order follows import order. A checked text field of an input model
    says its values itself (:class:`Choices`, which every interface reads: ``PlanRequest.fitzpatrick``, QA12 #5)."""
    line = describe_error_item(item, title, prefix, mapping=mapping)
    if not (title and line.endswith("expected text")):
        return line
    loc = tuple(item.get("loc", ()))
    for name in list(_MODELS):
        if name != title and _locate(name, loc) is not None:
            other = describe_error_item(item, name, prefix, mapping=mapping)
            # one that says more: not "text" again, nor nothing (a sweep population's loose `fitzpatrick: Any`)
            if "expected" in other and not other.endswith("expected text"):
                return other
    return line


def describe_error_item(item: Any, title: str = "", prefix: str = "", *, mapping: str = "table") -> str:
    """One line for one problem of a pydantic ``ValidationError`` (an item of ``error.errors()``): see
    :func:`_describe_item`; a field with a :class:`Floor` adds its words where the line states the field's range
    below it (not for a value over the upper end, nor one that meets the floor)."""
    line = _describe_item(item, title, prefix, mapping=mapping)
    loc = tuple(item.get("loc", ()))
    floor = floor_of(_walk(title, loc)[0]) if loc else None
    if floor is None or "expected" not in line or _meets(item.get("input"), floor.lowest):
        return line
    if item.get("type") in ("less_than", "less_than_equal"):
        return line
    return f"{line} ({floor.words})"


def _describe_item(item: Any, title: str = "", prefix: str = "", *, mapping: str = "table") -> str:
    """One line for one problem of a pydantic ``ValidationError`` (an item of ``error.errors()``).

    ``title`` names the validated model (``error.title``); for errors without one (a web
    framework's request validation) the registered input models are searched for the location.
    ``mapping`` is the word for a key–value mapping in the input's own format: ``"table"`` (TOML, the
    default) or ``"object"`` (a JSON body, QA5 #13).
    """
    loc = tuple(item.get("loc", ()))
    # "<...>" parts are the tags of tagged unions (which member was tried), not fields
    location = _dotted(part for part in loc if not str(part).startswith("<"))
    if prefix:
        location = f"{prefix}.{location}" if location else prefix
    kind = item.get("type", "")
    ctx = item.get("ctx") or {}
    value = item.get("input")
    error = ctx.get("error")
    keys: list[str] = []
    if kind == "extra_forbidden":  # the unknown key is no field: find its table, then add the key
        table, kept = _walk(title, loc[:-1]) if loc[:-1] else (None, ())
        kept = None if kept is None else (*kept, *loc[-1:])
        models = _models_in(table.annotation) if table is not None else [_MODELS[title]] if title in _MODELS else []
        if len(loc) >= 2 and len(models) > 1:  # a tagged union: the tag names the member
            tagged = [m for m in models if any(loc[-2] in _literals(f.annotation) for f in m.model_fields.values())]
            models = tagged or models
        for model in models if kept is not None else []:
            keys.extend(k for k in (f.alias or n for n, f in model.model_fields.items()) if k not in keys)
        field = None
    else:
        field, kept = _walk(title, loc)
    if kept is not None and kept != loc:  # union tags (cooling "cryogen") are not part of the field's name
        location = _dotted(kept)
        if prefix:
            location = f"{prefix}.{location}" if location else prefix
    got = "got null" if value is None and mapping == "object" else f"got {shown(value)}"  # JSON's word for None
    if isinstance(error, InputError):
        if error.field:
            location = _join(location, error.field)
        return f"{location or 'input'}: {error.detail}"
    if kind == "missing":
        allowed = describe_field(field)
        return f"{location}: required" + (f"; expected {allowed}" if allowed else "")
    if kind == "extra_forbidden":
        if keys and len(keys) <= 30:
            return f"{location}: unknown key; expected one of {', '.join(keys)}"
        return f"{location}: unknown key (not part of the schema; check its spelling and table)"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        key = ctx.get("discriminator", "kind").strip("'\"")
        choices = _quoted_choices(ctx.get("expected_tags", "")) or _union_tags(field, key)
        allowed = f"one of {', '.join(choices)}" if choices else "a known kind"
        if kind == "union_tag_not_found":
            return f"{_join(location, key)}: required; expected {allowed}"
        return f"{_join(location, key)}: got {shown(ctx.get('tag'))}; expected {allowed}"
    if kind in ("literal_error", "enum"):
        choices = _quoted_choices(ctx.get("expected", ""))
        allowed = f"one of {', '.join(choices)}" if choices else _allowed(field, "one of the listed values")
        return f"{location}: {got}; expected {allowed}"
    if kind in ("int_from_float", "int_parsing", "int_parsing_size", "int_type"):
        return f"{location}: {got}; expected {_allowed(field, 'a whole number')}"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{location}: {got}; expected {_allowed(field, 'a finite number')}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{location}: {got}; expected {_allowed(field, 'a number ' + range_words(**ctx))}"
    if kind in ("bool_parsing", "bool_type"):
        return f"{location}: {got}; expected true or false"
    if kind in ("string_type", "string_pattern_mismatch"):
        return f"{location}: {got}; expected {_allowed(field, 'text')}"
    if kind in ("tuple_type", "list_type", "set_type", "iterable_type"):  # QA: read "Input should be a valid tuple"
        models = _models_in(field.annotation) if field is not None else []
        return f"{location or 'input'}: {got}; expected an array" + (f" of {mapping}s" if models else "")
    if kind in ("too_short", "too_long"):  # an array (JSON's and TOML's word) with too few or too many items
        actual = ctx.get("actual_length")
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        given = "an empty array" if actual == 0 else f"{actual} item{'' if actual == 1 else 's'}"
        limit = f"at least {bound}" if kind == "too_short" else f"at most {bound}"
        return f"{location or 'input'}: got {given}; expected {limit} item{'' if bound == 1 else 's'}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{location or 'input'}: {got}; expected {'an' if mapping[:1] in 'aeiou' else 'a'} {mapping}"
    message = item.get("msg", "invalid").removeprefix("Value error, ")
    match = _STARTS_WITH_KEY.match(message)
    if match and " " not in match.group(1):  # "density: got ..." from a validator: the key joins the location
        location, message = _join(location, match.group(1)), match.group(2)
    if isinstance(value, dict | list) or value is None or "got " in message:
        return f"{location or 'input'}: {message}"
    if message.startswith("expected "):  # a validator's "expected ...": the value goes first
        return f"{location or 'input'}: {got}; {message}"
    head, sep, tail = message.partition("; expected ")
    if sep:  # "unknown body site; expected one of ..."
        return f"{location or 'input'}: {got} ({head}); expected {tail}"
    return f"{location or 'input'}: {message} ({got})"


def located_in(error: Exception, model: type, prefix: str) -> Exception:
    """The problems of a model that a validator of ``model`` builds from ``model``'s own fields (the
    :class:`laserskin.skin.Person` of a flat :class:`laserskin.planning.PlanRequest`), each at the field of
    ``model`` the user typed; raise it from the validator.

    The one rule for a sub-model checked inside an outer model's validator: a problem whose field is a field of
    ``model`` (by name or alias) is located there, so pydantic reports it at that field (``plan.fitzpatrick`` on
    the CLI, as ``plan.age``; ``loc: ["body", "fitzpatrick"]`` on the JSON API), and any other at ``prefix`` and
    its own location. Before, the validator raised the sub-model's text as one value error of the whole model:
    ``plan.person.fitzpatrick`` on the CLI and ``loc: ["body"]`` with ``person.fitzpatrick`` on the API, for a
    body without a ``person`` key (QA15 #6). Each problem keeps the sub-model's words (``got 'VII'; expected one
    of I, II, ...``).

    Parameters
    ----------
    error : Exception
        The sub-model's ``pydantic.ValidationError`` (anything else is returned as it is).
    model : type
        The outer model whose validator builds the sub-model.
    prefix : str
        Location of a problem on a field that ``model`` does not have (``"person"``).

    Returns
    -------
    Exception
        A ``pydantic.ValidationError`` titled ``model``'s name, one problem per line of ``error``.
    """
    from pydantic import ValidationError
    from pydantic_core import InitErrorDetails

    if not isinstance(error, ValidationError):
        return error
    problems: list[InitErrorDetails] = []
    for item in error.errors():
        line = describe_error_item(item, error.title)
        match = _STARTS_WITH_KEY.match(line)
        key, detail = (match.group(1), match.group(2)) if match else ("", line)
        head, _, rest = key.partition(".")
        field = _field_of(model, head) if head else None
        if field is not None:  # the outer field's own key, as typed (its alias where it has one)
            name = _typed_key(model, field)
            loc: tuple = (name, *(rest.split(".") if rest else ()))
        else:
            loc = (prefix, *(key.split(".") if key else ()))
        problems.append(_problem_at(loc, detail, item.get("input")))
    return ValidationError.from_exception_data(model.__name__, problems)


def _problem_at(loc: tuple, detail: str, value: Any) -> Any:
    """One pydantic problem at ``loc`` whose text is ``detail`` as it is (``got ...; expected ...``)."""
    from pydantic_core import InitErrorDetails, PydanticCustomError

    refusal = InputError("", value, "", message=detail)  # described as it is (_describe_item)
    return InitErrorDetails(
        type=PydanticCustomError("value_error", "{error}", {"error": refusal}), loc=loc, input=value
    )


def located_at(refusal: InputError, model: type) -> Exception:
    """An :class:`InputError` that a validator of ``model`` raises about one of ``model``'s own fields, located at
    that field as typed (its alias where it has one), so that the JSON API reports it there (``loc: ["body",
    "area"]``) as the command line does (``plan.area``); a refusal about anything else is returned as it is.
    Raise it from the validator. The same rule as :func:`located_in`, for a check across fields (a plan's area
    against its site's anatomical area, QA15 #6)."""
    from pydantic import ValidationError

    field = _field_of(model, refusal.field)
    if field is None:
        return refusal
    name = _typed_key(model, field)
    return ValidationError.from_exception_data(model.__name__, [_problem_at((name,), refusal.detail, refusal.value)])


def describe_validation_error(error: Exception, prefix: str = "") -> str:
    """One line per problem of a pydantic ``ValidationError`` (or an :class:`InputError`), in plain words.

    Each line names the field (dotted location, ``prefix`` first), the value given and what is
    allowed: ``laser.fluence: got '10 J', an energy; expected an areal energy density more than
    0 J/cm^2, such as '10 J/cm^2'``. Missing fields say what they need; wrong tags list the kinds.

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
            line = describe_error_item(item, error.title, prefix)
            if line not in lines:
                lines.append(line)
        return "\n".join(lines)
    if isinstance(error, InputError) and prefix:
        return f"{prefix}.{error}"
    return str(error)
