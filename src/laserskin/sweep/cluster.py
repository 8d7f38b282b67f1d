"""Where cases run: a LocalCluster, an existing scheduler, or a dask-jobqueue cluster.

An existing scheduler is first probed with a bounded handshake: dask's own ``connect``
waits without limit for the handshake of a peer that accepts the connection and then
stays silent (a hung scheduler, or another service on that port), so ``Client(address,
timeout=...)`` alone can hang for ever. The probe and the client each get
``connect_timeout_s`` (default 5 s) and fail with one clear :class:`InputError`.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

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
        timeout_s = cluster.connect_timeout_s
        try:
            probe_scheduler(address, timeout_s)
            client = _bounded(lambda: Client(address, timeout=f"{timeout_s}s", set_as_default=False), timeout_s + 5.0)
        except (OSError, TimeoutError) as error:
            raise InputError(
                "scheduler",
                address,
                f"a reachable dask scheduler (none answered within {timeout_s:g} s: {type(error).__name__})",
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


def probe_scheduler(address: str, timeout_s: float) -> None:
    """Open a comm to ``address`` and complete dask's handshake within ``timeout_s``.

    Raises
    ------
    TimeoutError
        When nothing listens, or a peer accepts but does not answer the handshake in time.
    OSError
        When the connection is refused or fails otherwise.
    """
    from distributed.comm import connect as comm_connect
    from distributed.security import Security

    async def handshake() -> None:
        comm = await comm_connect(address, timeout=timeout_s, **Security().get_connection_args("client"))
        await comm.close()

    async def bounded() -> None:
        await asyncio.wait_for(handshake(), timeout_s)

    # a fresh event loop in a helper thread: works whether or not the caller runs a loop
    _bounded(lambda: asyncio.run(bounded()), timeout_s + 5.0)


def _bounded(function, timeout_s: float) -> Any:
    """``function()`` in a daemon thread; its result, or TimeoutError after ``timeout_s``.

    A call that never returns is abandoned in its daemon thread rather than blocking the
    caller (or interpreter exit).
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the caller
            outcome["error"] = error

    thread = threading.Thread(target=target, name="laserskin-connect", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {timeout_s:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
