"""Checks for the torch exercises, run in the trusted process on values from the worker.

The student's autograd graph cannot cross the boundary, so the worker backpropagates and
sends the gradients; :func:`remote_function` wraps that as a torch function of the trusted
process, so ``torch.autograd.gradcheck`` itself (perturbed forward calls, each one a call
into the worker, against the worker's backward) runs here, in float64.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.autograd.gradcheck import GradcheckError

from grader.checks import as_tensor, describe, fail
from grader.proxy import GradResult, StudentFunction


def expect_differentiable_scalar(result: GradResult, *, what: str, case: str) -> list[Any]:
    """Fail unless the call returned a scalar tensor that backpropagates; return the grads."""
    facts = result.facts
    if not facts.get("tensor"):
        fail(f"{case}: {what} should return a torch.Tensor; it returned a "
             f"{facts.get('type', 'value')}")
    if facts.get("shape") not in ([], [1]):
        fail(f"{case}: {what} should return a scalar (0-dimensional) tensor; it returned "
             f"one of shape {tuple(facts.get('shape') or ())}")
    if not facts.get("requires_grad") or not facts.get("grad_fn"):
        fail(f"{case}: {what} returned a tensor that is cut from the autograd graph "
             "(no grad_fn): do not call .item(), .detach(), .numpy() or torch.tensor() on "
             "intermediate results")
    grads = result.grads or []
    for index, grad in enumerate(grads):
        if grad is None:
            fail(f"{case}: {what}: no gradient reached argument {index} (is it used "
                 "through a detached copy?)")
    return [as_tensor(g, what=f"the gradient of {what}") for g in grads]


def remote_function(function: StudentFunction, *, wrt: Sequence[int], args: Sequence[Any],
                    kwargs: dict | None = None, output: int | None = None,
                    case: str = "gradient check") -> Any:
    """Return ``f(*tensors) -> scalar`` evaluating the student's function in the worker.

    The tensors replace ``args`` at the positions ``wrt``; the backward pass uses the
    gradients the worker's own autograd computed.
    """
    kwargs = dict(kwargs or {})

    class Remote(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, *tensors: torch.Tensor) -> torch.Tensor:
            call_args = list(args)
            for position, tensor in zip(wrt, tensors, strict=True):
                call_args[position] = tensor.detach().clone()
            result = function.grad(*call_args, wrt=wrt, output=output, **kwargs)
            grads = expect_differentiable_scalar(result, what=f"{function.name}()", case=case)
            value = result.value if output is None else result.value[output]
            value = as_tensor(value, what=f"{function.name}()")
            ctx.save_for_backward(*[g.to(tensors[0].dtype) for g in grads])
            return value.detach().reshape(()).to(tensors[0].dtype)

        @staticmethod
        def backward(ctx: Any, grad_output: torch.Tensor) -> tuple[torch.Tensor, ...]:
            return tuple(grad_output * g for g in ctx.saved_tensors)

    return Remote.apply


def gradcheck(function: StudentFunction, *, wrt: Sequence[int], args: Sequence[Any],
              kwargs: dict | None = None, output: int | None = None, case: str,
              names: Sequence[str] | None = None) -> None:
    """Fail unless ``torch.autograd.gradcheck`` passes on the student's function (float64).

    ``names`` name the arguments at ``wrt`` (``("z1", "z2")``) for the feedback, which also
    gives the largest gap between the numerical and the analytical gradient.
    """
    inputs = tuple(args[i].detach().to(torch.float64).requires_grad_(True) for i in wrt)
    names = list(names or [f"argument {i}" for i in wrt])
    remote = remote_function(function, wrt=wrt, args=args, kwargs=kwargs, output=output,
                             case=case)
    try:
        torch.autograd.gradcheck(remote, inputs, raise_exception=True)
    except GradcheckError:
        detail = _gradcheck_detail(remote, inputs, names)
        fail(f"{case}: the gradient of {function.name}() does not match finite differences "
             f"(torch.autograd.gradcheck in float64){detail}")


def _gradcheck_detail(remote: Any, inputs: tuple[torch.Tensor, ...], names: list[str]) -> str:
    """Name the worst argument and the largest numerical-vs-analytical gap."""
    try:
        value = remote(*inputs)
        analytic = torch.autograd.grad(value, inputs)
        worst = ("", 0.0, 0.0, 0.0)
        h = 1e-6
        for position, (tensor, grad) in enumerate(zip(inputs, analytic, strict=True)):
            base = tensor.detach()
            for index in range(base.numel()):
                plus, minus = base.clone().reshape(-1), base.clone().reshape(-1)
                plus[index] += h
                minus[index] -= h
                others = [t.detach() for t in inputs]
                others[position] = plus.reshape(base.shape)
                high = float(remote(*others))
                others[position] = minus.reshape(base.shape)
                numeric = (high - float(remote(*others))) / (2 * h)
                got = float(grad.reshape(-1)[index])
                if abs(numeric - got) > worst[1]:
                    where = tuple(int(i) for i in np.unravel_index(index, tuple(base.shape)))
                    worst = (f"{names[position]}{list(where)}", abs(numeric - got), numeric, got)
        if worst[0]:
            return (f": the largest gap is at {worst[0]}: finite differences give "
                    f"{worst[2]:.6g}, your gradient {worst[3]:.6g}")
    except Exception:  # noqa: BLE001 - the detail is a courtesy; the failure stands anyway
        pass
    return ""


def expect_tensor_close(got: Any, expected: torch.Tensor, *, what: str, case: str,
                        rtol: float, atol: float) -> torch.Tensor:
    """Fail unless a returned tensor matches ``expected`` in shape and value."""
    tensor = as_tensor(got, what=what)
    if tuple(tensor.shape) != tuple(expected.shape):
        fail(f"{case}: {what} has shape {tuple(tensor.shape)}; expected "
             f"{tuple(expected.shape)}")
    a = tensor.detach().to(torch.float64).numpy()
    b = expected.detach().to(torch.float64).numpy()
    if not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
        fail(f"{case}: {what} is {describe(tensor)}; expected {describe(expected)}")
    return tensor
