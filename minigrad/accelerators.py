"""PyTorch's accelerator queries, answered for a CPU-only library: ``mg.cuda.is_available()``
is False, so the usual ``"cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU.

``mg.cuda``, ``mg.backends`` (``mps``, ``cudnn``) and ``mg.accelerator`` hold just the calls
scripts make before choosing a device; their seeding calls are no-ops, as in torch without a GPU.
The flags scripts set (``mg.backends.cudnn.deterministic = True``) are accepted and kept.
"""
from __future__ import annotations

from types import SimpleNamespace


def _false(*args, **kwargs) -> bool:
    return False


def _zero(*args, **kwargs) -> int:
    return 0


def _nothing(*args, **kwargs) -> None:
    return None


cuda = SimpleNamespace(is_available=_false, device_count=_zero, is_initialized=_false, manual_seed=_nothing,
                       manual_seed_all=_nothing, empty_cache=_nothing, synchronize=_nothing)
"""``torch.cuda``'s queries: no CUDA device here."""

backends = SimpleNamespace(
    mps=SimpleNamespace(is_available=_false, is_built=_false),
    cudnn=SimpleNamespace(is_available=_false, enabled=True, deterministic=False, benchmark=False),
)
"""``torch.backends``: no MPS, no cuDNN; the cuDNN flags scripts set are accepted."""

accelerator = SimpleNamespace(is_available=_false, current_accelerator=_nothing, device_count=_zero)
"""``torch.accelerator`` (PyTorch 2.6+): no accelerator, so ``current_accelerator()`` is None."""

__all__ = ["cuda", "backends", "accelerator"]
