"""``python -m laserskin``: the command-line interface (same as the ``laserskin`` command)."""

from laserskin.cli import app

if __name__ == "__main__":
    app(prog_name="laserskin")
