"""The student assignments (assignments/): solutions, feedback, student notebooks, grading.

The slow part (a few minutes on two cores) builds the assignment with Otter Assign
once, runs the generated student notebook and grades the sample submissions in
tests/fixtures/assignments/submissions with ``python -m assignments.grade``: the honest
ones, and those that try to get points without the work (delegating to the kit,
tampering with the checks). Everything uses VGG19 with random weights and tiny images
(STYLETRANSFER_ASSIGNMENT_FAST=1).
"""

import csv
import json
import os
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from assignments import notebook_env  # noqa: E402
from styletransfer_tf import feedback  # noqa: E402
from styletransfer_tf import losses as ref  # noqa: E402
from styletransfer_tf.images import IMAGENET_MEAN_BGR  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "assignments"
SUBMISSIONS = FIXTURES / "submissions"
SOURCE = REPO / "assignments" / "source" / "style_transfer.ipynb"


def _fails(check, fn):
    """The CheckFailed message of check(fn); fails the test if the check passes."""
    with pytest.raises(feedback.CheckFailed) as info:
        check(fn)
    return str(info.value)


# ------------------------------------------------------------------ fast, in-process


def solution_namespace():
    """Execute the solution cells of the source notebook; return their namespace."""
    sys.path.insert(0, str(FIXTURES))
    try:
        from make_submissions import clean_solution
    finally:
        sys.path.remove(str(FIXTURES))
    nb = json.loads(SOURCE.read_text(encoding="utf-8"))
    namespace = {"tf": tf, "np": np, "IMAGENET_MEAN_BGR": IMAGENET_MEAN_BGR,
                 "PIXEL_LOW": feedback.PIXEL_LOW, "PIXEL_HIGH": feedback.PIXEL_HIGH}
    inside = False
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "raw" and text.strip().upper().startswith("# BEGIN SOLUTION"):
            inside = True
        elif cell["cell_type"] == "raw" and text.strip().upper().startswith("# END SOLUTION"):
            inside = False
        elif inside and cell["cell_type"] == "code" and "def " in text:
            exec(compile(clean_solution(text), "<solution>", "exec"), namespace)
    return namespace


def test_solution_functions_pass_every_check():
    ns = solution_namespace()
    feedback.check_preprocess(ns["preprocess"])
    feedback.check_deprocess(ns["deprocess"])
    feedback.check_gram_matrix(ns["gram_matrix"])
    feedback.check_gram_matrix_vectorised(ns["gram_matrix"])
    feedback.check_content_loss(ns["content_loss"])
    feedback.check_style_layer_loss(ns["style_layer_loss"])
    feedback.check_style_layer_loss_properties(ns["style_layer_loss"])
    feedback.check_style_loss(ns["style_loss"])
    feedback.check_total_variation_loss(ns["total_variation_loss"])
    feedback.check_total_loss(ns["total_loss"])
    feedback.check_train_step(ns["train_step"])
    feedback.check_train_step_in_graph(ns["train_step"])
    feedback.check_train_step(tf.function(ns["train_step"]))  # decorated by the student


def _copy(fn):
    """The same code as a kit function, as a function of its own (not the kit's object)."""
    return types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__)


def test_reference_functions_pass_every_check():
    """The package's own implementation is what the checks compare with."""
    feedback.check_gram_matrix(_copy(ref.gram_matrix))
    feedback.check_gram_matrix_vectorised(_copy(ref.gram_matrix))
    feedback.check_content_loss(_copy(ref.content_loss))
    feedback.check_style_layer_loss(_copy(ref.style_layer_loss))
    feedback.check_style_layer_loss_properties(_copy(ref.style_layer_loss))
    feedback.check_style_loss(_copy(ref.style_loss))
    feedback.check_total_variation_loss(_copy(ref.total_variation_loss))
    feedback.check_total_loss(_copy(ref.total_loss))


