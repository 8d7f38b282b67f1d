"""Light transport: optical layer stacks, beams, Monte Carlo (MCML-equivalent) and its results."""

from laserskin.optics.layers import LayerStack, OpticalLayer
from laserskin.transport.beam import Beam
from laserskin.transport.cache import default_cache_dir, simulate_transport_cached, transport_cache_key
from laserskin.transport.montecarlo import simulate_transport
from laserskin.transport.result import TransportResult

__all__ = [
    "Beam",
    "LayerStack",
    "OpticalLayer",
    "TransportResult",
    "default_cache_dir",
    "simulate_transport",
    "simulate_transport_cached",
    "transport_cache_key",
]
