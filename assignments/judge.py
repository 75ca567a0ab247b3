"""Grade one submission with hidden checks that the notebook cannot reach.

    python -m assignments.judge SUBMISSION --autograder ZIP [--timeout S]

Prints one JSON line: the points per question, their maximum, the check messages, what
tampering was seen, and a status. ``python -m assignments.grade`` runs this once per
submission; it is not meant to be run by hand.

How it keeps the grade out of the notebook's reach:

* This process (the *judge*) never executes student code. It runs from the private copy
  of the kit that ``assignments.grade`` made when grading started (and checks it against
  the digests taken then), imports the kit and the checks, reads the tests and their
  points from the autograder zip that ``python -m assignments.build`` made (Otter's exception-based test files,
  the same tests as the public checks in the notebook), and runs them with Otter's own
  test-file runner.
* The notebook runs in a second process, the *worker* (``assignments/worker.py``), with a
  throw-away copy of the kit on its path (so a cell that rewrites the kit's files rewrites
  the copy). The tests get stand-ins (:class:`feedback.RemoteFunction`) for the student's
  functions: every call sends the inputs to the worker and gets back the outputs as plain
  data (JSON with arrays, never pickles), and every comparison with the reference
  happens here. Replacing ``feedback.check_*``, patching its helpers, ``numpy`` or
  ``tf.debugging`` in the notebook changes the worker only.
"""

import argparse
import hashlib
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from . import REPO, notebook_env

#: Longest wait for one answer from the worker (a student's function that never returns).
OP_TIMEOUT = 300
#: Set by ``assignments.grade``: {path: sha256} of the private copy the judge runs from.
KIT_DIGESTS_ENV = "STYLETRANSFER_GRADING_KIT"


class SubmissionError(Exception):
    """The submission cannot be graded (unreadable, or its notebook never finished)."""


# ------------------------------------------------------------------ the submission


def read_submission(path):
    """The submitted notebook as JSON text (from an .ipynb, or the .ipynb in an Otter zip)."""
    import nbformat

    path = Path(path)
    if path.suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.endswith(".ipynb")
                         and "/" not in n.strip("/") and not n.startswith("__MACOSX")]
                if len(names) != 1:
                    raise SubmissionError(f"the zip holds {len(names)} notebooks at its top "
                                          "level, expected 1")
                text = archive.read(names[0]).decode("utf-8")
        except zipfile.BadZipFile as exc:
            raise SubmissionError(f"not a zip file ({exc})") from None
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds
        raise SubmissionError(f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}") \
            from None
    return nbformat.writes(nb)


def load_tests(zip_path):
    """Otter's test files from the autograder zip, sorted by question name."""
    from otter.test_files import ExceptionTestFile

    tests = []
    with zipfile.ZipFile(zip_path) as archive:
        for name in sorted(archive.namelist()):
            if name.startswith("tests/") and name.endswith(".py"):
                tests.append(ExceptionTestFile.from_string(
                    archive.read(name).decode("utf-8"), name))
    return sorted(tests, key=lambda t: t.name)


def test_parameters(tests):
    """The notebook names the tests take (their functions' parameters)."""
    names = set()
    for test in tests:
        for case in test.test_cases:
            names.update(p for p in case.body._get_func_params() if p != "env")
    return sorted(names)


# ------------------------------------------------------------------ the worker's kit


def kit_files(root=REPO):
    """{relative path: bytes} of what the worker needs: the kit, the worker, the images."""
    root = Path(root)
    files = {}
    for path in sorted((root / "styletransfer_tf").rglob("*.py")):
        files[path.relative_to(root).as_posix()] = path.read_bytes()
    for path in sorted((root / "styletransfer_tf" / "data").glob("*.png")):
        files[path.relative_to(root).as_posix()] = path.read_bytes()
    for rel in ("assignments/__init__.py", "assignments/worker.py",
                "images/sample_content.png", "images/sample_style.png"):
        if (root / rel).is_file():
            files[rel] = (root / rel).read_bytes()
    return files


def digest(data):
    return hashlib.sha256(data).hexdigest()


