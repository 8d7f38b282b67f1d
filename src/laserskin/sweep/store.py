"""The output folder of a sweep: manifest, one file per case, the combined ``sweep.nc``."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from laserskin.core.errors import InputError
from laserskin.sweep.cases import Case, Sweep
from laserskin.sweep.population import PERSON_FIELDS
from laserskin.sweep.spec import axis_dim


def _write_json_atomic(payload: Any, path: Path) -> None:
    from laserskin.core.io import write_bytes_atomic

    write_bytes_atomic(path, json.dumps(payload, indent=1, default=str).encode())


def _axis_coordinate(values: list[Any]) -> tuple[np.ndarray, dict[str, str]]:
    """Coordinate values of an axis: numbers where possible (one common unit), else labels."""
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float), {}
    if all(isinstance(v, str) for v in values):
        parsed = [re.match(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$", v) for v in values]
        if all(parsed) and len({m.group(2) for m in parsed}) == 1:
            return np.asarray([float(m.group(1)) for m in parsed]), {"units": parsed[0].group(2)}
        return np.asarray(values, dtype=object), {}
    labels = []
    for value in values:
        if isinstance(value, dict) and "kind" in value and len(value) == 1:
            labels.append(str(value["kind"]))
        else:
            labels.append(json.dumps(value, sort_keys=True))
    return np.asarray(labels, dtype=object), {}


class SweepStore:
    """The output folder: ``sweep.json`` (manifest), ``cases/``, ``sweep.nc``, ``figures/``."""

    def __init__(self, out_dir: str | Path, sweep: Sweep):
        self.root = Path(out_dir).expanduser()
        self.sweep = sweep
        self.cases_dir = self.root / "cases"

    @property
    def manifest_path(self) -> Path:
        return self.root / "sweep.json"

    def check(self) -> bool:
        """Check that the folder is new/empty (False) or holds this same sweep (True)."""
        fingerprint = self.sweep.spec.fingerprint()
        if self.root.exists() and not self.root.is_dir():
            raise InputError("out", str(self.root), "a folder (a file of that name exists)")
        if self.manifest_path.exists():
            try:
                manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise InputError("out", str(self.root), "a folder with a readable sweep.json") from None
            if manifest.get("fingerprint") != fingerprint:
                raise InputError(
                    "out",
                    str(self.root),
                    "an empty folder or the output folder of this same sweep file "
                    "(it holds a different sweep; choose another --out)",
                )
            return True
        if self.root.exists() and any(self.root.iterdir()):
            raise InputError("out", str(self.root), "an empty or new folder (it holds other files)")
        return False

    def check_or_create(self) -> None:
        """Create the folder and manifest, or check that an existing one is this sweep's."""
        if self.check():
            return
        spec = self.sweep.spec
        fingerprint = spec.fingerprint()
        try:
            self.cases_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError("out", str(self.root), f"a writable folder ({error.strerror})") from None
        import laserskin

        _write_json_atomic(
            {
                "fingerprint": fingerprint,
                "name": spec.sweep.name,
                "cases": spec.n_cases,
                "dims": list(spec.dims),
                "shape": list(spec.shape),
                "laserskin_version": getattr(laserskin, "__version__", "unknown"),
                "spec": spec.model_dump(mode="json"),
            },
            self.manifest_path,
        )

    def result_path(self, index: int) -> Path:
        return self.cases_dir / f"c{index:06d}.nc"

    def error_path(self, index: int) -> Path:
        return self.cases_dir / f"c{index:06d}.error.json"

    def done(self) -> set[int]:
        """Indices of cases with a result file."""
        out = set()
        if self.cases_dir.exists():
            for path in self.cases_dir.glob("c*.nc"):
                match = re.fullmatch(r"c(\d{6})\.nc", path.name)
                if match:
                    out.add(int(match.group(1)))
        return out

    def write(self, case: Case, record: dict[str, Any]) -> None:
        """Write a case's result (NetCDF) or error record (JSON), atomically."""
        if record.get("status") == "ok":
            import xarray as xr

            from laserskin.core.io import write_netcdf_atomic

            data_vars = {key: ((), value) for key, value in record["numbers"].items()}
            for name, array in (record.get("fields") or {}).items():
                data_vars[name] = (("r", "z"), np.asarray(array))
            dataset = xr.Dataset(
                data_vars,
                attrs={
                    "case": case.index,
                    "seed": case.seed,
                    "position": json.dumps(list(case.position)),
                    "inputs": json.dumps(case.inputs, sort_keys=True, default=str),
                    "labels": json.dumps(record.get("labels", {}), default=str),
                    "elapsed_s": float(record.get("elapsed_s", math.nan)),
                },
            )
            write_netcdf_atomic(dataset, self.result_path(case.index))
            self.error_path(case.index).unlink(missing_ok=True)
        else:
            _write_json_atomic(
                {
                    "case": case.index,
                    "seed": case.seed,
                    "inputs": case.inputs,
                    "error_type": record.get("error_type"),
                    "error": record.get("error"),
                },
                self.error_path(case.index),
            )

    def combine(self):
        """Combine the case files into one :class:`xarray.Dataset` and write ``sweep.nc``."""
        import xarray as xr

        from laserskin.core.io import read_netcdf, write_netcdf_atomic

        spec = self.sweep.spec
        shape, dims = spec.shape or (1,), spec.dims or ("case",)
        numbers: dict[str, np.ndarray] = {}
        ok = np.zeros(shape, dtype=np.int8)
        labels: dict[str, np.ndarray] = {}
        for index in sorted(self.done()):
            position = np.unravel_index(index, shape)
            case_data = read_netcdf(self.result_path(index))
            ok[position] = 1
            for name, variable in case_data.data_vars.items():
                if variable.ndim != 0:
                    continue
                if name not in numbers:
                    numbers[name] = np.full(shape, np.nan)
                numbers[name][position] = float(variable.values)
            for name, value in json.loads(case_data.attrs.get("labels", "{}")).items():
                if name not in labels:
                    labels[name] = np.full(shape, "", dtype=object)
                labels[name][position] = str(value)
        data_vars = {name: (dims, values) for name, values in numbers.items()}
        data_vars.update({name: (dims, values.astype(str)) for name, values in labels.items()})
        data_vars["succeeded"] = (dims, ok, {"description": "1 where the case has a result"})
        coords: dict[str, Any] = {}
        if spec.population is not None:
            coords["person"] = np.arange(spec.population.n)
            for name in PERSON_FIELDS:
                column = [p[name] for p in self.sweep.people]
                if all(isinstance(v, int | float) and not isinstance(v, bool) for v in column):
                    coords[name] = ("person", np.asarray(column, dtype=float))
                else:
                    coords[name] = ("person", np.asarray([str(v) for v in column], dtype=str))
        for key, values in spec.axes.items():
            array, attrs = _axis_coordinate(values)
            if array.dtype == object:
                array = array.astype(str)
            coords[axis_dim(key)] = xr.Variable((axis_dim(key),), array, {**attrs, "key": key})
        dataset = xr.Dataset(
            data_vars,
            coords=coords,
            attrs={
                "name": spec.sweep.name,
                "seed": spec.sweep.seed,
                "case_kind": spec.sweep.case,
                "cases": spec.n_cases,
                "spec": json.dumps(spec.model_dump(mode="json"), default=str),
            },
        )
        write_netcdf_atomic(dataset, self.root / "sweep.nc")
        return dataset