def test_kit_functions_are_switched_off_during_checks():
    """A function that is, or calls, the kit's implementation of its task scores nothing."""
    import keras

    import styletransfer_tf as st
    from styletransfer_tf import optimize

    message = _fails(feedback.check_gram_matrix, st.gram_matrix)
    assert "your gram_matrix is the kit's own gram_matrix" in message
    assert "write it yourself" in message
    message = _fails(feedback.check_content_loss, lambda F, P: st.content_loss(F, P))
    assert ("your content_loss calls the kit's own content_loss "
            "(styletransfer_tf.losses.content_loss); write it yourself") in message

    def swallowed(F):  # catching the error does not help: the call is recorded
        try:
            return ref.gram_matrix(F)
        except:  # noqa: E722
            return tf.zeros((2, 6, 6))
    assert "calls the kit's own gram_matrix" in _fails(feedback.check_gram_matrix, swallowed)
    assert "calls the kit's own gram_matrix" in _fails(feedback.check_gram_matrix_vectorised,
                                                       swallowed)
    # the kit's other routes to the same result
    assert "_gram_matrix" in _fails(feedback.check_gram_matrix, lambda F: ref.fast_gram_matrix(F))
    message = _fails(feedback.check_style_layer_loss,
                     lambda F, A: st.style_loss([F], [A], layer_weights=[1.0]))
    assert "calls the kit's own style_loss" in message
    message = _fails(feedback.check_preprocess, keras.applications.vgg19.preprocess_input)
    assert "Keras's preprocess_input" in message
    message = _fails(feedback.check_preprocess,
                     lambda rgb: keras.applications.vgg19.preprocess_input(rgb))
    assert "calls Keras's preprocess_input" in message

    def gram_in_graph(F):  # calls the kit only while traced, and inside tf.function
        if isinstance(F, tf.Tensor) and not tf.executing_eagerly():
            return st.gram_matrix(F)
        flat = _flat(F)
        return tf.matmul(flat, flat, transpose_a=True)
    feedback.check_gram_matrix(gram_in_graph)
    assert "calls the kit's own gram_matrix" in _fails(feedback.check_gram_matrix_vectorised,
                                                       gram_in_graph)
    # what a task may build on stays available: gram_matrix inside style_layer_loss
    feedback.check_style_layer_loss(_scaled_style(4.0))
    # and afterwards the kit works again
    assert ref.gram_matrix.__code__.co_filename.endswith("losses.py")
    np.testing.assert_allclose(st.content_loss(tf.ones((1, 2, 2, 1)), tf.zeros((1, 2, 2, 1))),
                               [2.0])


def _flat(F):
    shape = tf.shape(F)
    return tf.reshape(F, (shape[0], shape[1] * shape[2], shape[3]))


def _scaled_style(factor):
    def style_layer_loss(F, A):
        shape = tf.shape(F)
        n = tf.cast(shape[3], F.dtype)
        m = tf.cast(shape[1] * shape[2], F.dtype)
        return tf.reduce_sum(tf.square(ref.gram_matrix(F) - A), axis=[1, 2]) / (
            factor * n**2 * m**2)
    return style_layer_loss


def test_feedback_unimplemented():
    message = _fails(feedback.check_gram_matrix, lambda F: None)
    assert "not implemented" in message and "How to fix" in message
    message = _fails(feedback.check_content_loss, None)
    assert "not defined" in message


def test_feedback_wrong_shape():
    message = _fails(feedback.check_gram_matrix,
                     lambda F: tf.matmul(_flat(F), _flat(F), transpose_b=True))
    assert "shape (2, 20, 20), expected (2, 6, 6)" in message
    assert "positions" in message
    message = _fails(feedback.check_content_loss, lambda F, P: tf.reduce_sum(tf.square(F - P)))
    assert "expected (2,)" in message and "batch axis" in message


def test_feedback_not_symmetric():
    def gram(F):
        flat = _flat(F)
        return tf.matmul(flat, flat + 1.0, transpose_a=True)
    assert "not symmetric" in _fails(feedback.check_gram_matrix, gram)


def test_feedback_not_zero_on_identical_inputs():
    message = _fails(feedback.check_content_loss,
                     lambda F, P: 0.5 * tf.reduce_sum(tf.square(F) + tf.square(P), axis=[1, 2, 3]))
    assert "not zero when the generated and the content features are identical" in message

    def style(F, A):  # takes the Gram matrix of the target features twice, then adds
        return tf.reduce_sum(ref.gram_matrix(F) + A, axis=[1, 2])
    assert "not zero" in _fails(feedback.check_style_layer_loss_properties, style)


