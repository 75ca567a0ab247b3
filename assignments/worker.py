"""The process in which a submitted notebook runs while ``assignments/judge.py`` grades it.

    python -m assignments.worker NOTEBOOK      (started by the judge, never by hand)

It executes the notebook's code cells in order, as Jupyter would (IPython, errors do not
stop later cells; the ``grader.check`` cells are skipped: the judge runs the checks),
then answers the judge's requests, one JSON line each on stdin, one JSON line each on
the original stdout:

* ``describe``: which of the names the tests need are functions, values or missing;
* ``call``: call a student's function with given inputs, the kit's own implementations
  switched off (``feedback._invoke``);
* ``gradient_flows``, ``graph_op_count``, ``student_step``: the measurements that need
  the function itself (its gradient, its graph under tf.function, one training step).

Only data travels between the two processes (:func:`encode` / :func:`decode`: numbers,
arrays, lists, dicts, the type and message of an exception), never code or pickles, so
nothing the notebook does here can change how the judge compares.

Notebook code can of course patch this process. Before the judge's first request and
before each one, the attributes of the kit's modules, of NumPy and of TensorFlow that
existed at start-up are put back (and reported as tampering), so that replacing
``feedback`` helpers or ``numpy.allclose`` does not change the measurements either.
"""

import ast
import base64
import builtins
import json
import os
import re
import sys
import types

import numpy as np

PROTOCOL = 1
_MAX_ITEMS = 100_000_000   # elements of one array that may travel
_MAX_DEPTH = 12


# ------------------------------------------------------------------ the data codec


