"""Where cases run: a LocalCluster, an existing scheduler, or a dask-jobqueue cluster."""

from __future__ import annotations

import os

from laserskin.core.errors import InputError
from laserskin.sweep.spec import _ADDRESS, ClusterSpec


def connect(cluster: ClusterSpec, *, scheduler: str | None = None, workers: int | None = None):
    """Return ``(client, owned_cluster_or_None)`` for the requested cluster.

    Raises
    ------
    InputError
        For an unreachable scheduler (after ``connect_timeout_s``), a bad address, or a
        missing dask-jobqueue.
    """
    import logging

    from distributed import Client, LocalCluster

    address = scheduler or cluster.address
    if address is not None:
        if not _ADDRESS.match(address):
            raise InputError("scheduler", address, "a scheduler address such as tcp://HOST:8786")
        try:
            client = Client(address, timeout=f"{cluster.connect_timeout_s}s", set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise InputError(
                "scheduler",
                address,
                f"a reachable dask scheduler (none answered within {cluster.connect_timeout_s:g} s: "
                f"{type(error).__name__})",
            ) from None
        return client, None
    n_workers = workers or cluster.workers or os.cpu_count() or 1
    if cluster.kind in ("slurm", "pbs"):
        try:
            import dask_jobqueue
        except ImportError:
            raise InputError(
                "cluster.kind", cluster.kind, "an installed dask-jobqueue (pip install dask-jobqueue)"
            ) from None
        cls = dask_jobqueue.SLURMCluster if cluster.kind == "slurm" else dask_jobqueue.PBSCluster
        owned = cls(**cluster.options)
        owned.scale(n_workers)
        return Client(owned, set_as_default=False), owned
    owned = LocalCluster(
        n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
    )
    return Client(owned, set_as_default=False), owned
