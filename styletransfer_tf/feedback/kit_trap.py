"""The kit's own implementations, switched off while a student's function runs.

During a check every function of ``styletransfer_tf.images``, ``.losses`` and
``.optimize`` (and Keras's ``preprocess_input``) that the task may not build on has its
code swapped for a trap that records the call and raises; the original code is put back
when the check ends. A function that *is* one of the kit's fails the same way.
"""

import contextlib
import types

from .. import images as _images
from .. import losses as _losses
from .reference import ALLOWED_KIT_CALLS, REFERENCE, _fail, _unwrap



class _KitCalled(BaseException):
    """Raised inside a student's function that calls a switched-off kit function.

    A BaseException, so that ``except Exception`` in student code does not swallow it;
    every call is also recorded, so that swallowing it with a bare ``except`` does not
    help either.
    """


_KIT_CALLS = []     # labels of the switched-off functions called since the check began
_TRAP_DEPTH = [0]


def _kit_called(label):
    _KIT_CALLS.append(label)
    return _KitCalled(label)


def _trap_code(name, label):
    """The code of a function that records a call to ``label`` and raises _KitCalled.

    It is swapped into the kit function's ``__code__``, so that every reference to the
    function (an import, an alias, a default argument, a module attribute) reaches it.
    """
    source = (f"def {name}(*args, **kwargs):\n"
              f"    raise __import__('sys').modules[{__name__!r}]._kit_called({label!r})\n")
    namespace = {}
    exec(compile(source, "<kit function switched off during a check>", "exec"), namespace)
    return namespace[name].__code__


_KIT = []           # [(short name, label, function, original code, trap code)]


def _kit_functions():
    """The kit's implementations that a student could call instead of writing their own."""
    if _KIT:
        return _KIT
    from .. import optimize as _optimize

    seen = set()

    def add(fn, label):
        while fn is not None and id(fn) not in seen:
            plain = isinstance(fn, types.FunctionType)
            if plain and not fn.__code__.co_freevars and fn.__code__.co_flags & 0x20 == 0:
                seen.add(id(fn))
                name = fn.__name__ if fn.__name__.isidentifier() else "kit_function"
                _KIT.append((fn.__name__, label, fn, fn.__code__, _trap_code(name, label)))
            elif plain:
                seen.add(id(fn))
            fn = getattr(fn, "__wrapped__", None) or getattr(fn, "python_function", None)

    for module in (_images, _losses, _optimize):
        for attr, value in sorted(vars(module).items()):
            target = getattr(value, "python_function", value)
            if getattr(target, "__module__", None) == module.__name__ and callable(value):
                add(target, f"{module.__name__}.{attr}")
    try:  # what keras.applications.vgg19.preprocess_input does
        from keras.src.applications import imagenet_utils
        add(imagenet_utils.preprocess_input, "keras.applications.vgg19.preprocess_input")
    except ImportError:  # pragma: no cover - another Keras layout
        pass
    return _KIT


def _kit_label(fn):
    """The kit's name for ``fn`` if it is one of the kit's implementations, else None."""
    fn = _unwrap(fn)
    for _, label, kit_fn, _, _ in _kit_functions():
        if fn is kit_fn:
            return label
    return None


@contextlib.contextmanager
def _kit_switched_off(name):
    """Switch off the kit functions that task ``name`` may not call; fail if any was called."""
    if _TRAP_DEPTH[0]:
        yield
        return
    allowed = {_unwrap(REFERENCE[n]) for n in ALLOWED_KIT_CALLS.get(name, ())}
    trapped = [(fn, code, trap) for _, _, fn, code, trap in _kit_functions()
               if fn not in allowed]
    del _KIT_CALLS[:]
    _TRAP_DEPTH[0] += 1
    for fn, _, trap in trapped:
        fn.__code__ = trap
    error = None
    try:
        yield
    except BaseException as exc:  # noqa: BLE001 - re-raised below unless a kit call explains it
        error = exc
    finally:
        for fn, code, _ in trapped:
            fn.__code__ = code
        _TRAP_DEPTH[0] -= 1
    called = list(dict.fromkeys(_KIT_CALLS))
    del _KIT_CALLS[:]
    if called:
        _fail_kit_call(name, called)
    if error is not None:
        raise error


_KIT_FIX = ("while a check runs, the kit's own implementations (styletransfer_tf.losses, "
            ".images, .optimize, Keras's preprocess_input) are switched off, and a "
            "function that uses them earns no points for its task. Compute the result "
            "with TensorFlow operations; you may call your own functions from the other "
            "tasks.")


def _whose(label):
    """"the kit's own gram_matrix (styletransfer_tf.losses.gram_matrix)" for a label."""
    owner = "Keras's" if label.startswith("keras.") else "the kit's own"
    return f"{owner} {label.rsplit('.', 1)[-1]} ({label})"


def _fail_kit_call(name, labels):
    what = ", ".join(_whose(label) for label in labels)
    _fail(name, f"your {name} calls {what}; write it yourself.", _KIT_FIX)


def _not_the_kit(name, fn):
    label = _kit_label(fn)
    if label is not None:
        _fail(name, f"your {name} is {_whose(label)}, imported instead of written; write it "
                    "yourself.", _KIT_FIX)
