"""``minigrad.utils``: helpers beside the framework, as ``torch.utils`` (``minigrad.utils.data``)."""
from . import data

__all__ = ["data"]
