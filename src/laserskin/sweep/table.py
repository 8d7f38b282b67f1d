"""A sweep as a tidy table: one row per case, one column per scalar (or band member).

Columns: the case's position (``person`` and the person traits, one column per axis),
``succeeded``, ``case_seed``, then every variable of ``sweep.nc``; a variable with its
own dimension becomes one column per label (``improvement_percent_month_6_low``,
``_mid``, ``_high``; curves ``margin_curve_epidermal_omega_0`` …). Booleans are pandas'
nullable ``boolean`` (missing where the case failed). Parquet files carry each column's
units and long name in their schema metadata (``laserskin_units``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from laserskin.core.errors import InputError

TABLE_FORMATS = {".parquet": "parquet", ".csv": "csv"}


def sweep_table(dataset) -> Any:
    """The combined sweep dataset as a :class:`pandas.DataFrame` with one row per case."""
    import pandas as pd

    case_dims = [d for d in dataset["succeeded"].dims]
    index = pd.MultiIndex.from_product([dataset[d].values for d in case_dims], names=case_dims)
    n_rows = len(index)
    columns: dict[str, Any] = {}
    units: dict[str, dict[str, str]] = {}
    for name in case_dims:
        columns[name] = index.get_level_values(name)
        units[name] = _describe(dataset[name])
    if "person" in case_dims:
        person_position = np.asarray(index.get_level_values("person"), dtype=int)
        for name, coord in dataset.coords.items():
            if coord.dims == ("person",) and name != "person":
                columns[str(name)] = coord.values[person_position]
                units[str(name)] = _describe(coord)
    succeeded = dataset["succeeded"].transpose(*case_dims).values.reshape(n_rows)
    first = [n for n in ("succeeded", "case_seed", "case_wall_time_s") if n in dataset.data_vars]
    ordered = first + [n for n in dataset.data_vars if n not in first]
    for name in ordered:
        variable = dataset[name]
        own = [d for d in variable.dims if d not in case_dims]
        values = variable.transpose(*case_dims, *own).values.reshape(n_rows, -1)
        if own:
            labels = ["_".join(str(v) for v in combo) for combo in np.ndindex(*[variable.sizes[d] for d in own])]
            if len(own) == 1 and own[0] in dataset.coords:
                labels = [str(v) for v in dataset[own[0]].values]
            names = [f"{name}_{label}" for label in labels]
        else:
            names = [str(name)]
        for j, column in enumerate(names):
            data = values[:, j]
            if data.dtype == bool and name != "succeeded":
                data = pd.array(np.where(succeeded, data, False), dtype="boolean")
                data[~succeeded] = pd.NA
            columns[column] = data
            units[column] = _describe(variable)
    frame = pd.DataFrame(columns)
    frame.attrs["laserskin_units"] = units
    return frame


def _describe(variable) -> dict[str, str]:
    return {"units": str(variable.attrs.get("units", "1")), "long_name": str(variable.attrs.get("long_name", ""))}


def check_table_path(path: str | Path) -> Path:
    """Check a table path's suffix before any work (``.parquet`` or ``.csv``)."""
    path = Path(path)
    if path.suffix.lower() not in TABLE_FORMATS:
        raise InputError("table", str(path), "a file name ending in .parquet or .csv")
    if path.exists() and path.is_dir():
        raise InputError("table", str(path), "a file (a folder of that name exists)")
    return path


def write_table(dataset, path: str | Path) -> Path:
    """Write :func:`sweep_table` to ``path`` (Parquet via pyarrow, or CSV), atomically."""
    from laserskin.core.io import write_atomic

    path = check_table_path(path)
    frame = sweep_table(dataset)
    if TABLE_FORMATS[path.suffix.lower()] == "csv":
        return write_atomic(path, lambda temporary: frame.to_csv(temporary, index=False))
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    metadata[b"laserskin_units"] = json.dumps(frame.attrs["laserskin_units"]).encode()
    metadata[b"laserskin_sweep"] = json.dumps({k: str(v) for k, v in dataset.attrs.items() if k != "spec"}).encode()
    table = table.replace_schema_metadata(metadata)
    return write_atomic(path, lambda temporary: pq.write_table(table, temporary))
