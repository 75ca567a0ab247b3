"""Execute the lecture notebooks headless, top to bottom, papermill-style.

    python notebooks/run_notebooks.py                         # all, with their own parameters
    python notebooks/run_notebooks.py 03 --size 128 --steps 100
    python notebooks/run_notebooks.py --size 48 --steps 2 --weights none --out /tmp/nb

Parameters given on the command line are written into a new cell right after the cell
tagged ``parameters`` (tagged ``injected-parameters``, as papermill does). The cell tagged
``run-info`` at the top gets the settings, the date, the machine and the wall-clock time.
Without ``--out`` the notebooks are executed in place (that is how the committed copies
were made); with it, executed copies go to that folder.

Uses nbclient and nbformat only (no papermill). Exit code 1 if a notebook fails; the
failing copy is still written, with the error in its outputs.
"""

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def notebooks(prefixes=()):
    """The lecture notebooks in this folder, optionally those whose names start with a prefix."""
    found = sorted(HERE.glob("[0-9][0-9]_*.ipynb"))
    if prefixes:
        found = [p for p in found if any(p.name.startswith(x) for x in prefixes)]
    return found


def inject_parameters(nb, parameters):
    """Add an ``injected-parameters`` cell after the ``parameters`` cell (replacing an old one)."""
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    if not parameters:
        return nb
    index = next((i for i, c in enumerate(nb.cells)
                  if "parameters" in c.metadata.get("tags", [])), None)
    if index is None:
        raise ValueError("the notebook has no cell tagged 'parameters'")
    source = "# Injected parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in parameters.items())
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(index + 1, cell)
    return nb


def effective_parameters(nb, parameters):
    """The values the notebook runs with: its parameters cell, overridden by ``parameters``."""
    values = {}
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            exec(cell.source, {}, values)  # noqa: S102 - our own notebooks' literal assignments
    values.update(parameters)
    return values


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPU cores ({cpu}), no GPU used"


def run_info(values, seconds, ok):
    shown = ", ".join(f"`{k} = {v!r}`" for k, v in values.items())
    images = os.environ.get("STYLETRANSFER_IMAGES")
    where = (f"the paper's images from `$STYLETRANSFER_IMAGES`" if images
             else "images from `images/paper/` or the project's samples (see the setup cell)")
    weights = "real VGG19 ImageNet weights" if values.get("WEIGHTS") else "RANDOM VGG19 weights"
    status = "" if ok else " **It stopped with an error** (see below)."
    return (f"**This copy was executed** on {datetime.date.today().isoformat()} with {shown}; "
            f"{weights}, {where}; on {machine()}. Wall-clock time of the whole notebook: "
            f"**{seconds / 60:.1f} min** (results already computed by another notebook or the "
            f"gallery come from the cache; the last cell says how long their optimisations "
            f"took when they ran).{status}")


def execute(path, parameters=None, output=None, timeout=3600, kernel="python3"):
    """Execute one notebook; return ``(ok, seconds, error)``. Writes ``output`` (default: in place)."""
    parameters = parameters or {}
    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, parameters)
    values = effective_parameters(nb, parameters)
    # TensorFlow's C++ start-up messages go to the terminal, not into the notebook
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel,
                            extra_arguments=["--IPKernelApp.capture_fd_output=False"],
                            resources={"metadata": {"path": str(Path(path).parent)}})
    start, ok, error = time.perf_counter(), True, None
    try:
        client.execute()
    except CellExecutionError as exc:
        ok, error = False, exc
    seconds = time.perf_counter() - start
    for cell in nb.cells:
        if "run-info" in cell.metadata.get("tags", []):
            cell.source = run_info(values, seconds, ok)
    nbformat.write(nb, output or path)
    return ok, seconds, error


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook name prefixes (default: all)")
    parser.add_argument("--size", type=int, help="SIZE parameter")
    parser.add_argument("--steps", type=int, help="STEPS parameter")
    parser.add_argument("--preset", help="PRESET parameter")
    parser.add_argument("--weights", help="WEIGHTS parameter ('none' = random weights)")
    parser.add_argument("--no-cache", action="store_true", help="CACHE = False")
    parser.add_argument("--out", help="write executed copies to this folder instead of in place")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args(argv)
    parameters = {}
    for key, value in (("SIZE", args.size), ("STEPS", args.steps), ("PRESET", args.preset)):
        if value is not None:
            parameters[key] = value
    if args.weights is not None:
        parameters["WEIGHTS"] = None if args.weights == "none" else args.weights
    if args.no_cache:
        parameters["CACHE"] = False
    os.environ.setdefault("PYTHONPATH", str(REPO))
    failed = 0
    for path in notebooks(args.names):
        output = Path(args.out) / path.name if args.out else None
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
        ok, seconds, error = execute(path, parameters, output, args.timeout)
        print(f"{'ok    ' if ok else 'FAILED'} {path.name} in {seconds:.1f} s"
              + ("" if ok else f"\n{error}"), flush=True)
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
