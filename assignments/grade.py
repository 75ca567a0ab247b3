"""Grade a folder of submitted notebooks locally and write a CSV of scores.

    python -m assignments.grade SUBMISSIONS [-o scores.csv] [--feedback DIR] [--jobs N]

SUBMISSIONS is a folder holding one ``.ipynb`` (or an Otter ``.zip``) per student, named
after the student (``alice.ipynb``), or one sub-folder per student with the notebook
inside (``alice/style_transfer.ipynb``). Each submission is graded by
``python -m assignments.judge`` in a fresh process: the notebook is executed from top to
bottom in a separate worker process, and the tests of the autograder that
``python -m assignments.build`` generated (Otter's test files) judge the student's
functions from outside it, so nothing in the notebook can change its grade (see
``assignments/judge.py`` and ``assignments/README.md``). No Docker, no server.

The CSV has one row per student and one column per task with the points earned, then
``autograded`` (their sum), ``autograded_max``, one empty column per hand-graded task
for you to fill in, ``tampering`` (what the notebook tried to change: checks, NumPy or
TensorFlow functions, the kit's files; empty for an honest notebook) and ``status``
(``ok``, or why the submission could not be graded).
With ``--feedback DIR`` each student's check messages are written to ``DIR/STUDENT.txt``.

The submitted code runs with your user's rights: grade untrusted submissions in a
disposable account, VM or container.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from . import DIST, REPO, notebook_env, source_notebooks
from .build import autograder_zip


def questions(source):
    """[(name, manual, points)] of the questions in an Otter Assign solution notebook."""
    nb = json.loads(Path(source).read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        lines = text.strip().splitlines()
        if cell["cell_type"] == "raw" and lines and lines[0].strip().upper() == "# BEGIN QUESTION":
            config = yaml.safe_load("\n".join(lines[1:])) or {}
            found.append((config["name"], bool(config.get("manual", False)),
                          config.get("points")))
    return found


def autograded_points(zip_path):
    """{question: points possible} from the test files inside an autograder zip."""
    from otter.test_files import ExceptionTestFile

    points = {}
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            if name.startswith("tests/") and name.endswith(".py"):
                test = ExceptionTestFile.from_string(archive.read(name).decode("utf-8"), name)
                points[test.name] = test.possible
    return points


def find_submissions(folder):
    """{student: path} for a folder of submissions (files or one sub-folder per student)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SystemExit(f"{folder} is not a folder of submissions")
    found = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix in (".ipynb", ".zip"):
            found[entry.stem] = entry
        elif entry.is_dir():
            inside = sorted(p for p in entry.iterdir() if p.suffix in (".ipynb", ".zip")
                            and not p.name.startswith("."))
            if len(inside) == 1:
                found[entry.name] = inside[0]
            elif inside:
                print(f"skipping {entry}: more than one notebook inside", file=sys.stderr)
    return found


def grade_one(submission, zip_path, timeout=None, kit=None):
    """Grade one submission in a fresh judge process.

    Returns ``({question: score}, feedback, status, tampering)``; ``tampering`` lists what
    the notebook tried to change (empty for an honest one). ``kit`` is the
    :class:`GradingKit` the judge runs from (one is made for this call if not given).
    """
    own = kit is None
    kit = GradingKit(zip_path) if own else kit
    cmd = [sys.executable, "-m", "assignments.judge", str(Path(submission).resolve()),
           "--autograder", str(kit.zip)]
    if timeout:
        cmd += ["--timeout", str(int(timeout))]
    try:
        return _run_judge(cmd, kit, timeout)
    finally:
        if own:
            kit.close()


