"""A sandboxed child: import one exercise of a submission and serve calls to it.

Protocol (frames of :mod:`grader.wire`, values of :mod:`grader.codec`):

1. the grader sends ``{"op": "load", "exercise", "files": {name: text}, "limits"}``;
2. the child confines itself, imports the exercise and answers
   ``{"ok": true, "names": {...}, "confinement": {...}}`` or ``{"ok": false, "error"}``;
3. then, until the channel closes, one answer per request: ``call`` (a function's value),
   ``grad`` (value, gradients of a scalar tensor result, facts about it), ``map`` (many
   calls in one round trip), ``get`` (a module attribute), ``load`` (the submission's next
   exercise, in batch grading: :meth:`Child.reload`).

Every answer carries what the student printed (capped). Student exceptions come back as
data with the student's own traceback lines; nothing the child sends is pickled.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import io
import os
import signal
import socket
import sys
import traceback
from typing import Any, NoReturn

from grader import codec, wire
from grader.worker import sandbox

MAX_REQUEST = 512 << 20
MAX_RESULT = 64 << 20
MAX_PRINTED = 4096
MAX_MESSAGE = 2000


class CappedText(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int = MAX_PRINTED) -> None:
        self.limit = limit
        self.folder = ""
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        """Say that this stream takes writes."""
        return True

    def write(self, text: str) -> int:
        """Keep what fits under the limit, count the rest."""
        text = str(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self) -> str:
        """Return what was written since the last call and start afresh."""
        text = "".join(self.parts)
        if self.folder:
            text = text.replace(self.folder + os.sep, "")
        if self.dropped:
            text += f"\n... ({self.dropped} more characters not shown)"
        self.parts, self.kept, self.dropped = [], 0, 0
        return text


class Child:
    """The state of one child: its channel, the student's module and its output."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.module: Any = None
        self.loaded = ""  # the exercise whose module this is
        self.folder = ""
        self.printed = CappedText()
        self.cpu_per_call = 60.0

    # -- loading -------------------------------------------------------------------------
    def load(self, request: dict, folder: str) -> dict:
        """Import the exercise from the submission's files in the private folder."""
        exercise = str(request["exercise"])
        self.folder = self.printed.folder = folder
        if self.folder not in sys.path:
            sys.path.append(self.folder)  # last: a submission can never shadow a library
        path = os.path.join(self.folder, f"{exercise}.py")
        try:
            spec = importlib.util.spec_from_file_location(exercise, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[exercise] = module
            spec.loader.exec_module(module)
        except BaseException as exc:  # noqa: BLE001 - SystemExit at import included
            sys.modules.pop(exercise, None)
            return {"ok": False, "error": self.describe(exc)}
        self.module, self.loaded = module, exercise
        names = {}
        for name, value in list(vars(module).items()):
            if not name.startswith("_"):
                names[name] = "function" if callable(value) else type(value).__name__
        return {"ok": True, "names": names}

    def reload(self, request: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        """Answer a later ``load``: import the submission's next exercise in this child.

        Batch grading hands a child on from exercise to exercise of one submission
        (:class:`grader.proxy.ChildReuse`). A child that still runs a thread of the last
        exercise answers ``not_reusable`` and the grader forks a fresh one. The last module
        is dropped and the submission's files are written again (what runs is what was
        handed in, whatever the last exercise wrote).
        """
        try:
            threads = len(os.listdir("/proc/self/task"))
        except OSError:
            threads = 0
        if threads != 1:
            return {"ok": False, "not_reusable": f"{threads} threads"}, []
        if self.module is not None:
            sys.modules.pop(self.loaded, None)
            self.module = None
        gc.collect()
        self.cpu_per_call = float(dict(request.get("limits") or {}).get("cpu_per_call",
                                                                        self.cpu_per_call))
        write_files(self.folder, dict(request.get("files") or {}))
        return self.load(request, self.folder), []

    # -- requests ------------------------------------------------------------------------
    def function(self, name: str) -> Any:
        """Return the student's function ``name`` (AttributeError/TypeError if none)."""
        try:
            value = getattr(self.module, name)
        except AttributeError:
            raise AttributeError(f"your module defines no {name!r}") from None
        if not callable(value):
            raise TypeError(f"{name} should be a function, not a {type(value).__name__}")
        return value

    def arguments(self, tree: Any, blobs: list[bytes]) -> Any:
        """Decode call arguments, building fixture recipes and tensors."""
        try:
            return codec.decode(tree, blobs, tensor=codec.torch_tensor, fixture=_build_fixture)
        except Exception as exc:  # noqa: BLE001 - before any student code: not the student's
            raise ArgumentError(f"{type(exc).__name__}: {exc}") from None

    def call(self, request: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        """Answer ``call``: the function's value."""
        args, kwargs = self.arguments(request.get("args", {"t": [[], {"d": []}]}), blobs)
        value = self.function(request["name"])(*args, **kwargs)
        return self.answer({"value": value})

    def map(self, request: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        """Answer ``map``: one result per argument set, errors per call."""
        function = self.function(request["name"])
        results = []
        for args, kwargs in self.arguments(request["calls"], blobs):
            try:
                results.append({"ok": True, "value": function(*args, **kwargs)})
            except Exception as exc:  # noqa: BLE001 - reported per call
                results.append({"ok": False, "error": self.describe(exc)})
        return self.answer({"results": results})

    def grad(self, request: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        """Answer ``grad``: the value, facts about it, gradients of a scalar tensor."""
        import torch

        args, kwargs = self.arguments(request["args"], blobs)
        args = list(args)
        wrt = [int(i) for i in request.get("wrt", [])]
        for i in wrt:
            args[i] = args[i].detach().clone().requires_grad_(True)
        result = value = self.function(request["name"])(*args, **kwargs)
        output = request.get("output")
        if output is not None:  # differentiate one element of a returned tuple
            if not isinstance(value, (tuple, list)) or not -len(value) <= int(output) < len(value):
                return self.answer({"value": value, "grads": None,
                                    "facts": {"type": type(value).__qualname__,
                                              "tensor": False}})
            value = value[int(output)]
        facts: dict[str, Any] = {"type": type(value).__qualname__,
                                 "tensor": isinstance(value, torch.Tensor)}
        grads = None
        if facts["tensor"]:
            facts.update(shape=list(value.shape), dtype=str(value.dtype).removeprefix("torch."),
                         requires_grad=bool(value.requires_grad),
                         grad_fn=value.grad_fn is not None)
            if value.numel() == 1 and value.requires_grad:
                value.sum().backward()
                grads = [args[i].grad for i in wrt]
        return self.answer({"value": result, "grads": grads, "facts": facts})

    def figure(self, request: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        """Answer ``figure``: the figure's facts, and its PNG when asked for."""
        from grader.worker.figures import describe_figure

        args, kwargs = self.arguments(request["args"], blobs)
        value = self.function(request["name"])(*args, **kwargs)
        # the PNG unless the grader says it will not keep this figure
        figure = describe_figure(value, png=request.get("png") is not False)
        return self.answer({"figure": figure, "type": type(value).__qualname__})

    def get(self, request: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        """Answer ``get``: a module attribute's value."""
        name = str(request["name"])
        if not hasattr(self.module, name):
            raise AttributeError(f"your module defines no {name!r}")
        return self.answer({"value": getattr(self.module, name)})

    def answer(self, payload: dict) -> tuple[dict, list[bytes]]:
        """Encode an answer; refuse results larger than a result may be.

        A value that cannot be sent (nested too deep, too many parts, a recursion or
        memory failure while walking it) is the grader's transport problem, reported as
        ``unsendable``: never as an exception the student's function raised.
        """
        try:
            tree, blobs = codec.encode(payload, allow_opaque=True)
        except codec.CodecError as exc:
            raise Unsendable(str(exc)) from None
        except RecursionError:
            raise Unsendable("the value is nested too deeply to send") from None
        except MemoryError:
            raise Unsendable("the value is too large to send (out of memory)") from None
        except Exception as exc:  # noqa: BLE001 - a student's value may fail in any way
            raise Unsendable(f"the value cannot be sent ({type(exc).__name__})") from None
        size = sum(len(b) for b in blobs)
        if size > MAX_RESULT:
            raise ResultTooLarge(
                f"the result is {size >> 20} MiB; a result may be at most {MAX_RESULT >> 20} MiB"
            )
        return {"ok": True, "result": tree}, blobs

    # -- errors --------------------------------------------------------------------------
    def describe(self, exc: BaseException) -> dict:
        """Describe an exception with the student's own traceback lines only.

        The message is rendered under a short timer (a student's ``__str__`` may never
        return); one that cannot be rendered in time is marked ``unrendered``, which the
        grader treats as a transport failure, never as the exception the student meant.
        """
        unrendered = False
        try:
            message = _render_message(exc)
        except _RenderTimeout:
            message, unrendered = "(its message could not be rendered in time)", True
        except BaseException:  # noqa: BLE001 - a student's exception may not even print
            message = "(the exception's message could not be printed)"
        if isinstance(exc, SyntaxError):
            lines = traceback.format_exception_only(type(exc), exc)
            message = "".join(lines).strip().replace(self.folder + os.sep, "")
        elif isinstance(exc, MemoryError):
            message = message or "out of memory"
        frames = []
        if self.folder:
            for frame in traceback.extract_tb(exc.__traceback__):
                if frame.filename.startswith(self.folder + os.sep):
                    where = os.path.basename(frame.filename)
                    frames.append(f'  File "{where}", line {frame.lineno}, in {frame.name}')
                    if frame.line:
                        frames.append(f"    {frame.line}")
        described = {
            "type": _class_name(type(exc)),
            "bases": [_class_name(c) for c in type(exc).__mro__],
            "message": message[:MAX_MESSAGE],
            "traceback": "\n".join(frames[-20:]),
            "lineno": _last_line(exc, self.folder),
        }
        if unrendered:
            described["unrendered"] = True
        return described

    # -- the loop ------------------------------------------------------------------------
    def serve(self) -> NoReturn:
        """Answer requests until the channel closes; never returns."""
        handlers = {"call": self.call, "map": self.map, "grad": self.grad, "get": self.get,
                    "figure": self.figure, "load": self.reload}
        while True:
            try:
                request, blobs = wire.recv(self.sock, limit=MAX_REQUEST)
            except (wire.WireError, OSError):
                os._exit(0)
            handler = handlers.get(request.get("op"))
            sandbox.cpu_budget(self.cpu_per_call)
            try:
                if handler is None:
                    raise ValueError(f"unknown request {request.get('op')!r}")
                reply, out_blobs = handler(request, blobs)
            except ArgumentError as exc:
                reply, out_blobs = {"ok": False, "arguments_failed": str(exc)[:MAX_MESSAGE]}, []
            except ResultTooLarge as exc:
                reply, out_blobs = {"ok": False, "too_large": str(exc)[:MAX_MESSAGE]}, []
            except Unsendable as exc:
                reply, out_blobs = {"ok": False, "unsendable": str(exc)[:MAX_MESSAGE]}, []
            except BaseException as exc:  # noqa: BLE001 - SystemExit inside a call included
                reply, out_blobs = {"ok": False, "error": self.describe(exc)}, []
            reply["printed"] = self.printed.take()
            self.send(reply, out_blobs)

    def send(self, reply: dict, blobs: list[bytes]) -> None:
        """Send a reply; exit quietly if the grader is gone."""
        try:
            wire.send(self.sock, reply, blobs)
        except (OSError, ValueError):
            os._exit(0)


class ArgumentError(Exception):
    """The worker could not build a call's arguments (a fixture failed to build)."""


class ResultTooLarge(Exception):
    """The student's result is larger than a result may be."""


class Unsendable(Exception):
    """The student's result is not plain data the channel can carry."""


class _RenderTimeout(BaseException):
    """A student's exception message took too long to render."""


#: How long a student's exception may take to turn into text.
RENDER_SECONDS = 0.5


def _on_render_alarm(signum: int, frame: Any) -> None:
    raise _RenderTimeout


def _render_message(exc: BaseException) -> str:
    """Return ``str(exc)`` as a plain str, within :data:`RENDER_SECONDS` of wall time."""
    previous = signal.signal(signal.SIGALRM, _on_render_alarm)
    signal.setitimer(signal.ITIMER_REAL, RENDER_SECONDS)
    try:
        text = str(exc)
        return str.__str__(text) if isinstance(text, str) else ""
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _class_name(cls: type) -> str:
    """A class's name as a plain str (a metaclass may pretend otherwise)."""
    name = type.__dict__["__name__"].__get__(cls)
    return str.__str__(name)[:200]


def _last_line(exc: BaseException, folder: str) -> int | None:
    if isinstance(exc, SyntaxError):
        return exc.lineno
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if folder and frame.filename.startswith(folder + os.sep):
            line = frame.lineno
    return line


def _build_fixture(name: str, params: dict) -> Any:
    from grader import fixtures

    return fixtures.build(name, **params)


def write_files(folder: str, files: dict) -> None:
    """Copy the submission's exercise files (and nothing else) into the private folder."""
    for name, text in files.items():
        name, text = str(name), str(text)
        if os.path.basename(name) != name or not name.endswith(".py"):
            continue
        path = os.path.join(folder, name)
        with contextlib.suppress(FileNotFoundError):  # written again by a reused child:
            os.unlink(path)  # the first copy belongs to the zygote's user, the folder not
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


class CpuTimeExceeded(BaseException):
    """Raised in the student's code when a call uses up its CPU time."""


def _on_sigxcpu(signum: int, frame: Any) -> None:
    raise CpuTimeExceeded("the call used up its CPU time")


def main(fd: int, plan: sandbox.Plan) -> NoReturn:
    """Run a child on channel ``fd``: confine, load, serve. Never returns."""
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        signal.signal(signal.SIGXCPU, _on_sigxcpu)
        sock = socket.socket(fileno=fd)
        request, _ = wire.recv(sock, limit=MAX_REQUEST)
        limits = dict(request.get("limits") or {})
        folder = sandbox.private_folder(plan)
        write_files(folder, dict(request.get("files") or {}))
        confinement = sandbox.confine(fd, plan, sandbox.Limits.from_dict(limits), folder)
        child = Child(sock)
        child.cpu_per_call = float(limits.get("cpu_per_call", 60))
        # the plan holds only layers that held in the zygote's probe: one that fails now is
        # abnormal, and the student's code never runs with less than the report states
        # (limits a machine refuses are the probe's business, named in the report)
        broken = {k: v for k, v in confinement["failed"].items() if k != "rlimits"}
        if broken or (confinement["failed"] and request.get("require_full")):
            child.send({"ok": False, "sandbox_failed": confinement["failed"]}, [])
            os._exit(0)
        sys.stdout = sys.stderr = child.printed
        sandbox.cpu_budget(child.cpu_per_call)
        reply = child.load(request, folder)
        reply["confinement"] = confinement
        reply["printed"] = child.printed.take()
        child.send(reply, [])
        child.serve()
    except BaseException:  # noqa: BLE001 - a child never returns into the zygote's code
        os._exit(70)
    os._exit(0)
