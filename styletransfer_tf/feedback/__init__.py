"""Checks with explanatory feedback for the student assignments in ``assignments/``.

Every ``check_*`` function takes the student's function (or result), runs it on small
inputs drawn from a fixed seed, compares it with this package's own implementation
(``styletransfer_tf.images`` and ``styletransfer_tf.losses``, the single source of
truth) and raises :class:`CheckFailed` with a message that says what is wrong and how
to fix it. It returns ``None`` when everything is right.

The diagnoses are specific where a bug is recognisable: a wrong shape (and which axis
went missing), a Gram matrix that is not symmetric, a loss that is not zero on
identical inputs, alpha and beta swapped, a normalisation that is off by a factor 2 or
4 (and which), a Python loop where one vectorised op is expected, a NumPy call that
breaks on symbolic (``tf.function``) or GPU tensors, the wrong channel order in VGG
preprocessing. Messages describe the bug and the fix in words; they never show the
reference code.

Each check tests one task on its own: while it runs, the other assignment functions
in the student's namespace (``gram_matrix`` inside ``style_layer_loss``, the losses
inside ``train_step``...) are temporarily replaced by the reference versions, so a bug
in one task costs points only in that task.

While a student's function runs under a check, the kit's own implementations of what
the task asks for are switched off: every function of ``styletransfer_tf.images``,
``.losses`` and ``.optimize`` (and Keras's ``preprocess_input``), except those the task
may build on (``gram_matrix`` inside ``style_layer_loss``...), raises when called, and
the check fails with "your gram_matrix calls the kit's own gram_matrix; write it
yourself". A function that *is* the kit's (``gram_matrix = st.gram_matrix``) fails the
same way.

A check can also be given a :class:`RemoteFunction`, a stand-in for a student's function
that lives in another process: the autograder (``assignments/judge.py``) runs the checks
in a clean process and only the student's function calls happen in the process that ran
the notebook, so code in the notebook cannot change how the checks judge.

The package's modules: ``reference`` (what the checks compare with, and
:class:`CheckFailed`), ``kit_trap`` (the kit's implementations switched off),
``calling`` (calling a student's function, here or in another process), ``compare``
(shapes and values against the reference), ``diagnostics`` (gradient, graph mode,
vectorisation), and the checks by task: ``images_checks``, ``losses_checks``,
``training_checks``, ``experiment_checks``.

The notebooks call these functions from Otter-Grader test cells (see
``assignments/README.md``); they work just as well on their own::

    from styletransfer_tf import feedback
    feedback.check_gram_matrix(my_gram_matrix)
"""

from .calling import (_ISOLATION, _NUMPY_HINT, RemoteFunction, _call,
                      _hint_for_error, _invoke, _is_numpy_error, _isolated, _short_error)
from .compare import (_check_shape, _close, _compare, _constant_ratio,
                      _describe_shape, _factor_words, _fmt, _preview, _to_array)
from .diagnostics import _check_vectorised, _gradient_flows, _graph_op_count
from .experiment_checks import check_experiment, sample_images
from .images_checks import check_deprocess, check_preprocess
from .kit_trap import (_KIT, _KIT_CALLS, _KIT_FIX, _TRAP_DEPTH, _fail_kit_call,
                       _kit_called, _kit_functions, _kit_label, _kit_switched_off,
                       _KitCalled, _not_the_kit, _trap_code, _whose)
from .losses_checks import (_GRAM_VECTOR_FIX, _STYLE_ARG_HINT, _STYLE_FIX,
                            _normalisation_hint, _style_inputs, _style_ratio_hint,
                            _style_shape, check_content_loss, check_gram_matrix,
                            check_gram_matrix_vectorised, check_style_layer_loss,
                            check_style_layer_loss_properties, check_style_loss,
                            check_total_loss, check_total_variation_loss)
from .reference import (ALLOWED_KIT_CALLS, PIXEL_HIGH, PIXEL_LOW, REFERENCE,
                        RTOL, SEED, CheckFailed, _fail, _features, _rng, _unwrap)
from .training_checks import (_TRAIN, _TRAIN_ARGS, _adam, _reference_losses,
                              _reference_step, _run_student_step, _student_step,
                              _train_setup, _train_setup_data, check_train_step,
                              check_train_step_in_graph)

__all__ = [
    "CheckFailed", "check_preprocess", "check_deprocess", "check_gram_matrix",
    "check_gram_matrix_vectorised", "check_content_loss", "check_style_layer_loss",
    "check_style_layer_loss_properties", "check_style_loss", "check_total_variation_loss",
    "check_total_loss", "check_train_step", "check_train_step_in_graph",
    "check_experiment", "sample_images", "PIXEL_LOW", "PIXEL_HIGH", "RemoteFunction",
    "ALLOWED_KIT_CALLS",
]

#: The private helpers, still ``feedback.NAME`` as in the single module this package
#: was: the autograder (assignments/judge.py, worker.py) calls some, and its tampering
#: report names them ("feedback._close replaced").
_HELPERS = (_ISOLATION, _NUMPY_HINT, _call, _hint_for_error, _invoke, _is_numpy_error,
            _isolated, _short_error, _check_shape, _close, _compare, _constant_ratio,
            _describe_shape, _factor_words, _fmt, _preview, _to_array, _check_vectorised,
            _gradient_flows, _graph_op_count, _KIT, _KIT_CALLS, _KIT_FIX, _TRAP_DEPTH,
            _fail_kit_call, _kit_called, _kit_functions, _kit_label, _kit_switched_off,
            _KitCalled, _not_the_kit, _trap_code, _whose, _GRAM_VECTOR_FIX,
            _STYLE_ARG_HINT, _STYLE_FIX, _normalisation_hint, _style_inputs,
            _style_ratio_hint, _style_shape, REFERENCE, RTOL, SEED, _fail, _features,
            _rng, _unwrap, _TRAIN, _TRAIN_ARGS, _adam, _reference_losses,
            _reference_step, _run_student_step, _student_step, _train_setup,
            _train_setup_data)