def _run_judge(cmd, kit, timeout):
    with tempfile.TemporaryDirectory(prefix="grade-") as cwd:
        proc = subprocess.Popen(cmd, env=kit.env(), cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=(timeout + 60) if timeout else None)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)  # the judge and the notebook's worker
            proc.communicate()
            return {}, "", f"error: grading took longer than {timeout} s", []
        _kill_group(proc.pid)  # whatever the notebook left running in the background
    lines = out.strip().splitlines()
    try:
        result = json.loads(lines[-1]) if lines else None
    except ValueError:
        result = None
    if proc.returncode != 0 or not isinstance(result, dict):
        last = (err or out).strip().splitlines()
        reason = last[-1] if last else f"the judge exited with {proc.returncode}"
        return {}, out + err, f"error: {reason}", []
    return (dict(result.get("scores", {})), result.get("feedback", ""),
            result.get("status", "error: no status"), list(result.get("tampering", [])))


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class GradingKit:
    """A private copy of what judging needs, taken when grading starts.

    The judges import the kit, the checks and themselves from this copy, not from the
    repository: what a notebook (or a colleague's editor) writes to the repository while
    grading runs changes no judge. Each judge checks the copy against the digests taken
    here before it imports anything; after each submission the copy is checked again and,
    if a notebook found and changed it, rewritten (it is ours: nothing else writes there).
    """

    def __init__(self, zip_path, root=REPO):
        root = Path(root)
        self.files = {}
        for path in sorted((root / "styletransfer_tf").rglob("*.py")):
            self.files[path.relative_to(root).as_posix()] = path.read_bytes()
        for path in sorted((root / "styletransfer_tf" / "data").glob("*.png")):
            self.files[path.relative_to(root).as_posix()] = path.read_bytes()
        for rel in ("assignments/__init__.py", "assignments/judge.py", "assignments/worker.py",
                    "images/sample_content.png", "images/sample_style.png"):
            if (root / rel).is_file():
                self.files[rel] = (root / rel).read_bytes()
        self.files["autograder.zip"] = Path(zip_path).read_bytes()
        self.tmp = tempfile.TemporaryDirectory(prefix="grading-kit-")
        self.root = Path(self.tmp.name)
        self.lock = threading.Lock()
        self._write(self.files)

    def _write(self, files):
        for rel, data in files.items():
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    @property
    def zip(self):
        return self.root / "autograder.zip"

    def env(self):
        from .judge import KIT_DIGESTS_ENV, digest

        env = notebook_env()
        env["PYTHONPATH"] = str(self.root)
        env["PYTHONNOUSERSITE"] = "1"
        env[KIT_DIGESTS_ENV] = json.dumps({rel: digest(data) for rel, data in self.files.items()})
        return env

    def repair(self):
        """Rewrite what changed in the copy; return the changed paths."""
        with self.lock:
            changed = []
            for rel, data in self.files.items():
                target = self.root / rel
                if not target.is_file() or target.read_bytes() != data:
                    changed.append(rel)
            self._write({rel: self.files[rel] for rel in changed})
        return changed

    def close(self):
        self.tmp.cleanup()


def summarise(notes, limit=3):
    """A short form of the tampering notes for the CSV (the feedback file lists them all):
    "feedback: 13 replaced (check_content_loss, check_deprocess, check_experiment, ...)"."""
    groups, order = {}, []
    for note in notes:
        parts = note.rsplit(" ", 1)
        head, verb = (parts[0], parts[1]) if len(parts) == 2 and "." in parts[0] \
            and " " not in parts[0] else (note, None)
        module, _, name = head.rpartition(".")
        key = (module, verb) if verb else (note, None)
        if key not in groups:
            groups[key] = []
            order.append(key)
        if verb:
            groups[key].append(name)
    out = []
    for module, verb in order:
        names = groups[(module, verb)]
        if verb is None:
            out.append(module)
        elif len(names) <= limit:
            out.extend(f"{module}.{name} {verb}" for name in names)
        else:
            out.append(f"{module}: {len(names)} {verb} ({', '.join(names[:limit])}, ...)")
    return "; ".join(out)


def _num(value):
    value = round(float(value), 4)
    return int(value) if value == int(value) else value