def test_feedback_alpha_beta_swapped():
    message = _fails(feedback.check_total_loss,
                     lambda c, s, t, alpha, beta, w=0.0: beta * c + alpha * s + w * t)
    assert "alpha and beta are swapped" in message


def test_feedback_normalisation_factor():
    message = _fails(feedback.check_style_layer_loss, _scaled_style(1.0))
    assert "4 times too large" in message and "1/4 is missing" in message
    message = _fails(feedback.check_style_layer_loss, _scaled_style(2.0))
    assert "2 times too large" in message and "factor 2" in message
    message = _fails(feedback.check_style_layer_loss, _scaled_style(16.0))
    assert "4 times too small" in message and "factor 4" in message
    message = _fails(feedback.check_content_loss,
                     lambda F, P: tf.reduce_sum(tf.square(F - P), axis=[1, 2, 3]))
    assert "2 times too large" in message and "1/2" in message


def test_feedback_python_loop():
    def loop_gram(F):
        rows = [tf.reduce_sum(F[..., i:i + 1] * F, axis=[1, 2]) for i in range(F.shape[-1])]
        return tf.stack(rows, axis=1)
    feedback.check_gram_matrix(loop_gram)  # the values are right...
    message = _fails(feedback.check_gram_matrix_vectorised, loop_gram)  # ...the method is not
    assert "Python loop" in message and "matrix product" in message


def test_feedback_numpy_on_symbolic_tensors():
    def numpy_gram(F):
        flat = np.reshape(F, (F.shape[0], -1, F.shape[-1]))
        return np.matmul(np.swapaxes(flat, 1, 2), flat)
    message = _fails(feedback.check_gram_matrix_vectorised, numpy_gram)
    assert "NumPy" in message and "tf.function" in message

    def numpy_loss(F, P):
        return tf.constant(0.5 * np.sum((F.numpy() - P.numpy()) ** 2, axis=(1, 2, 3)))
    assert "NumPy" in _fails(feedback.check_content_loss, numpy_loss)


def test_feedback_channel_order():
    message = _fails(feedback.check_preprocess, lambda rgb: rgb - IMAGENET_MEAN_BGR)
    assert "wrong channel order" in message and "BGR" in message
    message = _fails(feedback.check_preprocess,
                     lambda rgb: rgb[..., ::-1] - IMAGENET_MEAN_BGR[::-1])
    assert "wrong order" in message
    message = _fails(feedback.check_deprocess, lambda x: x + IMAGENET_MEAN_BGR)
    assert "wrong channel order" in message


def test_feedback_wrong_value_and_other_bugs():
    message = _fails(feedback.check_total_variation_loss,
                     lambda x: tf.reduce_sum(tf.square(x[:, 1:] - x[:, :-1]), axis=[1, 2, 3]))
    assert "only counts vertical neighbours" in message
    message = _fails(feedback.check_content_loss,
                     lambda F, P: tf.reduce_sum(tf.square(F - P) + tf.abs(F - P), axis=[1, 2, 3]))
    assert "wrong values" in message and "expected (first values)" in message
    message = _fails(feedback.check_style_loss,
                     lambda feats, grams, w=None: sum(ref.style_layer_loss(f, g)
                                                      for f, g in zip(feats, grams)))
    assert "without the default weights" in message


def test_feedback_train_step_bugs():
    def outside_tape(x, optimizer, features, content_targets, style_targets, alpha, beta,
                     tv_weight=0.0):
        content_features, style_features = features(x)
        loss = tf.reduce_sum(alpha * ref.content_loss(content_features[0], content_targets[0]))
        optimizer.apply_gradients([(tf.GradientTape().gradient(loss, x), x)])
        return loss
    message = _fails(feedback.check_train_step, outside_tape)
    assert "GradientTape" in message


def test_checks_isolate_tasks():
    """A buggy gram_matrix in the student's namespace does not fail the style-loss check."""
    ns = solution_namespace()
    ns["gram_matrix"] = lambda F: 2.0 * ref.gram_matrix(F)
    feedback.check_style_layer_loss(ns["style_layer_loss"])
    assert ns["gram_matrix"] is not ref.gram_matrix  # restored afterwards


