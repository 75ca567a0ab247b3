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

Then it writes the *student distribution*, ``DIR/student-kit.zip``: everything a student
needs and nothing else, chosen by an explicit list (never "the repository minus
something"): the student notebooks, the kit's package ``styletransfer_tf`` (with the
checks), ``pyproject.toml``, ``requirements.txt``, the two sample images and a short
README. No solution notebook, autograder, test or sample submission. Before writing it,
the build scans it for the solutions' lines and refuses if one is found.
"""

import argparse
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from . import DIST, REPO, notebook_env, source_notebooks

#: The folder inside the student archive.
STUDENT_DIR = "styletransfer-student-kit"

STUDENT_README = """# Neural style transfer: the assignment

This folder holds your assignment notebook(s) and the course kit `styletransfer_tf`,
which the notebooks use for loading images, VGG19 and the checks after each task.

1. Install (Python 3.10 or newer), from this folder:

   ```bash
   python3 -m venv .venv
   .venv/bin/pip install -r requirements.txt -e .
   ```

2. Start Jupyter (`.venv/bin/jupyter lab`) and open {notebooks}. Keep the file name:
   the notebook finds its checks through it.

3. Work through the tasks; after each one, run its check cell. The first real run
   downloads the VGG19 ImageNet weights (80 MB) through Keras, unless
   `STYLETRANSFER_VGG19_WEIGHTS` names a local copy of
   `vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`.

4. Restart the kernel, run all cells, save, and hand in the `.ipynb` file.

Write each function yourself: while a check runs, the kit's own implementations are
switched off, and a function that uses them earns no points. The autograder runs the
same checks from outside your notebook.
"""


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
    archive = write_student_kit(out / "student-kit.zip",
                                [student_notebook(t) for t in built.values()])
    print(f"student distribution: {archive}")
    return built


def student_kit_files(notebooks, root=REPO):
    """{path inside the archive: bytes}: exactly what students receive."""
    root = Path(root)
    files = {}
    for notebook in notebooks:
        files[Path(notebook).name] = Path(notebook).read_bytes()
    for path in sorted((root / "styletransfer_tf").rglob("*.py")):
        files[path.relative_to(root).as_posix()] = path.read_bytes()
    for path in sorted((root / "styletransfer_tf" / "data").glob("*.png")):
        files[path.relative_to(root).as_posix()] = path.read_bytes()
    for rel in ("pyproject.toml", "requirements.txt", "images/sample_content.png",
                "images/sample_style.png"):
        files[rel] = (root / rel).read_bytes()
    names = ", ".join(f"`{Path(n).name}`" for n in notebooks)
    files["README.md"] = STUDENT_README.format(notebooks=names).encode("utf-8")
    return files


def solution_lines(sources=None):
    """Distinctive lines of the solutions: every line inside a solution block of the
    solution notebooks (code and model answers) that does not also occur in the kit's own
    source.

    (The kit's ``losses.py`` and ``images.py`` are the reference implementation that the
    checks compare with, and ``feedback``'s hints name some calls; students receive
    them, so text that they share with the solutions is no leak.)
    """
    kit = "\n".join(p.read_text(encoding="utf-8")
                    for p in sorted((REPO / "styletransfer_tf").rglob("*.py")))
    found = []
    for source in sources or source_notebooks():
        nb = json.loads(Path(source).read_text(encoding="utf-8"))
        inside_cells = False
        for cell in nb["cells"]:
            text = "".join(cell["source"]) if isinstance(cell["source"], list) \
                else cell["source"]
            head = text.strip().upper()
            if cell["cell_type"] == "raw" and head.startswith("# BEGIN SOLUTION"):
                inside_cells = True
                continue
            if cell["cell_type"] == "raw" and head.startswith("# END SOLUTION"):
                inside_cells = False
                continue
            if not inside_cells:
                continue
            inside_lines = cell["cell_type"] == "markdown"
            for line in text.splitlines():
                mark = line.strip()
                if mark in ("# BEGIN SOLUTION", "# END SOLUTION"):
                    inside_lines = mark == "# BEGIN SOLUTION"
                    continue
                if mark.endswith("# SOLUTION"):
                    mark = mark[: -len("# SOLUTION")].strip()
                elif not inside_lines:
                    continue
                if len(mark) >= 16 and mark not in kit:
                    found.append(mark)
    return list(dict.fromkeys(found))


def solution_leaks(files, lines=None):
    """[(file, what)] for each solution marker or solution line found in ``files``."""
    lines = solution_lines() if lines is None else lines
    markers = [re.compile(r"#\s*BEGIN SOLUTION", re.I), re.compile(r"BEGIN TESTS", re.I),
               re.compile(r"Model answer", re.I)]
    leaks = []
    for name, data in files.items():
        text = data.decode("utf-8", errors="replace")
        if name.endswith(".ipynb"):  # lines inside JSON strings are escaped: unescape
            try:
                nb = json.loads(text)
                text += "\n" + "\n".join("".join(c.get("source", ""))
                                          for c in nb.get("cells", []))
            except ValueError:
                pass
        for marker in markers:
            if marker.search(text):
                leaks.append((name, marker.pattern))
        for line in lines:
            if line in text:
                leaks.append((name, line))
    return leaks


def write_student_kit(path, notebooks):
    """Write the student archive; refuse (SystemExit) if it would contain a solution."""
    files = student_kit_files(notebooks)
    leaks = solution_leaks(files)
    if leaks:
        raise SystemExit("the student distribution would contain solutions: " + "; ".join(
            f"{name}: {what!r}" for name, what in leaks[:5]))
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(f"{STUDENT_DIR}/{name}", data)
    return path


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
