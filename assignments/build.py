"""Generate the student notebooks and the autograder from the solution notebooks.

    python -m assignments.build [--out DIR] [--no-run-tests]

For each solution notebook ``assignments/source/NAME.ipynb`` this runs Otter Assign,
which writes

* ``DIR/NAME/student/NAME.ipynb``: the notebook to hand out (solutions replaced by
  ``...``, outputs cleared, check cells and their tests included);
* ``DIR/NAME/autograder/NAME-autograder_*.zip``: what ``python -m assignments.grade``
  grades with; ``DIR/NAME/autograder/NAME.ipynb`` is the solution notebook as run.

Otter Assign also executes the solution notebook and fails unless every check passes,
so a successful build means the solutions are right. DIR defaults to
``assignments/dist`` (not committed).
"""

import argparse
import subprocess
import sys
from pathlib import Path

from . import DIST, notebook_env, source_notebooks


def build(out=DIST, run_tests=True, notebooks=None):
    """Run Otter Assign on each solution notebook; return {name: output folder}."""
    out = Path(out).resolve()
    built = {}
    for source in notebooks or source_notebooks():
        target = out / source.stem
        cmd = [sys.executable, "-m", "otter", "assign", str(source), str(target)]
        if not run_tests:
            cmd.append("--no-run-tests")
        print(f"otter assign {source.name} -> {target}", flush=True)
        done = subprocess.run(cmd, env=notebook_env(), capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"otter assign failed for {source} (exit {done.returncode})")
        built[source.stem] = target
        print(f"  student notebook: {student_notebook(target)}")
        print(f"  autograder:       {autograder_zip(target)}")
    return built


def student_notebook(target):
    found = sorted(Path(target, "student").glob("*.ipynb"))
    return found[0] if found else None


def autograder_zip(target):
    """The newest autograder zip in an assignment's build folder."""
    found = sorted(Path(target, "autograder").glob("*-autograder_*.zip"))
    return found[-1] if found else None


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m assignments.build",
        description="Generate student notebooks and autograder zips with Otter Assign.")
    parser.add_argument("--out", default=str(DIST),
                        help="output folder (default: assignments/dist)")
    parser.add_argument("--no-run-tests", action="store_true",
                        help="skip running the solution notebooks against their checks")
    args = parser.parse_args(argv)
    build(args.out, run_tests=not args.no_run_tests)


if __name__ == "__main__":
    main()