def test_student_notebook_does_not_reveal_solutions(built):
    text = built["student"].read_text(encoding="utf-8")
    for solution_line in ["rgb[..., ::-1] - IMAGENET_MEAN_BGR", "transpose_a=True",
                          "4.0 * n**2 * m**2", "alpha * content + beta * style",
                          "tape.gradient(loss, x)", "Model answer"]:
        assert solution_line not in text


def test_student_distribution_holds_no_solution(built):
    """The archive students receive: the notebook and the kit, no solution."""
    from assignments.build import STUDENT_DIR, solution_leaks, solution_lines

    with zipfile.ZipFile(built["kit"]) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    names = sorted(name[len(STUDENT_DIR) + 1:] for name in files)
    assert all(name.startswith(STUDENT_DIR + "/") for name in files)
    kit = sorted(p.relative_to(REPO).as_posix()
                 for p in [*(REPO / "styletransfer_tf").rglob("*.py"),
                           *(REPO / "styletransfer_tf" / "data").glob("*.png")])
    assert "styletransfer_tf/feedback/__init__.py" in kit
    assert names == sorted(["README.md", "pyproject.toml", "requirements.txt",
                            "images/sample_content.png", "images/sample_style.png",
                            "style_transfer.ipynb"] + kit)
    assert files[f"{STUDENT_DIR}/style_transfer.ipynb"] == built["student"].read_bytes()
    lines = solution_lines()
    assert "total += w * style_layer_loss(F, A)" in lines  # solution code the kit lacks
    assert any("Model answer" in line for line in lines)
    assert solution_leaks(files, lines) == []
    # the scan finds solutions where they are
    leaks = solution_leaks({"source.ipynb": SOURCE.read_bytes(),
                            "autograder.ipynb": built["autograder_nb"].read_bytes(),
                            "correct.ipynb": (SUBMISSIONS / "correct.ipynb").read_bytes()},
                           lines)
    assert {name for name, _ in leaks} == {"source.ipynb", "autograder.ipynb", "correct.ipynb"}
    # whatever a repository clone holds besides the kit and the notebook is left out
    assert not any(name.startswith(("assignments/", "tests/", "notebooks/")) for name in names)


def test_tampering_samples_fool_checks_in_the_same_process():
    """The tampering samples are real attacks: run in the checks' own process (as the public
    checks in the notebook are), each makes a buggy function pass."""
    sys.path.insert(0, str(FIXTURES))
    try:
        from make_submissions import TAMPER
    finally:
        sys.path.remove(str(FIXTURES))

    def swapped(c, s, t, alpha, beta, w=0.0):
        return beta * c + alpha * s + w * t
    _fails(feedback.check_total_loss, swapped)
    modules = [feedback, feedback.compare, feedback.diagnostics, np, tf.debugging]
    for name in ["tamper_replace_checks", "tamper_wrap_checks", "tamper_helpers",
                 "tamper_numpy_tf"]:
        saved = [dict(vars(m)) for m in modules]
        try:
            exec(TAMPER[name][1], {"feedback": feedback, "np": np, "tf": tf})
            feedback.check_total_loss(swapped)  # passes: the attack works here
        finally:
            for module, attrs in zip(modules, saved):
                for key in [k for k in vars(module) if k not in attrs]:
                    delattr(module, key)
                for key, value in attrs.items():
                    if vars(module).get(key) is not value:
                        setattr(module, key, value)
        _fails(feedback.check_total_loss, swapped)


