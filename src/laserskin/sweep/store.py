"""The output folder of a sweep: manifest, one file per case, the combined ``sweep.nc``.

The store heals: every case file carries the sweep's fingerprint, its case index and a
checksum of its content, written atomically with it (see
:func:`laserskin.transport.cache.write_netcdf_checked`). A case file that is missing,
unreadable (empty, truncated, garbage), mismatching its checksum (bytes flipped but still
parseable) or belonging to another sweep is removed and the case recomputed: never
trusted, never fatal. A damaged ``sweep.json`` is rewritten when the case files show the
folder holds this sweep. Temporary files orphaned by a killed run are removed when the
next run starts.
"""

from __future__ import annotations

import json
import logging
import math
import re
from pathlib import Path
from typing import Any, cast

import numpy as np

from laserskin.core.errors import InputError
from laserskin.sweep.cases import Case, Sweep
from laserskin.sweep.population import PERSON_FIELDS
from laserskin.sweep.spec import axis_dim
from laserskin.sweep.variables import DIMENSION_LONG_NAMES, case_variables, dimension_labels, safe_name, text_fields
from laserskin.transport.cache import (
    DamagedFileError,
    read_netcdf_checked,
    remove_orphaned_temporaries,
    write_netcdf_checked,
)

logger = logging.getLogger(__name__)

#: A temporary file in a sweep folder older than this was orphaned by a killed run (the
#: client is the only writer; writing one case file takes milliseconds).
ORPHAN_AGE_S = 60.0
#: Names a sweep folder may hold besides its manifest.
_OWN_NAMES = {"sweep.json", "cases", "sweep.nc", "figures"}
#: Units and long names of the person traits (coordinates along ``person``).
PERSON_UNITS = {
    "age": ("year", "age"),
    "sex": ("1", "sex"),
    "fitzpatrick": ("1", "Fitzpatrick skin type (I-VI)"),
    "site": ("1", "treatment site"),
    "sun_exposure": ("1", "sun exposure (0-3)"),
    "laxity": ("1", "skin laxity grade (0-4)"),
}
_CASE_FILE = re.compile(r"c(\d{6})\.nc")


def _write_json_atomic(payload: Any, path: Path) -> None:
    from laserskin.core.io import write_bytes_atomic

    write_bytes_atomic(path, json.dumps(payload, indent=1, default=str).encode())


