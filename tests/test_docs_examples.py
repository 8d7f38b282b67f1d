"""Every example in README.md and docs/*.md runs verbatim.

Which fenced blocks run:

* ```` ```python ```` blocks run in a fresh interpreter as if pasted into it (``python -c``; a
  block of ``>>>`` lines runs as a doctest), each block on its own, in a scratch folder that holds a link to
  ``examples/``, so relative paths in the docs resolve and outputs land in the scratch folder;
* ```` ```bash ```` / ```` ```sh ```` / ```` ```shell ```` / ```` ```console ```` blocks: every
  command line that starts with ``laserskin`` or ``python`` runs in bash (``\\`` continuations
  joined, ``$ `` prompts and trailing ``# comments`` removed). Lines of other programs
  (``make``, ``dask``, ``pip``: the Makefile and CI run those) are not run, nor are commands
  that need what a test machine lacks: ``laserskin serve`` (a server that runs until stopped;
  tests/web start it) and anything addressed to a cluster (``tcp://``).
* blocks without a language, or in another language (``toml``, ``text``), are not run: that is
  how a synopsis with ``[--optional]`` placeholders is written.

Each example must exit with status 0. They run the real physics at the documented settings,
hence the ``slow`` marker.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN_LANGUAGES = {"python", "bash", "sh", "shell", "console"}
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")
SKIPPED_PROGRAMS = ("make", "dask", "pip", "cd", "export", "git")
TIMEOUT_S = 900


def fenced_blocks(markdown: str) -> list[tuple[int, str, str]]:
    """``(line, language, text)`` of every fenced code block of a Markdown text."""
    blocks = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, language, start = match["fence"], match["info"].lower(), index + 1
        index += 1
        body = []
        while index < len(lines) and not lines[index].strip().startswith(fence):
            body.append(lines[index])
            index += 1
        blocks.append((start, language, "\n".join(body)))
        index += 1
    return blocks


def shell_commands(text: str) -> list[str]:
    """The runnable command lines of a shell block (see the module docstring)."""
    joined = re.sub(r"\\\n\s*", " ", text)
    commands = []
    for line in joined.splitlines():
        line = line.strip()
        line = line.removeprefix("$ ").strip()
        if not line or line.startswith("#"):
            continue
        words = shlex.split(line, comments=True)
        if not words or words[0] in SKIPPED_PROGRAMS:
            continue
        if words[0] not in {"laserskin", "python", "python3"}:
            continue
        if words[:2] == ["laserskin", "serve"] or any("tcp://" in word for word in words):
            continue
        commands.append(shlex.join(words))
    return commands


def examples() -> list:
    """One parameter per distinct example: an example written verbatim in several places (the same command line in
    README.md and docs/cli.md) runs once, its id naming every place (``README.md:82#3+docs/cli.md:212#0``). Each run
    is a fresh interpreter in its own scratch folder, so a second run of the same text checks nothing the first did
    not; it only repeated the simulation."""
    places: dict[tuple[str, str], list[str]] = {}
    for path in DOCUMENTS:
        for line, language, text in fenced_blocks(path.read_text(encoding="utf-8")):
            if language not in RUN_LANGUAGES:
                continue
            name = f"{path.relative_to(ROOT)}:{line}"
            if language == "python":
                places.setdefault(("python", text), []).append(name)
            else:
                for number, command in enumerate(shell_commands(text)):
                    places.setdefault(("shell", command), []).append(f"{name}#{number}")
    return [pytest.param(kind, code, id="+".join(names)) for (kind, code), names in places.items()]


def test_the_block_parser_finds_fences_and_commands():
    text = "x\n```bash\nlaserskin a \\\n  --b 1   # c\nmake demo\n$ laserskin serve\n```\n```\nlaserskin [--x]\n```\n"
    blocks = [(language, body) for _, language, body in fenced_blocks(text)]
    assert blocks[0][0] == "bash" and blocks[1][0] == ""
    assert shell_commands(blocks[0][1]) == ["laserskin a --b 1"]


def test_an_example_written_in_two_places_runs_once_under_both_names(tmp_path, monkeypatch):
    """The same command line in two documents is one parameter whose id names both places; different text is not."""
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    first.write_text("```bash\nlaserskin devices\nlaserskin --version\n```\n", encoding="utf-8")
    second.write_text("x\n```sh\nlaserskin devices\n```\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    monkeypatch.setitem(globals(), "DOCUMENTS", [first, second])
    params = {p.id: p.values for p in examples()}
    assert params == {"a.md:1#0+b.md:2#0": ("shell", "laserskin devices"), "a.md:1#1": ("shell", "laserskin --version")}


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    source = ROOT / "src"
    monkeypatch.setenv("PYTHONPATH", f"{source}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize("kind, code", examples())
def test_documented_example_runs(scratch, kind, code):
    if kind == "python":
        script = scratch / "example.py"
        if ">>>" in code:
            script.write_text(
                "import doctest, sys\n"
                f"text = {code!r}\n"
                "test = doctest.DocTestParser().get_doctest(text, {}, 'example', 'example.md', 0)\n"
                "runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)\n"
                "runner.run(test)\n"
                "sys.exit(1 if runner.failures else 0)\n",
                encoding="utf-8",
            )
            command = [sys.executable, str(script)]
        else:
            # as pasted into an interpreter: `-c` code has no file, so worker processes that
            # dask or multiprocessing spawn do not run the example again
            command = [sys.executable, "-c", code]
    else:
        command = ["bash", "-c", code]
    completed = subprocess.run(command, cwd=scratch, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert completed.returncode == 0, (
        f"{code}\n--- stdout\n{completed.stdout[-3000:]}\n--- stderr\n{completed.stderr[-3000:]}"
    )
