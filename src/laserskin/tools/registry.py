"""Imports every model module so that all citations are registered (used by `laserskin cite`)."""

import importlib
import pkgutil

import laserskin

for _module in pkgutil.walk_packages(laserskin.__path__, prefix="laserskin."):
    if _module.name.split(".")[-1] in {"cli", "demo", "registry", "__main__"} or ".web" in _module.name:
        continue
    importlib.import_module(_module.name)
