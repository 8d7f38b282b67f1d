"""What every command shares: error handling, output checks, "wrote FILE" lines, JSON and tables.

Rules of the shell (documented in ``laserskin --help``):

* Bad input prints **one line** ``error: FIELD: got VALUE; expected ALLOWED`` on stderr and
  exits with status 2, before anything is computed or written.
* Every output path is checked before the computation starts (writable folder, not a
  directory, a known figure format); an output file that already exists is an error
  unless ``--force`` is given. (``sweep --out`` is the one exception: re-running into
  its folder resumes the sweep.)
* Every file written is reported as ``wrote PATH`` on stderr, so ``--json`` output on
  stdout stays one line of strict JSON (NaN and infinities become ``null``).
* Nothing here is parsed as terminal markup: square brackets (``[person]``) print as typed.

This module imports only the standard library and typer; everything heavy is imported
inside functions so ``laserskin --help`` stays fast.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILURE",
    "FIGURE_SUFFIXES",
    "Outputs",
    "ShellGroup",
    "console",
    "describe",
    "describe_cooling",
    "error_line",
    "handles_errors",
    "note",
    "option_error",
    "print_json",
    "strict_json",
    "to_jsonable",
    "AGE_HELP",
    "SUN_EXPOSURE_HELP",
    "LAXITY_HELP",
    "FORCE_HELP",
]

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130

#: Figure formats matplotlib writes (with pillow, one of its dependencies, for JPEG, TIFF and WebP).
FIGURE_SUFFIXES = (".png", ".svg", ".pdf", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".eps")

# One wording for the person's grades everywhere in the shell (and the web: same text).
AGE_HELP = 'Age in years, 18-100: a number (55) or with its unit ("55 year").'
SUN_EXPOSURE_HELP = "Photoaging grade 0-3, equal to Glogau type I-IV (0: no wrinkles ... 3: only wrinkles)."
LAXITY_HELP = "Laxity grade 0-4 (Alexiades-Armenakas): 0 none, 1 mild, 2 moderate, 3 advanced, 4 severe."
FORCE_HELP = "Overwrite output files that already exist (without it, an existing output is an error)."

DEBUG_ENV = "LASERSKIN_DEBUG"


# --- printing --------------------------------------------------------------------------------
_CONSOLE: Any = None


def console() -> Any:
    """The stdout rich console (markup and highlighting off: text prints as typed)."""
    global _CONSOLE
    if _CONSOLE is None:
        from rich.console import Console

        _CONSOLE = Console(markup=False, highlight=False, emoji=False)
    return _CONSOLE


#: Longest error line printed; a longer one (a 5000-digit value echoed back) is cut in the middle.
MAX_ERROR_CHARACTERS = 2000


def error_line(message: Any) -> None:
    """Print ``error: MESSAGE`` as one line on stderr (never interpreted as markup)."""
    text = "; ".join(part.strip() for part in str(message).splitlines() if part.strip())
    if len(text) > MAX_ERROR_CHARACTERS:
        half = MAX_ERROR_CHARACTERS // 2
        text = f"{text[:half]} … ({len(text) - 2 * half} characters left out) … {text[-half:]}"
    sys.stderr.write(f"error: {text}\n")
    sys.stderr.flush()


def note(message: str) -> None:
    """One informational line on stderr (keeps stdout for results)."""
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()


#: The summary notes that are warnings (the setting leaves what the model describes: boiling, charring,
#: freezing); every other ``*_note`` is an informational note. The CLI prints them as ``warning:`` and
#: ``note:`` lines, the web result page with the same two styles (QA6 #16). The same keys as
#: ``laserskin.pipeline.summary.OUTSIDE_MODEL_NOTES``, which set ``within_model_validity`` false (QA8 #2; a test).
WARNING_NOTES = ("ablative_note", "pyrolysis_note", "freezing_note", "depth_note", "crater_note")
#: Notes said first, in this order; any other ``*_note`` key follows in alphabetical order.
NOTE_ORDER = ("grid_note", "peak_temperature_note", *WARNING_NOTES)


def summary_notes(summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(key, level, text)`` of every non-empty top-level ``*_note`` of a simulation summary, ``level``
    ``"warning"`` or ``"note"``: the one list the CLI's stderr lines and the web result page both show, so a
    new note reaches both without a change here."""
    keys = [k for k in summary if isinstance(k, str) and k.endswith("_note")]
    ordered = [k for k in NOTE_ORDER if k in keys] + sorted(k for k in keys if k not in NOTE_ORDER)
    return [
        (key, "warning" if key in WARNING_NOTES else "note", str(summary[key]).strip())
        for key in ordered
        if isinstance(summary[key], str) and summary[key].strip()
    ]


