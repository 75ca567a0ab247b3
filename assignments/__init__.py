"""Student assignments for the kit, with Otter-Grader tooling for instructors.

``python -m assignments.build`` generates the student notebooks and the autograder from
the solution notebooks in ``assignments/source``; ``python -m assignments.grade DIR``
grades a folder of submissions into a CSV. See ``assignments/README.md``.
"""

import os
from pathlib import Path

#: The repository root (the folder that holds ``assignments/`` and ``styletransfer_tf/``).
REPO = Path(__file__).resolve().parent.parent
#: Solution notebooks in Otter Assign format: the single source of truth.
SOURCE = REPO / "assignments" / "source"
#: Default output folder of ``python -m assignments.build`` (not committed).
DIST = REPO / "assignments" / "dist"

#: Set while building and grading: random VGG19 weights and tiny images, so that each
#: notebook runs in seconds, offline. The checks never need the real weights.
FAST_ENV = "STYLETRANSFER_ASSIGNMENT_FAST"


def notebook_env():
    """Environment for executing assignment notebooks: fast mode, kit importable, no GUI."""
    env = dict(os.environ)
    env[FAST_ENV] = "1"
    env.setdefault("MPLBACKEND", "Agg")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    paths = [str(REPO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def source_notebooks():
    """The solution notebooks, sorted by name."""
    return sorted(SOURCE.glob("*.ipynb"))
