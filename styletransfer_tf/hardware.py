"""What this machine runs fast: does it have bfloat16 hardware?

``precision="mixed"`` runs VGG19 in bfloat16 (``options.PRECISIONS``). That only pays
where the hardware computes in bfloat16 natively; elsewhere TensorFlow converts every
value to float32 and back, which is slower than float32 throughout. The lectures
therefore use float32 unless asked otherwise, and ``PRECISION = "auto"`` uses bfloat16
only where :func:`bfloat16_support` says it is fast.

How it decides (TensorFlow computes on the first GPU when there is one, else the CPU):

* a GPU: fast if its CUDA compute capability is 8.0 or more (Ampere and later have
  bfloat16 tensor cores), read with ``tf.config.experimental.get_device_details``;
* no GPU: fast if the CPU has the ``avx512_bf16`` or ``amx_bf16`` instructions, read from
  the ``flags`` line of ``/proc/cpuinfo`` (Linux; elsewhere the flags are unknown and the
  answer is no).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, Optional

#: CPU flags (as in /proc/cpuinfo) that give oneDNN native bfloat16 arithmetic.
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
#: The lowest CUDA compute capability with bfloat16 tensor cores (Ampere).
BF16_MIN_COMPUTE_CAPABILITY = (8, 0)


class Bfloat16Support(NamedTuple):
    """The answer of :func:`bfloat16_support`: ``fast`` and, in words, why."""

    fast: bool
    reason: str


def proc_field(path: str | Path, key: str) -> Optional[str]:
    """The value of the first ``key: value`` line of ``path`` (``/proc/cpuinfo``,
    ``/proc/meminfo``, ``/proc/self/status``), stripped; None if the file cannot be read
    or has no such line (not Linux)."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip() == key:
            return value.strip()
    return None


def cpu_flags(cpuinfo: str | Path = "/proc/cpuinfo") -> Optional[set]:
    """The CPU's feature flags from the first ``flags`` line of ``cpuinfo``; None if the
    file cannot be read or has no such line (not Linux)."""
    flags = proc_field(cpuinfo, "flags")
    return None if flags is None else set(flags.split())


def cpu_model(cpuinfo: str | Path = "/proc/cpuinfo") -> Optional[str]:
    """The CPU's ``model name`` from ``cpuinfo``; None where unknown."""
    return proc_field(cpuinfo, "model name")


def gpu_capabilities() -> list:
    """``[(name, (major, minor) or None), ...]`` for the GPUs TensorFlow sees (imports it)."""
    import tensorflow as tf
    found = []
    for device in tf.config.list_physical_devices("GPU"):
        try:
            details = tf.config.experimental.get_device_details(device)
        except (ValueError, RuntimeError):  # not every build reports details
            details = {}
        found.append((details.get("device_name", device.name),
                      details.get("compute_capability")))
    return found


def bfloat16_support(flags=..., gpus=...) -> Bfloat16Support:
    """Whether the device TensorFlow computes on has fast bfloat16, and how that was decided.

    Args:
        flags: the CPU's flags (a set of strings) or None for unknown; default read with
            :func:`cpu_flags`.
        gpus: ``[(name, (major, minor)), ...]``; default :func:`gpu_capabilities`.

    Returns:
        :class:`Bfloat16Support`, e.g. ``(True, "CPU flag avx512_bf16 in /proc/cpuinfo")``.
    """
    gpus = gpu_capabilities() if gpus is ... else list(gpus)
    if gpus:
        name, capability = gpus[0]
        if capability is None:
            return Bfloat16Support(False, f"GPU {name}: compute capability unknown")
        shown = ".".join(str(c) for c in capability)
        if tuple(capability) >= BF16_MIN_COMPUTE_CAPABILITY:
            return Bfloat16Support(True, f"GPU {name}, compute capability {shown} (>= 8.0: "
                                         "bfloat16 tensor cores)")
        return Bfloat16Support(False, f"GPU {name}, compute capability {shown} (< 8.0: no "
                                      "bfloat16 tensor cores)")
    flags = cpu_flags() if flags is ... else flags
    if flags is None:
        return Bfloat16Support(False, "no GPU, and the CPU's flags are unknown (no "
                                      "/proc/cpuinfo)")
    found = [flag for flag in BF16_CPU_FLAGS if flag in flags]
    if found:
        return Bfloat16Support(True, f"no GPU; CPU flag {' and '.join(found)} in /proc/cpuinfo")
    return Bfloat16Support(False, f"no GPU; neither {' nor '.join(BF16_CPU_FLAGS)} in "
                                  "/proc/cpuinfo")