def to_jsonable(value: Any, unknown: Any = None) -> Any:
    """Plain JSON types: NaN/±inf → ``None``, numpy → Python, paths → str, models → dicts.

    ``unknown``: how to render any other object (e.g. ``str``); by default it is a TypeError.
    The CLI's ``--json`` and the web's job files and API both use this one cleaner.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): to_jsonable(item, unknown) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(item, unknown) for item in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "model_dump"):  # pydantic models
        return to_jsonable(value.model_dump(mode="json", by_alias=True), unknown)
    if hasattr(value, "dtype") and hasattr(value, "tolist"):  # numpy scalars and arrays
        return to_jsonable(value.tolist(), unknown)
    if hasattr(value, "item"):
        return to_jsonable(value.item(), unknown)
    if unknown is not None:
        return unknown(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def strict_json(payload: Any) -> str:
    """One line of strict JSON (RFC 8259: no NaN or Infinity tokens)."""
    return json.dumps(to_jsonable(payload), allow_nan=False, ensure_ascii=False)


def print_json(payload: Any) -> None:
    """Write ``payload`` to stdout as one line of strict JSON."""
    sys.stdout.write(strict_json(payload) + "\n")
    sys.stdout.flush()


# --- errors ----------------------------------------------------------------------------------
def describe(error: BaseException) -> tuple[str, int] | None:
    """The one-line message and exit status of an error a user can fix, or ``None`` for a bug."""
    import tomllib

    from pydantic import ValidationError

    from laserskin.core.errors import InputError, describe_validation_error

    if isinstance(error, InputError):
        return str(error), EXIT_BAD_INPUT
    if isinstance(error, ValidationError):
        return describe_validation_error(error), EXIT_BAD_INPUT
    if isinstance(error, UnicodeDecodeError):
        return f"input: got bytes that are not UTF-8 text ({error.reason}); expected a UTF-8 text file", EXIT_BAD_INPUT
    if isinstance(error, tomllib.TOMLDecodeError):
        return f"input: got invalid TOML ({error}); expected a TOML file", EXIT_BAD_INPUT
    if isinstance(error, MemoryError):
        return "the problem does not fit in memory: reduce the grid, photons or stored times", EXIT_BAD_INPUT
    if isinstance(error, OverflowError):
        return (
            f"a value is beyond what the computation can represent ({error}): check step sizes, grid and photons",
            EXIT_BAD_INPUT,
        )
    if isinstance(error, OSError) and (error.filename or error.strerror):
        where = f"{error.filename}: " if error.filename else ""
        cache = os.environ.get("LASERSKIN_CACHE_DIR")
        hint = ""
        if cache and error.filename and os.fspath(error.filename).startswith(cache):
            hint = " (the transport cache: LASERSKIN_CACHE_DIR must name a writable folder)"
        return f"{where}{error.strerror or error}{hint}", EXIT_BAD_INPUT
    return None


def handles_errors(command: Callable) -> Callable:
    """Run a command so that no user ever sees a traceback.

    * input errors (:class:`~laserskin.core.errors.InputError`, pydantic validation,
      undecodable or invalid files, unreadable paths, a problem too large for memory or a
      number overflowing, the last two being safety nets behind the models' own limits):
      one line on stderr, exit status 2;
    * Ctrl-C: one line, exit status 130;
    * anything else is a bug: one line naming the exception, exit status 1; set
      ``LASERSKIN_DEBUG=1`` to see the traceback.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            error_line("interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as error:  # noqa: BLE001 - the shell's last line of defence
            if _is_click_exception(error):
                raise
            known = describe(error)
            if known is None:
                if os.environ.get(DEBUG_ENV):
                    raise
                error_line(
                    f"internal error ({type(error).__name__}: {error}); please report it, "
                    f"{DEBUG_ENV}=1 shows the traceback"
                )
                raise typer.Exit(EXIT_FAILURE) from None
            message, status = known
            error_line(message)
            raise typer.Exit(status) from None

    return wrapper


def _is_click_exception(error: BaseException) -> bool:
    return any(cls.__name__ == "ClickException" for cls in type(error).__mro__)


# --- outputs ---------------------------------------------------------------------------------
class Outputs:
    """The files a command will write: checked before the computation, reported when written.

    Parameters
    ----------
    force : bool
        Overwrite files that exist (the ``--force`` flag); without it an existing output is
        an input error.
    """

    def __init__(self, force: bool = False):
        self.force = force
        self.written: list[Path] = []

    def file(self, path: Path | str | None, option: str, *, suffixes: Sequence[str] | None = None) -> Path | None:
        """Check one output file (``None`` passes through) and return it as a path."""
        from laserskin.core.errors import InputError

        if path is None:
            return None
        path = Path(path).expanduser()
        if str(path) in {"", "."}:
            raise InputError(option, str(path), "a file path")
        if suffixes is not None and path.suffix.lower() not in suffixes:
            raise InputError(option, str(path), "a file ending in " + ", ".join(suffixes))
        if path.is_dir():
            raise InputError(option, str(path), "a file path, not a directory")
        if path.exists() and not self.force:
            raise InputError(option, str(path), "a path that does not exist yet (or --force to overwrite it)")
        if path.exists() and not os.access(path, os.W_OK):
            raise InputError(option, str(path), "a writable file")
        _check_folder(path.parent, option, str(path))
        return path

    def folder(self, path: Path | str | None, option: str, names: Iterable[str]) -> Path | None:
        """Check an output folder and the files ``names`` that will be written into it."""
        from laserskin.core.errors import InputError

        if path is None:
            return None
        path = Path(path).expanduser()
        if path.exists() and not path.is_dir():
            raise InputError(option, str(path), "a folder (this path is a file)")
        _check_folder(path, option, str(path))
        existing = [name for name in names if (path / name).exists()]
        for name in existing:
            if (path / name).is_dir():
                raise InputError(option, str(path / name), "a file path, not a directory")
        if existing and not self.force:
            raise InputError(option, str(path), f"a folder without {', '.join(existing)} (or --force to overwrite)")
        return path

    def wrote(self, path: Path | str) -> Path:
        """Record and report (``wrote PATH`` on stderr) a file that was written."""
        path = Path(path)
        self.written.append(path)
        note(f"wrote {path}")
        return path


def _check_folder(folder: Path, option: str, shown: str) -> None:
    """The folder exists and is writable, or can be created inside a writable existing one."""
    from laserskin.core.errors import InputError

    probe = folder.resolve() if str(folder) else Path.cwd()
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(option, shown, f"a path whose folder can be created ({probe} is a file)")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(option, shown, f"a path in a writable folder ({probe} is not writable)")
    # the permission bits do not tell everything (root; /proc, read-only mounts): try it before the run, not after
    import tempfile

    try:
        os.rmdir(tempfile.mkdtemp(prefix=".laserskin-probe-", dir=probe))
    except OSError as error:
        raise InputError(option, shown, f"a path in a writable folder ({probe}: {error.strerror or error})") from None


def check_threads(threads: int | None, field: str) -> None:
    """Refuse a thread count over the cores numba may use here, before anything runs, naming the option or the
    scenario key that set it (``--threads`` or ``transport.threads``): the schema's own range (1 to 1024) is wider
    than any machine's, and the transport's check came only when the run started, naming ``threads``."""
    if threads is None:
        return
    import numba

    from laserskin.core.errors import InputError

    # numba.config sets its NUMBA_* names at import (globals() from the environment): mypy cannot see them
    most = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= most:
        raise InputError(field, threads, f"a whole number from 1 to {most} (the cores numba may use here)")


def describe_cooling(cooling: Any) -> str:
    """One line for a cooling table or model: its kind, then its settings."""
    if cooling is None:
        return "none"
    if hasattr(cooling, "model_dump"):
        cooling = cooling.model_dump(mode="json", by_alias=True)
    if not isinstance(cooling, dict):
        return str(cooling)
    kind = cooling.get("kind", "?")
    rest = ", ".join(f"{key} {value}" for key, value in cooling.items() if key != "kind" and value is not None)
    return f"{kind} ({rest})" if rest else str(kind)


def option_error(error: BaseException, args: Sequence[str]) -> str | None:
    """``--option: got VALUE; expected WHAT`` for a number option click could not take, or ``None``.

    The wording is :mod:`laserskin.core.errors`' (``a whole number from 1 to 65535``); the value
    is read back from the command line (click's error does not carry it).
    """
    import typing

    from laserskin.core.errors import range_words, shown

    param = getattr(error, "param", None)
    if param is None or type(error).__name__ != "BadParameter":
        return None
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    kinds = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    kind = kinds[0] if len(kinds) == 1 else None
    if kind not in (int, float):
        return None
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    bounds = {
        "gt" if getattr(param, "min_open", False) else "ge": low,
        "lt" if getattr(param, "max_open", False) else "le": high,
    }
    words = range_words(**bounds)
    expected = f"{'a whole number' if kind is int else 'a number'} {words}".strip()
    opts = list(getattr(param, "opts", None) or [param.name])
    value: Any = None
    for index, arg in enumerate(args):
        if arg in opts and index + 1 < len(args):
            value = args[index + 1]
        for opt in opts:
            if arg.startswith(f"{opt}="):
                value = arg[len(opt) + 1 :]
    return f"{max(opts, key=len)}: got {shown(value)}; expected {expected}"


class ShellGroup(TyperGroup):
    """The app's command group: usage errors (unknown option, a non-integer ``--laxity`` …) as one line.

    click prints usage errors as three lines (usage, hint, error); here they become
    ``error: MESSAGE (see 'laserskin COMMAND --help')`` with exit status 2, like every other
    input error. Help, ``--version`` and exit statuses are otherwise click's.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra)
        try:
            status = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.Abort:
            error_line("aborted")
            sys.exit(EXIT_FAILURE)
        except Exception as error:
            if not _is_click_exception(error):
                raise
            if type(error).__name__ == "NoArgsIsHelpError":
                error.show()  # type: ignore[attr-defined]  # the help text, as click prints it
                sys.exit(error.exit_code)  # type: ignore[attr-defined]
            context = getattr(error, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context is not None else ""
            given = list(sys.argv[1:] if args is None else args)
            error_line(f"{option_error(error, given) or error.format_message()}{hint}")  # type: ignore[attr-defined]
            sys.exit(getattr(error, "exit_code", EXIT_BAD_INPUT))
        sys.exit(status if isinstance(status, int) else 0)
