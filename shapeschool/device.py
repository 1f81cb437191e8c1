"""Choosing the device and seeding, in one place for every notebook and test."""
import os
import random

import torch

DEVICE_ENV = "SHAPESCHOOL_DEVICE"
_CHOICES = ("cpu", "cuda", "mps")


def pick_device(prefer=None):
    """Return the torch.device the course runs on.

    Order: the ``prefer`` argument, then the SHAPESCHOOL_DEVICE environment variable, then
    CUDA when it is available, otherwise the CPU. Asking for a device that is not there is
    an error rather than a silent fallback, so a GPU run never quietly becomes a CPU run.
    """
    from .errors import ShapeSchoolError

    name = prefer or os.environ.get(DEVICE_ENV, "").strip().lower()
    if not name:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    kind = name.split(":")[0]
    if kind not in _CHOICES:
        raise ShapeSchoolError(
            f"unknown device {name!r}: choose one of {', '.join(_CHOICES)} "
            f"(or unset {DEVICE_ENV} to let the course pick)"
        )
    if kind == "cuda" and not torch.cuda.is_available():
        raise ShapeSchoolError(
            f"device {name!r} was asked for but torch.cuda.is_available() is False: "
            f"unset {DEVICE_ENV} or set it to 'cpu'"
        )
    if kind == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise ShapeSchoolError(f"device {name!r} was asked for but MPS is not available: use 'cpu'")
    return torch.device(name)


def seed_everything(seed):
    """Seed Python's and torch's generators (every CUDA device too) so runs repeat."""
    random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return seed


def cuda_broken(error):
    """True for a device-side assert (an error, or its message): on CUDA an index out of range
    (an embedding id >= num_embeddings, a time step >= T) is not an IndexError but this, reported
    at some later call, and from then on every CUDA call in the process fails the same way."""
    return "device-side assert" in str(error)


def gpu_advice(error):
    """What to do about an error that only a GPU raises, or "" for any other error."""
    if not cuda_broken(error):
        return ""
    return (f"on a GPU this is how an index out of range is reported (an id or a position past the "
            f"end of its axis), and CUDA stays broken in this kernel until it restarts: restart the "
            f"kernel; to see the plain IndexError instead, put `%env {DEVICE_ENV}=cpu` above the "
            f"set-up cell and run the chapter on the CPU")