def write_kit(files, folder):
    for rel, data in files.items():
        target = Path(folder, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def changed_files(files, folder):
    """The kit files that differ in ``folder`` from ``files`` (changed or deleted)."""
    changed = []
    for rel, data in files.items():
        target = Path(folder, rel)
        if not target.is_file() or digest(target.read_bytes()) != digest(data):
            changed.append(rel)
    return changed


# ------------------------------------------------------------------ talking to the worker


class Worker:
    """The worker process and its two pipes."""

    def __init__(self, notebook, kit, workdir, log):
        env = notebook_env()
        env["PYTHONPATH"] = str(kit)       # the throw-away kit, not the repository's
        env["PYTHONNOUSERSITE"] = "1"
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assignments.worker", str(notebook)], cwd=workdir,
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log)
        self.buffer = b""
        self.dead = None

    def read(self, timeout):
        deadline = time.monotonic() + timeout
        out = self.proc.stdout.fileno()
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([out], [], [], left)
            if ready:
                chunk = os.read(out, 1 << 20)
                if not chunk:
                    raise EOFError
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def ask(self, request, timeout=OP_TIMEOUT):
        """The worker's answer to one request, or an exception saying why there is none."""
        if self.dead:
            raise EOFError(self.dead)
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
            self.proc.stdin.flush()
            return self.read(timeout)
        except TimeoutError:
            self.dead = f"did not finish within {timeout:.0f} s (an endless loop?)"
            self.close()
            raise
        except (EOFError, BrokenPipeError, OSError, ValueError) as exc:
            self.dead = "the notebook's process stopped (did your code exit or crash it?)"
            self.close()
            raise EOFError(self.dead) from exc

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b'{"op": "exit"}\n')
                self.proc.stdin.flush()
                self.proc.wait(timeout=5)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def _remote_class():
    from styletransfer_tf import feedback

    from .worker import decode, encode

    class Remote(feedback.RemoteFunction):
        """A student's function in the worker (see feedback.RemoteFunction)."""

        def __init__(self, worker, name, deadline):
            self.worker, self.name, self.deadline = worker, name, deadline
            self.setup_key = None

        def _ask(self, check, request):
            left = max(1.0, min(OP_TIMEOUT, self.deadline - time.monotonic()))
            try:
                reply = self.worker.ask(request, timeout=left)
            except TimeoutError:
                raise feedback.CheckFailed(
                    f"{check}: did not finish within {left:.0f} s (an endless loop?).") from None
            except EOFError as exc:
                raise feedback.CheckFailed(f"{check}: {exc}") from None
            if not isinstance(reply, dict):
                raise feedback.CheckFailed(f"{check}: the notebook's process gave no answer.")
            if "fail" in reply:
                raise feedback.CheckFailed(str(reply["fail"]))
            if "error" in reply:
                error = decode(reply["error"])
                raise error if isinstance(error, BaseException) else RuntimeError(str(error))
            return decode(reply.get("ok"))

        def call(self, check, args, kwargs, isolate):
            return self._ask(check, {"op": "call", "name": self.name, "check": check,
                                     "args": encode(list(args)), "kwargs": encode(dict(kwargs)),
                                     "isolate": list(isolate) if isolate is not None else None})

        def run(self, op, **params):
            check = params.pop("check", self.name)
            request = {"op": op, "name": self.name, "check": check}
            if op == "student_step":
                if self.setup_key is None:
                    self.setup_key = str(id(params["setup"]))
                request["setup_key"] = self.setup_key
            isolate = params.pop("isolate", None)
            request["isolate"] = list(isolate) if isolate is not None else None
            for key, value in params.items():
                request[key] = value if key in ("shapes", "wrt", "fix", "in_graph") \
                    else encode(value)
            return self._ask(check, request)

    return Remote


# ------------------------------------------------------------------ judging


