"""Light transport: optical layer stacks, beams, Monte Carlo (MCML-equivalent, r–z and voxels) and results."""

from laserskin.optics.layers import LayerStack, OpticalLayer
from laserskin.transport.beam import Beam
from laserskin.transport.cache import default_cache_dir, simulate_transport_cached, transport_cache_key
from laserskin.transport.driver import simulate_transport
from laserskin.transport.result import TransportResult
from laserskin.transport.voxel import Medium, VoxelSource, VoxelTransportResult, VoxelVolume, simulate_voxel_transport

__all__ = [
    "Beam",
    "LayerStack",
    "Medium",
    "OpticalLayer",
    "TransportResult",
    "VoxelSource",
    "VoxelTransportResult",
    "VoxelVolume",
    "default_cache_dir",
    "simulate_transport",
    "simulate_transport_cached",
    "simulate_voxel_transport",
    "transport_cache_key",
]
