"""`make demo`: run the default scenarios and write their reports into ``out/``."""

from __future__ import annotations

import argparse
from pathlib import Path

from laserskin.cli import app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="out", help="output directory")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    examples = Path(__file__).resolve().parents[2] / "examples"
    app(
        ["transport", str(examples / "skin_1064.toml"), "--out", str(out / "transport_demo.nc"),
         "--figure", str(out / "transport_demo.png")],
        standalone_mode=False,
    )


if __name__ == "__main__":
    main()