def encode(value, depth=0):
    """A JSON-ready description of ``value``: data only, anything else by its type name."""
    import tensorflow as tf

    if depth > _MAX_DEPTH:
        return {"$": "object", "type": type(value).__name__}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2 ** 53 else float(value)
    if isinstance(value, float):
        return {"$": "float", "repr": repr(value)}
    if value is Ellipsis:
        return {"$": "ellipsis"}
    if isinstance(value, BaseException):
        kind = type(value)
        return {"$": "error", "type": kind.__name__,
                "bases": [c.__name__ for c in kind.__mro__
                          if c.__module__ == "builtins" or c.__module__.startswith("tensorflow")],
                "message": str(value)}
    if isinstance(value, (tf.Tensor, tf.Variable)):
        try:
            array = np.asarray(value.numpy())
        except Exception:  # noqa: BLE001 - a symbolic tensor: not data
            return {"$": "object", "type": type(value).__name__}
        return {"$": "tensor", **_array(array)}
    if isinstance(value, np.ndarray):
        return {"$": "ndarray", **_array(value)}
    if isinstance(value, np.generic):
        return {"$": "npscalar", **_array(np.asarray(value))}
    if isinstance(value, (list, tuple)):
        return {"$": type(value).__name__ if type(value) in (list, tuple) else "list",
                "items": [encode(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"$": "dict", "items": [[encode(k, depth + 1), encode(v, depth + 1)]
                                       for k, v in value.items()]}
    return {"$": "object", "type": type(value).__name__}


def _array(array):
    if array.dtype.kind not in "biuf" or array.dtype.itemsize > 8:
        array = array.astype(np.float32) if array.dtype.kind == "V" else array
    if array.dtype.kind not in "biuf" or array.size > _MAX_ITEMS:
        raise TypeError(f"cannot send an array of dtype {array.dtype} and size {array.size}")
    array = np.ascontiguousarray(array)
    return {"dtype": array.dtype.str, "shape": list(array.shape),
            "b64": base64.b64encode(array.tobytes()).decode("ascii")}


def decode(obj):
    """The value that :func:`encode` described (opaque objects become stand-ins)."""
    import tensorflow as tf

    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return obj
    if not isinstance(obj, dict):
        raise ValueError(f"unexpected value in a worker message: {type(obj).__name__}")
    tag = obj.get("$")
    if tag == "float":
        return float(obj["repr"])
    if tag == "ellipsis":
        return Ellipsis
    if tag in ("tensor", "ndarray", "npscalar"):
        dtype = np.dtype(obj["dtype"])
        if dtype.kind not in "biuf":
            raise ValueError(f"refusing dtype {dtype}")
        shape = [int(d) for d in obj["shape"]]
        array = np.frombuffer(base64.b64decode(obj["b64"]), dtype=dtype).reshape(shape).copy()
        if tag == "tensor":
            return tf.constant(array)
        return array[()] if tag == "npscalar" else array
    if tag in ("list", "tuple"):
        items = [decode(v) for v in obj["items"]]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        out = {}
        for key, value in obj["items"]:
            key = decode(key)
            out[key if isinstance(key, (str, int, float, bool, tuple)) or key is None
                else repr(key)] = decode(value)
        return out
    if tag == "error":
        return _rebuild_error(str(obj["type"]), [str(b) for b in obj.get("bases", [])],
                              str(obj["message"]))
    if tag == "object":
        return _standin(str(obj["type"]))()
    raise ValueError(f"unknown tag {tag!r} in a worker message")


def _identifier(name):
    name = re.sub(r"\W", "_", name) or "Object"
    return name if name.isidentifier() else "_" + name


def _standin(type_name):
    return type(_identifier(type_name), (), {
        "__repr__": lambda self: f"<{type_name} object from the notebook>"})


def _rebuild_error(type_name, bases, message):
    """An exception with the student's exception's name, message and kind (its base class
    among Python's and TensorFlow's), so that the checks explain it the same way."""
    import tensorflow as tf

    base = Exception
    for candidate in bases:
        found = getattr(tf.errors, candidate, None) or getattr(builtins, candidate, None)
        if isinstance(found, type) and issubclass(found, Exception):
            base = found
            break
    attrs = {"__str__": lambda self: message, "__module__": base.__module__}
    try:
        cls = type(_identifier(type_name), (base,), attrs)
        if issubclass(cls, tf.errors.OpError):
            return cls(None, None, message)
        return cls(message)
    except Exception:  # noqa: BLE001 - an exception type with an unusual constructor
        return type(_identifier(type_name), (Exception,), attrs)(message)


# ------------------------------------------------------------------ running the notebook


class _NoGrader:
    """Stands in for ``grader = otter.Notebook(...)``: the judge runs the checks."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def is_grader_cell(source):
    """True for the cells that only set up Otter or call ``grader.check(...)``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    if not tree.body:
        return False
    for stmt in tree.body:
        if isinstance(stmt, ast.Import) and [a.name for a in stmt.names] == ["otter"]:
            continue
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == "grader"):
            continue
        if (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                and isinstance(stmt.value.func, ast.Attribute)
                and isinstance(stmt.value.func.value, ast.Name)
                and stmt.value.func.value.id == "grader"):
            continue
        return False
    return True


def _watched_modules():
    """(label, module) whose functions the measurements rely on."""
    import tensorflow as tf

    from styletransfer_tf import feedback, images, losses, optimize, vgg

    found = [("feedback", feedback)]
    # the package's modules, where the helpers that the checks call live
    found += [(f"feedback.{key}", value) for key, value in sorted(vars(feedback).items())
              if isinstance(value, types.ModuleType)
              and value.__name__ == f"{feedback.__name__}.{key}"]
    found += [("styletransfer_tf.losses", losses),
              ("styletransfer_tf.images", images), ("styletransfer_tf.optimize", optimize),
              ("styletransfer_tf.vgg", vgg), ("numpy", np), ("numpy.testing", np.testing),
              ("numpy.linalg", np.linalg), ("tf", tf), ("tf.debugging", tf.debugging),
              ("tf.math", tf.math), ("tf.linalg", tf.linalg), ("tf.errors", tf.errors)]
    return found


class Guard:
    """Remembers the watched modules' callables (and the feedback tables) and puts them back."""

    def __init__(self):
        from styletransfer_tf import feedback

        self.feedback = feedback
        self.saved = []
        for label, module in _watched_modules():
            names = {}
            for key, value in list(vars(module).items()):
                if callable(value) and not isinstance(value, types.ModuleType):
                    names[key] = (value, getattr(value, "__code__", None))
            self.saved.append((label, module, names))
        self.tables = {"REFERENCE": dict(feedback.REFERENCE),
                       "ALLOWED_KIT_CALLS": dict(feedback.ALLOWED_KIT_CALLS)}
        self.kit = list(feedback._kit_functions())
        self.notes = []

    def restore(self):
        """Put back whatever changed; return what changed (also kept in self.notes)."""
        found = []
        reloaded = set()
        for label, module, names in self.saved:
            current = vars(module)
            replaced = [key for key, (value, _) in names.items() if current.get(key) is not value]
            if len(replaced) > len(names) / 2:  # the module was reloaded (or rewritten)
                found.append(f"{label} reloaded")
                reloaded.add(label)
            else:
                found += [f"{label}.{key} replaced" for key in replaced]
            for key, (value, code) in names.items():
                if current.get(key) is not value:
                    setattr(module, key, value)
                if code is not None and getattr(value, "__code__", code) is not code:
                    found.append(f"{label}.{key} rewritten")
                    value.__code__ = code
        # the tables and the kit list, in the package and in each of its modules that holds them
        holders = [(label, module) for label, module, _ in self.saved
                   if label == "feedback" or label.startswith("feedback.")]
        for label, module in holders:
            current = vars(module)
            for name, saved in self.tables.items():
                table = current.get(name)
                if table is not None and table != saved:
                    found.append(f"{label}.{name} changed")
                    table.clear()
                    table.update(saved)
            if "_KIT" in current and current["_KIT"] != self.kit:
                if label not in reloaded:
                    found.append(f"{label}._KIT changed")
                current["_KIT"][:] = self.kit
        for _, _, fn, code, _ in self.kit:
            if fn.__code__ is not code:
                found.append(f"{fn.__module__}.{fn.__name__} rewritten")
                fn.__code__ = code
        for note in found:
            if note not in self.notes:
                self.notes.append(note)
        return found


def run_notebook(path):
    """Execute the notebook's code cells in an IPython shell; return its namespace."""
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    nb = nbformat.read(path, as_version=4)
    shell = InteractiveShell.instance()
    shell.user_ns["grader"] = _NoGrader()
    for cell in nb.cells:
        if cell.cell_type != "code" or is_grader_cell(cell.source):
            continue
        shell.run_cell(cell.source, store_history=False)
        sys.stdout.flush()
    return shell.user_ns


# ------------------------------------------------------------------ answering the judge


class Server:
    def __init__(self, namespace, guard):
        from styletransfer_tf import feedback

        self.ns = namespace
        self.guard = guard
        self.feedback = feedback
        self.setup_key = None
        self.setup = None

    def handle(self, request):
        self.guard.restore()
        op = request.get("op")
        try:
            value = getattr(self, "op_" + str(op))(request)
        except self.feedback.CheckFailed as exc:
            return {"fail": str(exc)}
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            return {"error": encode(exc)}
        try:
            return {"ok": encode(value)}
        except Exception as exc:  # noqa: BLE001 - e.g. an array too large to send
            return {"error": encode(exc)}

    def op_describe(self, request):
        found = {}
        for name in request["names"]:
            if name not in self.ns:
                found[name] = {"kind": "missing"}
            elif callable(self.ns[name]):
                found[name] = {"kind": "function"}
            else:
                found[name] = {"kind": "value", "value": self.ns[name]}
        return found

    def op_tampering(self, request):
        return list(self.guard.notes)

    def _isolation(self, fn, request):
        import contextlib

        keep = request.get("isolate")
        if keep is None:
            return contextlib.nullcontext()
        return self.feedback._isolated(fn, keep=tuple(keep))

    def op_call(self, request):
        fn = self.ns.get(request["name"])
        args = decode(request["args"])
        kwargs = decode(request["kwargs"])
        with self._isolation(fn, request):
            return self.feedback._invoke(request["check"], fn, *args, **kwargs)

    def op_gradient_flows(self, request):
        fn = self.ns.get(request["name"])
        with self._isolation(fn, request):
            self.feedback._gradient_flows(request["check"], fn, decode(request["args"]),
                                          wrt=int(request["wrt"]), fix=str(request["fix"]))
        return None

    def op_graph_op_count(self, request):
        fn = self.ns.get(request["name"])
        shapes = [tuple(int(d) for d in s) for s in request["shapes"]]
        with self._isolation(fn, request):
            return list(self.feedback._graph_op_count(request["check"], fn, shapes))

    def op_student_step(self, request):
        key = request.get("setup_key")
        if key is None or key != self.setup_key:
            self.setup = self.feedback._train_setup(decode(request["setup"]))
            self.setup_key = key
        fn = self.ns.get(request["name"])
        out, error, x_new = self.feedback._student_step(fn, bool(request["in_graph"]),
                                                        self.setup)
        return [out, error, x_new]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.exit("usage: python -m assignments.worker NOTEBOOK (started by assignments.judge)")
    # The protocol gets private copies of stdin and stdout; the notebook gets neither.
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, encoding="utf-8")

    def reply(message):
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    import styletransfer_tf
    from styletransfer_tf import feedback  # noqa: F401 - imported before the notebook runs

    guard = Guard()
    try:
        namespace = run_notebook(argv[0])
    except Exception as exc:  # noqa: BLE001 - an unreadable notebook
        reply({"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return
    guard.restore()
    reply({"ready": True, "protocol": PROTOCOL, "kit": os.path.dirname(styletransfer_tf.__file__),
           "tampering": list(guard.notes)})
    server = Server(namespace, guard)
    for line in requests:
        try:
            request = json.loads(line)
        except ValueError:
            reply({"error": encode(ValueError("unreadable request"))})
            continue
        if request.get("op") == "exit":
            break
        reply(server.handle(request))
    os._exit(0)  # do not run the notebook's atexit handlers or wait for its threads


if __name__ == "__main__":
    main()