def test_worker_codec_round_trip():
    """Only data travels between the notebook's process and the judge."""
    from assignments.worker import decode, encode, is_grader_cell

    value = {"t": tf.constant([[1.5, 2.0]]), "a": np.arange(3, dtype=np.int64), "f": 0.25,
             "n": float("nan"), "l": [None, Ellipsis, (1, "x")], "s": np.float32(2.5)}
    back = decode(json.loads(json.dumps(encode(value))))
    assert isinstance(back["t"], tf.Tensor) and back["t"].dtype == tf.float32
    np.testing.assert_array_equal(back["t"], [[1.5, 2.0]])
    assert back["a"].dtype == np.int64 and list(back["a"]) == [0, 1, 2]
    assert back["f"] == 0.25 and np.isnan(back["n"]) and back["s"] == np.float32(2.5)
    assert back["l"] == [None, Ellipsis, (1, "x")]
    opaque = decode(encode(object()))
    assert type(opaque).__name__ == "object" and not callable(opaque)
    error = decode(encode(tf.errors.InvalidArgumentError(None, None, "Incompatible shapes")))
    assert isinstance(error, tf.errors.InvalidArgumentError)
    assert str(error) == "Incompatible shapes"
    error = decode(encode(KeyError("gram")))
    assert isinstance(error, KeyError) and type(error).__name__ == "KeyError"
    with pytest.raises(ValueError):  # never objects, never pickles
        decode({"$": "ndarray", "dtype": "|O", "shape": [1], "b64": ""})
    assert is_grader_cell('# Initialize Otter\nimport otter\ngrader = otter.Notebook("a.ipynb")')
    assert is_grader_cell('grader.check("q1")') and is_grader_cell("grader.check_all()")
    assert not is_grader_cell('grader.check("q1")\nfeedback.check_gram_matrix = print')
    # the worker's tampering report is untrusted text bound for a spreadsheet
    from assignments.judge import _plain
    assert _plain("numpy.allclose replaced") == "numpy.allclose replaced"
    assert _plain("wrote to styletransfer_tf/feedback.py") == \
        "wrote to styletransfer_tf/feedback.py"
    assert _plain('=HYPERLINK("http://x") replaced') == "an unreadable tampering report"


