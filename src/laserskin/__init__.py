"""laserskin: simulator and treatment planner for laser skin tightening and resurfacing."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("laserskin")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"