def _axis_coordinate(values: list[Any]) -> tuple[np.ndarray, dict[str, str]]:
    """Coordinate values of an axis: numbers where possible (one common unit), else labels."""
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float), {}
    if all(isinstance(v, str) for v in values):
        parsed = [re.match(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$", v) for v in values]
        matches = [m for m in parsed if m is not None]
        if len(matches) == len(parsed) and len({m.group(2) for m in matches}) == 1:
            return np.asarray([float(m.group(1)) for m in matches]), {"units": matches[0].group(2)}
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
        #: Indices of cases whose files were found damaged (and removed) by :meth:`done`.
        self.damaged: set[int] = set()
        self.fingerprint = sweep.spec.fingerprint()

    @property
    def manifest_path(self) -> Path:
        return self.root / "sweep.json"

    def check(self) -> bool:
        """Check that the folder is new/empty (False) or holds this same sweep (True).

        A missing or unreadable ``sweep.json`` beside case files that all belong to this
        sweep (their fingerprint) is rewritten rather than refused.
        """
        fingerprint = self.fingerprint
        if self.root.exists() and not self.root.is_dir():
            raise InputError("out", str(self.root), "a folder (a file of that name exists)")
        manifest = None
        if self.manifest_path.exists():
            try:
                manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
                if not isinstance(manifest, dict):
                    raise ValueError("not a table")
            except (OSError, ValueError):
                manifest = None
        if manifest is not None:
            if manifest.get("fingerprint") != fingerprint:
                raise InputError(
                    "out",
                    str(self.root),
                    "an empty folder or the output folder of this same sweep file "
                    "(it holds a different sweep; choose another --out)",
                )
            return True
        if not self.root.exists() or not any(p for p in self.root.iterdir() if not p.name.startswith(".")):
            return False
        if self._holds_only_this_sweep(fingerprint):
            logger.warning("sweep: %s had a damaged or missing sweep.json; rewritten", self.root)
            self._write_manifest()
            return True
        if self.manifest_path.exists():
            raise InputError("out", str(self.root), "a folder with a readable sweep.json") from None
        raise InputError("out", str(self.root), "an empty or new folder (it holds other files)")

    def _holds_only_this_sweep(self, fingerprint: str) -> bool:
        """True when the folder holds only sweep files and every readable case file is ours."""
        if any(p.name not in _OWN_NAMES and not p.name.startswith(".") for p in self.root.iterdir()):
            return False
        if not self.cases_dir.is_dir():
            return False
        ours = 0
        for path in self.cases_dir.glob("c*.nc"):
            try:
                if read_netcdf_checked(path).attrs.get("fingerprint") != fingerprint:
                    return False
                ours += 1
            except DamagedFileError:
                continue
        return ours > 0

    def _write_manifest(self) -> None:
        import laserskin

        spec = self.sweep.spec
        _write_json_atomic(
            {
                "fingerprint": spec.fingerprint(),
                "name": spec.sweep.name,
                "cases": spec.n_cases,
                "dims": list(spec.dims),
                "shape": list(spec.shape),
                "laserskin_version": getattr(laserskin, "__version__", "unknown"),
                "spec": spec.model_dump(mode="json"),
            },
            self.manifest_path,
        )

    def remove_orphans(self, older_than_s: float = ORPHAN_AGE_S) -> list[Path]:
        """Remove temporary files a killed run left in the folder; returns their paths."""
        removed = []
        for folder in (self.root, self.cases_dir, self.root / "figures"):
            removed += remove_orphaned_temporaries(folder, older_than_s=older_than_s)
        for path in removed:
            logger.info("sweep: removed orphaned temporary file %s", path)
        return removed

    def check_or_create(self) -> None:
        """Create the folder and manifest, or check that an existing one is this sweep's."""
        if self.check():
            self.remove_orphans()
            return
        try:
            self.cases_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError("out", str(self.root), f"a writable folder ({error.strerror})") from None
        self._write_manifest()

    def result_path(self, index: int) -> Path:
        return self.cases_dir / f"c{index:06d}.nc"

    def error_path(self, index: int) -> Path:
        return self.cases_dir / f"c{index:06d}.error.json"

    def load_case(self, index: int):
        """The verified result of case ``index`` (an :class:`xarray.Dataset`), or None.

        None when the file is missing, unreadable, fails its checksum, or was written for
        another sweep or another case.
        """
        try:
            dataset = read_netcdf_checked(self.result_path(index))
        except DamagedFileError:
            return None
        if dataset.attrs.get("fingerprint") != self.fingerprint or dataset.attrs.get("case") != index:
            return None
        return dataset

    def done(self) -> set[int]:
        """Indices of cases with a verified result file.

        Damaged or foreign case files are removed (their cases will be recomputed) and
        their indices added to :attr:`damaged`.
        """
        return {index for index, _ in self.verified_cases()}

    def verified_cases(self):
        """Yield ``(index, dataset)`` for every verified case file, in index order.

        Each file is read once; damaged or foreign files are removed and recorded in
        :attr:`damaged` (see :meth:`load_case`).
        """
        if not self.cases_dir.is_dir():
            return
        found = []
        for path in self.cases_dir.glob("c*.nc"):
            match = _CASE_FILE.fullmatch(path.name)
            if match:
                found.append((int(match.group(1)), path))
        for index, path in sorted(found):
            dataset = self.load_case(index) if index < self.sweep.spec.n_cases else None
            if dataset is not None:
                yield index, dataset
                continue
            logger.warning("sweep: %s is damaged or foreign; its case will be recomputed", path.name)
            self.damaged.add(index)
            try:
                path.unlink()
            except OSError:  # e.g. a folder of that name: leave it, the case is recomputed in memory
                pass

    def write(self, case: Case, record: dict[str, Any]) -> None:
        """Write a case's result (NetCDF, checksummed) or error record (JSON), atomically.

        An ``ok`` record's ``data`` (the nested summary or plan) becomes typed, described
        variables (:func:`laserskin.sweep.variables.case_variables`); the whole of it is also
        kept as JSON in the ``result`` attribute, so nothing is dropped.
        """
        if record.get("status") == "ok":
            import xarray as xr

            import laserskin

            data = record.get("data") or {}
            data_vars: dict[str, Any] = {}
            variables = case_variables(data, text=text_fields(case.kind))
            sizes: dict[str, int] = {}
            for variable in variables.values():
                for dim in variable.dims:
                    sizes[dim] = max(sizes.get(dim, 0), len(variable.value))
            for name, variable in variables.items():
                attrs = {"units": variable.units, "long_name": variable.long_name, "kind": variable.kind}
                value = variable.value
                if variable.dims:  # lists sharing a dimension (a curve) padded to its longest
                    value = value + [math.nan] * (sizes[variable.dims[0]] - len(value))
                data_vars[safe_name(name)] = (variable.dims, value, attrs)
            for name, array in (record.get("fields") or {}).items():
                data_vars[name] = (
                    ("r", "z"),
                    np.asarray(array),
                    {"units": "degC", "long_name": name.replace("_", " ")},
                )
            dims = {dim for dims, *_ in data_vars.values() for dim in dims}
            coords = {dim: (dim, list(labels)) for dim in dims if (labels := dimension_labels(dim)) is not None}
            dataset = xr.Dataset(
                data_vars,
                coords=coords,
                attrs={
                    "fingerprint": self.fingerprint,
                    "case": case.index,
                    "seed": case.seed,
                    "position": json.dumps(list(case.position)),
                    "inputs": json.dumps(case.inputs, sort_keys=True, default=str),
                    "result": json.dumps(data, sort_keys=True, default=str),
                    "elapsed_s": float(record.get("elapsed_s", math.nan)),
                    "laserskin_version": laserskin.__version__,
                },
            )
            write_netcdf_checked(dataset, self.result_path(case.index))
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
        """Combine the verified case files into one :class:`xarray.Dataset`; write ``sweep.nc``.

        Dimensions: ``person`` (population sweeps) and one per axis, then each variable's
        own (``band``, ``range``, curves). Numbers missing for a case are NaN; text is
        ``""``; booleans stay booleans (``False`` where the case failed: see
        ``succeeded``), unless a successful case left one unset, then they are 0/1/NaN.
        Every variable has ``units`` and ``long_name``; the attributes hold the package
        version, the fingerprint and the whole sweep file (``spec``).
        """
        import xarray as xr

        import laserskin
        from laserskin.core.io import write_netcdf_atomic

        spec = self.sweep.spec
        shape, dims = spec.shape or (1,), spec.dims or ("case",)
        succeeded = np.zeros(shape, dtype=bool)
        seeds = np.zeros(shape, dtype=np.int64)
        elapsed = np.full(shape, np.nan)
        collected: dict[str, list[tuple[tuple[int, ...], np.ndarray]]] = {}
        meta: dict[str, dict[str, Any]] = {}
        for (
            index,
            case_data,
        ) in self.verified_cases():  # a file damaged since the run began: a hole, recomputed next run
            position = tuple(int(i) for i in np.unravel_index(index, shape))
            succeeded[position] = True
            seeds[position] = int(case_data.attrs["seed"])
            elapsed[position] = float(case_data.attrs.get("elapsed_s", np.nan))
            for name, variable in case_data.data_vars.items():
                kind = variable.attrs.get("kind", "number")
                info = meta.setdefault(str(name), {"dims": variable.dims, "kinds": set(), "sizes": {}, "attrs": {}})
                info["kinds"].add(kind)
                if kind != "missing":
                    info["attrs"] = {k: v for k, v in variable.attrs.items() if k != "kind"}
                    info["dims"] = variable.dims
                    for dim, size in variable.sizes.items():
                        info["sizes"][dim] = max(info["sizes"].get(dim, 0), size)
                    collected.setdefault(str(name), []).append((position, np.asarray(variable.values)))
                elif not info["attrs"]:
                    info["attrs"] = {k: v for k, v in variable.attrs.items() if k != "kind"}
        data_vars: dict[str, Any] = {}
        extra_coords: dict[str, Any] = {}
        text = text_fields(spec.sweep.case)
        for name, info in meta.items():
            kinds = info["kinds"] - {"missing"}
            if not kinds and any(other.startswith(f"{name}_") for other in meta):
                continue  # None in some cases, a table (flattened into name_*) in the others
            if not kinds and name in text:  # declared text, unset in every case (or an older case file)
                kinds = {"text"}
                info["attrs"] = {**info["attrs"], "units": "1"}
            own_dims = tuple(info["dims"]) if kinds else ()
            own_shape = tuple(info["sizes"][d] for d in own_dims)
            if kinds == {"text"}:
                array = np.full(shape + own_shape, "", dtype=object)
            elif kinds == {"bool"} and "missing" not in info["kinds"]:
                array = np.zeros(shape + own_shape, dtype=bool)
            else:
                array = np.full(shape + own_shape, np.nan)
            for position, values in collected.get(name, []):
                target = position + tuple(slice(0, n) for n in values.shape)
                array[target] = values.astype(str) if array.dtype == object else values
            if array.dtype == object:
                array = array.astype(str)
            data_vars[name] = (dims + own_dims, array, info["attrs"])
            for dim in own_dims:
                labels = dimension_labels(dim)
                if labels is not None:
                    extra_coords[dim] = (dim, list(labels), {"long_name": DIMENSION_LONG_NAMES[dim]})
                elif dim not in extra_coords:
                    extra_coords[dim] = (
                        dim,
                        np.arange(info["sizes"][dim]),
                        {"units": "1", "long_name": dim.replace("_", " ")},
                    )
        data_vars["succeeded"] = (dims, succeeded, {"units": "1", "long_name": "the case has a result"})
        data_vars["case_seed"] = (dims, seeds, {"units": "1", "long_name": "Monte Carlo seed of the case"})
        data_vars["case_wall_time_s"] = (dims, elapsed, {"units": "s", "long_name": "wall time of the case"})
        coords: dict[str, Any] = dict(extra_coords)
        if spec.population is not None:
            coords["person"] = (
                "person",
                np.arange(spec.population.n),
                {"units": "1", "long_name": "person of the population"},
            )
            people = cast(list[dict[str, Any]], self.sweep.people)  # a population: every entry is a person
            for name in PERSON_FIELDS:
                column = [p[name] for p in people]
                units, long_name = PERSON_UNITS.get(name, ("1", name.replace("_", " ")))
                if all(isinstance(v, int | float) and not isinstance(v, bool) for v in column):
                    array = np.asarray(column, dtype=float)
                else:
                    array = np.asarray([str(v) for v in column], dtype=str)
                coords[name] = ("person", array, {"units": units, "long_name": long_name})
        for key, axis_values in spec.axes.items():
            array, attrs = _axis_coordinate(axis_values)
            if array.dtype == object:
                array = array.astype(str)
            attrs = {"units": "1", **attrs, "long_name": key, "key": key}
            coords[axis_dim(key)] = xr.Variable((axis_dim(key),), array, attrs)
        dataset = xr.Dataset(
            data_vars,
            coords=coords,
            attrs={
                "title": f"laserskin sweep {spec.sweep.name}",
                "name": spec.sweep.name,
                "seed": spec.sweep.seed,
                "case_kind": spec.sweep.case,
                "cases": spec.n_cases,
                "fingerprint": self.fingerprint,
                "laserskin_version": laserskin.__version__,
                "spec": json.dumps(spec.model_dump(mode="json"), default=str),
                "base": json.dumps(spec.base, sort_keys=True, default=str),
            },
        )
        write_netcdf_atomic(dataset, self.root / "sweep.nc")
        return dataset