def grade_folder(submissions, out_csv, assignment=None, zip_path=None, feedback_dir=None,
                 jobs=1, timeout=None, quiet=False):
    """Grade every submission in a folder; write the CSV; return its rows as dicts."""
    source = _source_notebook(assignment)
    zip_path = Path(zip_path) if zip_path else autograder_zip(DIST / source.stem)
    if zip_path is None or not Path(zip_path).is_file():
        raise SystemExit(f"no autograder zip for {source.stem}: run `python -m assignments.build` "
                         "first (or pass --autograder PATH)")
    tasks = questions(source)
    possible = autograded_points(zip_path)
    auto = [name for name, manual, _ in tasks if not manual and name in possible]
    manual = [name for name, is_manual, _ in tasks if is_manual]
    found = find_submissions(submissions)
    if not found:
        raise SystemExit(f"no .ipynb or .zip submissions in {submissions}")

    kit = GradingKit(zip_path)

    def work(item):
        student, path = item
        scores, feedback, status, tampering = grade_one(path, zip_path, timeout, kit)
        tampering += [f"changed the grading kit's {rel} (repaired)" for rel in kit.repair()]
        if not quiet:
            print(f"graded {student}: {status}", flush=True)
        return student, (scores, feedback, status, tampering)

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            graded = dict(pool.map(work, found.items()))
    finally:
        kit.close()

    header = (["student"] + auto + ["autograded", "autograded_max"]
              + [f"{name} (manual, /{_num(points or 0)})" for name, m, points in tasks if m]
              + ["tampering", "status"])
    max_total = sum(possible[name] for name in auto)
    rows = []
    for student in sorted(graded):
        scores, feedback, status, tampering = graded[student]
        row = {"student": student}
        for name in auto:
            row[name] = _num(scores.get(name, 0))
        row["autograded"] = _num(sum(scores.get(name, 0) for name in auto))
        row["autograded_max"] = _num(max_total)
        for name, is_manual, points in tasks:
            if is_manual:
                row[f"{name} (manual, /{_num(points or 0)})"] = ""
        row["tampering"] = summarise(tampering)
        row["status"] = status
        rows.append(row)
        if feedback_dir:
            Path(feedback_dir).mkdir(parents=True, exist_ok=True)
            Path(feedback_dir, f"{student}.txt").write_text(
                f"{student}: {row['autograded']} / {row['autograded_max']} autograded points "
                f"({status})\n"
                + "".join(f"tampering: {note}\n" for note in tampering)
                + f"\n{feedback}", encoding="utf-8")
    out_csv = Path(out_csv)
    if out_csv.parent != Path(""):
        out_csv.parent.mkdir(parents=True, exist_ok=True)
    with open(out_csv, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    if not quiet:
        print(f"wrote {out_csv} ({len(rows)} students; manual tasks to fill in: "
              f"{', '.join(manual) or 'none'})")
    return rows


def _source_notebook(assignment):
    notebooks = {path.stem: path for path in source_notebooks()}
    if assignment is None:
        if len(notebooks) != 1:
            raise SystemExit(f"several assignments ({', '.join(notebooks)}): pass --assignment")
        return next(iter(notebooks.values()))
    if assignment not in notebooks:
        raise SystemExit(f"unknown assignment {assignment!r}; known: {', '.join(notebooks)}")
    return notebooks[assignment]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m assignments.grade",
        description="Grade a folder of submitted notebooks with Otter (no Docker) into a CSV.")
    parser.add_argument("submissions", help="folder with one .ipynb (or .zip) per student")
    parser.add_argument("-o", "--output", default="scores.csv", help="CSV to write")
    parser.add_argument("--assignment", help="assignment name (default: the only one)")
    parser.add_argument("--autograder", help="autograder zip (default: from assignments/dist)")
    parser.add_argument("--feedback", metavar="DIR",
                        help="write each student's check messages to DIR/STUDENT.txt")
    parser.add_argument("-j", "--jobs", type=int, default=1,
                        help="submissions graded in parallel (default 1)")
    parser.add_argument("--timeout", type=int, default=900,
                        help="seconds allowed per submission (default 900)")
    args = parser.parse_args(argv)
    grade_folder(args.submissions, args.output, args.assignment, args.autograder,
                 args.feedback, args.jobs, args.timeout)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
