"""Grade a folder of submitted notebooks locally and write a CSV of scores.

    python -m assignments.grade SUBMISSIONS [-o scores.csv] [--feedback DIR] [--jobs N]

SUBMISSIONS is a folder holding one ``.ipynb`` (or an Otter ``.zip``) per student, named
after the student (``alice.ipynb``), or one sub-folder per student with the notebook
inside (``alice/style_transfer.ipynb``). Each submission is executed from top to bottom
and checked by ``otter run`` (Otter-Grader's non-containerised runner: no Docker, no
server), with the autograder that ``python -m assignments.build`` generated.

The CSV has one row per student and one column per task with the points earned, then
``autograded`` (their sum), ``autograded_max``, one empty column per hand-graded task
for you to fill in, and ``status`` (``ok``, or why the submission could not be graded).
With ``--feedback DIR`` each student's check messages are written to ``DIR/STUDENT.txt``.

Otter runs the submitted code with your user's rights: grade untrusted submissions in
a disposable account, VM or container.
"""

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from . import DIST, notebook_env, source_notebooks
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


def grade_one(submission, zip_path, timeout=None):
    """Run ``otter run`` on one submission; return ({question: score}, feedback, status)."""
    with tempfile.TemporaryDirectory(prefix="otter-run-") as out:
        cmd = [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(zip_path),
               "-o", out, str(Path(submission).resolve())]
        try:
            done = subprocess.run(cmd, env=notebook_env(), capture_output=True, text=True,
                                  timeout=timeout, cwd=out)
        except subprocess.TimeoutExpired:
            return {}, "", f"error: grading took longer than {timeout} s"
        results = Path(out, "results.json")
        if done.returncode != 0 or not results.is_file():
            last = (done.stderr or done.stdout).strip().splitlines()
            reason = last[-1] if last else f"otter run exited with {done.returncode}"
            return {}, done.stdout + done.stderr, f"error: {reason}"
        data = json.loads(results.read_text(encoding="utf-8"))
    scores, feedback = {}, io.StringIO()
    for test in data.get("tests", []):
        if test.get("score") is None:
            continue  # the "Public Tests" summary entry
        scores[test["name"]] = test["score"]
        feedback.write(f"{test['name']}: {_num(test['score'])} / {_num(test['max_score'])}\n")
        feedback.write(test.get("output", "").rstrip() + "\n\n")
    return scores, feedback.getvalue(), "ok"


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

    def work(item):
        student, path = item
        result = grade_one(path, zip_path, timeout)
        if not quiet:
            print(f"graded {student}: {result[2]}", flush=True)
        return student, result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        graded = dict(pool.map(work, found.items()))

    header = (["student"] + auto + ["autograded", "autograded_max"]
              + [f"{name} (manual, /{_num(points or 0)})" for name, m, points in tasks if m]
              + ["status"])
    max_total = sum(possible[name] for name in auto)
    rows = []
    for student in sorted(graded):
        scores, feedback, status = graded[student]
        row = {"student": student}
        for name in auto:
            row[name] = _num(scores.get(name, 0))
        row["autograded"] = _num(sum(scores.get(name, 0) for name in auto))
        row["autograded_max"] = _num(max_total)
        for name, is_manual, points in tasks:
            if is_manual:
                row[f"{name} (manual, /{_num(points or 0)})"] = ""
        row["status"] = status
        rows.append(row)
        if feedback_dir:
            Path(feedback_dir).mkdir(parents=True, exist_ok=True)
            Path(feedback_dir, f"{student}.txt").write_text(
                f"{student}: {row['autograded']} / {row['autograded_max']} autograded points "
                f"({status})\n\n{feedback}", encoding="utf-8")
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