def judge(submission, zip_path, timeout=900):
    """Grade one submission: {"scores", "possible", "feedback", "tampering", "status"}."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    start = time.monotonic()
    deadline = start + timeout
    try:
        text = read_submission(submission)
    except (OSError, SubmissionError) as exc:
        return {"scores": {}, "feedback": "", "tampering": [], "status": f"error: {exc}"}
    files = kit_files()
    with tempfile.TemporaryDirectory(prefix="judge-") as tmp:
        kit, work = Path(tmp, "kit"), Path(tmp, "work")
        write_kit(files, kit)
        work.mkdir()
        notebook = work / "submission.ipynb"
        notebook.write_text(text, encoding="utf-8")
        worker = Worker(notebook, kit, work, Path(tmp, "worker.log"))
        try:
            # meanwhile, the checks and the tests (this process never runs student code)
            from styletransfer_tf import feedback

            feedback._kit_functions()
            tests = load_tests(zip_path)
            try:
                ready = worker.read(max(1.0, deadline - time.monotonic()))
            except TimeoutError:
                return {"scores": {}, "feedback": "", "tampering": [],
                        "status": f"error: the notebook did not finish within {timeout} s"}
            except (EOFError, ValueError):
                return {"scores": {}, "feedback": _tail(Path(tmp, "worker.log")),
                        "tampering": [], "status": "error: the notebook's process stopped"}
            if not ready.get("ready"):
                return {"scores": {}, "feedback": "", "tampering": [],
                        "status": f"error: {ready.get('error', 'the notebook could not run')}"}
            tampering = [str(note) for note in ready.get("tampering", [])]
            if Path(str(ready.get("kit", ""))).resolve() != (kit / "styletransfer_tf").resolve():
                tampering.append(f"the notebook's kit came from {ready.get('kit')}")
            env = _environment(worker, test_parameters(tests), deadline)
            scores, possible, report = {}, {}, []
            for test in tests:
                test.run(env)
                scores[test.name] = test.score
                possible[test.name] = test.possible
                report.append(f"{test.name}: {_num(test.score)} / {_num(test.possible)}\n"
                              + test.summary().rstrip() + "\n")
            try:
                from .worker import decode
                tampering += [str(n) for n in decode(worker.ask({"op": "tampering"},
                                                                timeout=30)["ok"])]
            except (TimeoutError, EOFError, KeyError, TypeError, ValueError):
                pass
        finally:
            worker.close()
        tampering += [f"wrote to {rel}" for rel in changed_files(files, kit)]
    return {"scores": scores, "possible": possible, "feedback": "\n".join(report),
            "tampering": sorted({_plain(note) for note in tampering}), "status": "ok"}


_NOTE = re.compile(r"[A-Za-z_][\w.]* (replaced|rewritten|reloaded|changed)|wrote to [\w./-]+"
                   r"|the notebook's kit came from [\w./-]+")


def _plain(note):
    """A tampering note as the worker should word it (it is the notebook's process, so its
    report is untrusted text that ends up in a spreadsheet)."""
    return note if _NOTE.fullmatch(note) else "an unreadable tampering report"


def _environment(worker, names, deadline):
    """What the tests receive for each name: a stand-in for a function, or the value."""
    from .worker import decode

    Remote = _remote_class()
    try:
        reply = worker.ask({"op": "describe", "names": names},
                           timeout=max(1.0, min(OP_TIMEOUT, deadline - time.monotonic())))
        described = decode(reply["ok"])
    except (TimeoutError, EOFError, KeyError, ValueError, TypeError):
        described = {}
    env = {}
    for name in names:
        entry = described.get(name) if isinstance(described, dict) else None
        kind = entry.get("kind") if isinstance(entry, dict) else "missing"
        if kind == "function":
            env[name] = Remote(worker, name, deadline)
        elif kind == "value":
            env[name] = entry.get("value")
        else:
            env[name] = None
    return env


def _num(value):
    value = round(float(value), 4)
    return int(value) if value == int(value) else value


def _tail(path, lines=20):
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def verify_kit():
    """Stop unless the files this judge runs from are those ``grade`` copied (before the
    kit is imported: a notebook that found the copy and changed it must not judge)."""
    expected = os.environ.get(KIT_DIGESTS_ENV)
    if not expected:
        return
    root = REPO
    for rel, sha in json.loads(expected).items():
        path = root / rel
        if not path.is_file() or digest(path.read_bytes()) != sha:
            sys.exit(f"the grading kit's {rel} changed after grading started; grade again")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m assignments.judge",
                                     description="Grade one submission (used by assignments.grade).")
    parser.add_argument("submission")
    parser.add_argument("--autograder", required=True, help="the autograder zip")
    parser.add_argument("--timeout", type=int, default=900)
    args = parser.parse_args(argv)
    if not Path(args.autograder).is_file():
        sys.exit(f"no such autograder zip: {args.autograder}")
    verify_kit()
    result = judge(args.submission, args.autograder, args.timeout)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