# ------------------------------------------------------------------ Otter pipeline


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``python -m assignments.build`` into a temporary folder (solutions are run, too)."""
    pytest.importorskip("otter", reason="otter-grader (requirements.txt) builds and grades")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "assignments.build", "--out", str(out)],
                          cwd=REPO, env=notebook_env(), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    target = out / "style_transfer"
    zips = sorted((target / "autograder").glob("style_transfer-autograder_*.zip"))
    assert len(zips) == 1
    return {"student": target / "student" / "style_transfer.ipynb",
            "autograder_nb": target / "autograder" / "style_transfer.ipynb",
            "zip": zips[0], "kit": out / "student-kit.zip"}


def test_build_runs_solutions_against_checks(built):
    """Otter Assign ran the solution notebook and every check passed (else build fails)."""
    nb = json.loads(built["student"].read_text(encoding="utf-8"))
    tests = nb["metadata"]["otter"]["tests"]
    assert sorted(tests) == ["q1_preprocess", "q2_gram", "q3_content", "q4_style", "q5_tv",
                             "q6_training", "q7_experiment"]


def test_student_notebook_runs_and_fails_helpfully(built):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(built["student"], as_version=4)
    env_before = dict(os.environ)
    os.environ.update(notebook_env())
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(built["student"].parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    checks = [cell for cell in nb.cells
              if cell.cell_type == "code" and cell.source.startswith("grader.check(")]
    assert len(checks) == 7
    outputs = []
    for cell in checks:
        output = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "")
                         for o in cell.outputs)
        outputs.append(output)
        assert "Test case failed" in output, output
        assert "How to fix:" in output, output
        assert "Traceback" not in output and "site-packages" not in output, output
        assert all(o.get("output_type") != "error" for o in cell.outputs)
    messages = "\n".join(outputs)
    assert "not implemented yet" in messages
    assert "experiment_results: is missing" in messages


def test_fixtures_are_up_to_date(built):
    import nbformat

    sys.path.insert(0, str(FIXTURES))
    try:
        from make_submissions import make_all
    finally:
        sys.path.remove(str(FIXTURES))
    made = make_all(nbformat.read(built["student"], as_version=4),
                    nbformat.read(built["autograder_nb"], as_version=4))
    committed = {p.stem: nbformat.read(p, as_version=4) for p in SUBMISSIONS.glob("*.ipynb")}
    assert sorted(made) == sorted(committed)
    for name, nb in made.items():
        fresh = [(c.cell_type, c.source) for c in nb.cells]
        stored = [(c.cell_type, c.source) for c in committed[name].cells]
        assert fresh == stored, (f"{name}.ipynb is stale: run "
                                 "python tests/fixtures/assignments/make_submissions.py")


def test_grade_sample_submissions(built, tmp_path):
    scores, notes = tmp_path / "scores.csv", tmp_path / "feedback"
    done = subprocess.run(
        [sys.executable, "-m", "assignments.grade", str(SUBMISSIONS), "-o", str(scores),
         "--autograder", str(built["zip"]), "--feedback", str(notes), "--jobs", "2"],
        cwd=REPO, env=notebook_env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(scores, newline="", encoding="utf-8") as handle:
        got = list(csv.DictReader(handle))
    with open(FIXTURES / "expected_scores.csv", newline="", encoding="utf-8") as handle:
        expected = list(csv.DictReader(handle))
    assert got == expected
    note = {p.stem: p.read_text(encoding="utf-8") for p in notes.glob("*.txt")}
    assert "4 times too large" in note["bug_missing_quarter"]
    assert "1/4 is missing" in note["bug_missing_quarter"]
    assert "uses a Python loop" in note["bug_loop_gram"]
    assert "alpha and beta are swapped" in note["bug_alpha_beta_swapped"]
    assert "wrong channel order" in note["bug_channel_order"]
    # delegation is named, task by task
    for function in ["preprocess", "deprocess", "gram_matrix", "content_loss",
                     "style_layer_loss", "style_loss", "total_variation_loss", "total_loss"]:
        assert f"your {function} is the kit's own {function}" in note["cheat_delegate_all"]
    assert "your gram_matrix is the kit's own gram_matrix" in note["cheat_delegate_gram"]
    assert ("your content_loss calls the kit's own content_loss"
            in note["cheat_delegate_hidden"])
    assert ("your style_layer_loss calls the kit's own style_loss"
            in note["cheat_delegate_hidden"])
    # tampering is reported, and the hidden checks judged as if it had not happened
    assert "feedback.check_gram_matrix replaced" in note["tamper_replace_checks"]
    assert "feedback.compare._close replaced" in note["tamper_helpers"]
    assert "numpy.all replaced" in note["tamper_numpy_tf"]
    assert "wrote to styletransfer_tf/feedback/__init__.py" in note["tamper_kit_files"]
    for name in ["tamper_wrap_checks", "tamper_helpers", "tamper_numpy_tf"]:
        assert note[name].split("\n\n", 1)[1] == note["bug_all_four"].split("\n\n", 1)[1]
    assert not any(row["tampering"] for row in got
                   if not row["student"].startswith("tamper_"))


def test_judge_runs_only_from_an_unchanged_grading_kit(built):
    """The judge imports from grade's private copy, and refuses a copy that changed."""
    from assignments.grade import GradingKit

    kit = GradingKit(built["zip"])
    try:
        assert (kit.root / "styletransfer_tf" / "feedback" / "__init__.py").read_bytes() == \
            (REPO / "styletransfer_tf" / "feedback" / "__init__.py").read_bytes()
        assert (kit.root / "styletransfer_tf" / "data" / "sample_style.png").is_file()
        losses = kit.root / "styletransfer_tf" / "losses.py"
        losses.write_text(losses.read_text() + "\ngram_matrix = None\n")
        done = subprocess.run([sys.executable, "-m", "assignments.judge", str(SOURCE),
                               "--autograder", str(kit.zip)], cwd=kit.root, env=kit.env(),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode != 0 and done.stdout == ""
        assert done.stderr.strip() == ("the grading kit's styletransfer_tf/losses.py changed "
                                       "after grading started; grade again")
        assert kit.repair() == ["styletransfer_tf/losses.py"] and kit.repair() == []
    finally:
        kit.close()


def test_grade_reports_unreadable_submission(built, tmp_path):
    from assignments.grade import find_submissions, grade_one

    (tmp_path / "carol.ipynb").write_text("not a notebook", encoding="utf-8")
    (tmp_path / "dave").mkdir()
    (tmp_path / "dave" / "style_transfer.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    found = find_submissions(tmp_path)
    assert sorted(found) == ["carol", "dave"]
    scores, _, status, tampering = grade_one(found["carol"], built["zip"], timeout=300)
    assert scores == {} and status.startswith("error:") and "JSON" in status
    assert tampering == []
