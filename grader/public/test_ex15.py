"""Public checks of exercise 15: train an MLP, log cross-entropy, entropy, perplexity (8 points).

These checks need no reference code (properties, scipy and numpy formulas, numerical
gradients of your own functions, pen-and-paper answers stored as numbers); they ship
to students. The hidden checks of this exercise are in grader/hidden/ (sealed).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from grader import datasets
from grader.checks import CheckFailure, as_float, describe, expect, fail, kind
from grader.honest import expect_varies
from grader.problems import SubmissionProblem

KEYS = ("epoch", "train_ce", "val_ce", "mean_entropy", "perplexity", "val_accuracy")


METRICS = KEYS[1:]


EPOCHS = 10                    # the defaults the main run relies on


BATCH = 64


LOG10 = math.log(10.0)


ACCURACY = {"digits": 0.88, "mnist": 0.88}


CE_RATIO = 0.5                 # last train_ce <= CE_RATIO * first


GAP = {"digits": 0.08, "mnist": 0.08}   # epoch 1: train_ce - val_ce >= GAP ...


LEARNT = 0.15                 # ... when val_ce fell from about log 10 by LEARNT or more


UNTRAINED_LR = 1e-8


PERPLEXITY_TOL = {"rtol": 1e-5, "atol": 1e-8}


SAME_TOL = {"rtol": 1e-9, "atol": 1e-12}


SEEDING_HINT = ("call torch.manual_seed(seed) before building the model and shuffle with a "
                "generator seeded by seed (torch.Generator().manual_seed(seed) or "
                "np.random.default_rng(seed)), not with the global np.random or random")


# -- the shared training runs ------------------------------------------------------------
@pytest.fixture(scope="module")
def runs() -> dict:
    """Results of train_mlp calls, by arguments, shared by the checks of one grading run."""
    return {}


def grading_split(options: dict) -> datasets.Split:
    """The data: scikit-learn's digits, or MNIST when the run was given its files.

    The training set is cut to a multiple of the batch size (1344 of the 1347 digits,
    9984 of 10,000 MNIST images): every mini-batch is then full, so a last batch's loss
    is as precise as any and ``train_ce`` taken from it cannot pass for the epoch's mean.
    """
    data = datasets.load(options)
    size = len(data.y_train) // BATCH * BATCH
    return dataclasses.replace(data, X_train=data.X_train[:size], y_train=data.y_train[:size])


@pytest.fixture
def split(options) -> datasets.Split:
    """The data every call of the suite trains on."""
    return grading_split(options)


@pytest.fixture
def train_seed(seed) -> int:
    """The seed train_mlp is called with (chosen by the run's seed)."""
    return seed % 1000


def train(student, runs: dict, split: datasets.Split, *, again: bool = False,
          **kwargs) -> tuple[str, object]:
    """Call train_mlp once per argument set (``again``: a second time); return
    ``(call, result)``, or re-raise what the call raised."""
    key = (again, *sorted(kwargs.items()))
    if key not in runs:
        try:
            runs[key] = (False, student.train_mlp(split.X_train, split.y_train, split.X_val,
                                                  split.y_val, **kwargs))
        except SubmissionProblem as problem:  # an error or a timeout: not repeated
            runs[key] = (True, problem)
    raised, value = runs[key]
    if raised:
        raise value
    arguments = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"train_mlp(X_train, y_train, X_val, y_val, {arguments})", value


def main_run(student, runs, split, train_seed) -> tuple[str, object]:
    """The default call (10 epochs) with the run's training seed."""
    return train(student, runs, split, seed=train_seed)


def logs_of(value: object, *, call: str, keys: tuple[str, ...]) -> list[dict[str, float]]:
    """Check the shape of what train_mlp returned; return the logs' ``keys`` as floats."""
    if not isinstance(value, (list, tuple)):
        fail(f"{call} should return a list of dicts (one per epoch); it returned "
             f"{kind(value)} ({describe(value)})")
    expect(len(value) > 0, f"{call} returned an empty list; expected one dict per epoch")
    logs = []
    for index, log in enumerate(value):
        if not isinstance(log, dict):
            fail(f"{call}: item {index} of the list is {kind(log)} ({describe(log)}); "
                 "expected a dict")
        missing = [k for k in keys if k not in log]
        if missing:
            fail(f"{call}: the log of epoch {index + 1} has no key "
                 f"{', '.join(map(repr, missing))} (it has {', '.join(map(repr, log))})")
        logs.append({k: number(log[k], what=f"{call}: {k!r} of epoch {index + 1}")
                     for k in keys if k != "epoch"})
    return logs


def number(value: object, *, what: str) -> float:
    """Return a real number as a float; fail with a clear message for anything else."""
    try:
        return as_float(value, what=what)
    except CheckFailure as failure:
        fail(f"{failure.feedback}. Use loss.item() or float(...) to get a Python float")


def series(logs: list[dict[str, float]], key: str) -> np.ndarray:
    """One metric over the epochs."""
    return np.array([log[key] for log in logs])


def expect_training(logs: list[dict[str, float]], key: str, *, call: str) -> None:
    """Fail unless ``key`` changes over the epochs: the format and consistency checks count
    only for numbers that come from a training run (a constant log satisfies them all)."""
    expect(len(logs) >= 2, f"{call} returned {len(logs)} log(s); a training run of {EPOCHS} "
                           f"epochs gives one per epoch")
    expect_varies(series(logs, key), what=f"{key} in the logs of {call}",
                  over=f"the {len(logs)} epochs (training changes it from epoch to epoch)")


# -- the checks ----------------------------------------------------------------------
@pytest.mark.public
@pytest.mark.points(1)
def test_logs(student, runs, split, train_seed):
    """one log per epoch, numbered from 1, with the six metrics as numbers"""
    call, value = main_run(student, runs, split, train_seed)
    logs = logs_of(value, call=call, keys=KEYS)
    expect(len(logs) == EPOCHS, f"{call} returned {len(logs)} logs; with the default "
                                f"epochs={EPOCHS} it should return {EPOCHS}, one per epoch")
    numbers = []
    for index, log in enumerate(value):
        epoch = log["epoch"]
        if isinstance(epoch, (bool, np.bool_)) or not isinstance(epoch, (int, np.integer)):
            fail(f"{call}: 'epoch' of log {index + 1} should be an int; it is {kind(epoch)} "
                 f"({describe(epoch)})")
        numbers.append(int(epoch))
    expected = list(range(1, EPOCHS + 1))
    if numbers != expected:
        hint = ("\nHint: number the epochs from 1 (for epoch in range(1, epochs + 1)), not "
                "from 0") if numbers == list(range(EPOCHS)) else ""
        fail(f"{call}: the logs' 'epoch' values are {numbers}; expected {expected}{hint}")
    for index, log in enumerate(logs):
        bad = [k for k, v in log.items() if not math.isfinite(v)]
        expect(not bad, f"{call}: epoch {index + 1} has non-finite "
                        f"{', '.join(f'{k} = {log[k]}' for k in bad)}")
    expect_training(logs, "train_ce", call=call)


@pytest.mark.public
@pytest.mark.points(1)
def test_perplexity(student, runs, split, train_seed):
    """perplexity = exp(val_ce) at every epoch"""
    call, value = main_run(student, runs, split, train_seed)
    logs = logs_of(value, call=call, keys=METRICS)
    expect_training(logs, "val_ce", call=call)
    for epoch, log in enumerate(logs, start=1):
        expected = math.exp(log["val_ce"]) if log["val_ce"] < 700 else math.inf
        got = log["perplexity"]
        if np.isclose(got, expected, **PERPLEXITY_TOL):
            continue
        hints = [
            (math.exp(min(log["train_ce"], 700)),
             "this is exp(train_ce): perplexity is exp of the validation cross-entropy"),
            (math.exp(min(log["mean_entropy"], 700)),
             "this is exp(mean_entropy): perplexity is exp of the cross-entropy with the "
             "true labels (val_ce), not of the model's own entropy"),
            (2.0 ** log["val_ce"],
             "this is 2 ** val_ce: val_ce is in nats, so perplexity = exp(val_ce)"),
            (log["val_ce"], "this is val_ce itself: perplexity = exp(val_ce)"),
        ]
        hint = next((h for v, h in hints if np.isclose(got, v, rtol=1e-6, atol=1e-9)), "")
        fail(f"{call}: at epoch {epoch}, perplexity = {got:.6g} but exp(val_ce) = "
             f"exp({log['val_ce']:.6g}) = {expected:.6g}" + (f"\nHint: {hint}" if hint else ""))


@pytest.mark.public
@pytest.mark.points(1)
def test_entropy(student, runs, split, train_seed):
    """mean entropy in nats, between 0 and log 10"""
    call, value = main_run(student, runs, split, train_seed)
    cases = [(call, logs_of(value, call=call, keys=("mean_entropy",)))]
    expect_training(cases[0][1], "mean_entropy", call=call)
    call, value = train(student, runs, split, epochs=1, lr=UNTRAINED_LR, seed=train_seed)
    cases.append((f"{call} (a model that has not learnt yet)",
                  logs_of(value, call=call, keys=("mean_entropy",))))
    for call, logs in cases:
        for epoch, log in enumerate(logs, start=1):
            entropy = log["mean_entropy"]
            if -1e-6 <= entropy <= LOG10 + 1e-6:
                continue
            if entropy < 0:
                hint = "the sign is flipped: H = -sum_k p_k log p_k >= 0"
            elif entropy <= math.log2(10.0) + 1e-6:
                hint = ("this looks like bits (log2): use the natural log, the entropy of 10 "
                        "classes is at most log 10 = 2.3026 nats")
            else:
                hint = ("average the per-example entropies over the validation set (and sum "
                        "-p log p over the 10 classes)")
            fail(f"{call}: at epoch {epoch}, mean_entropy = {entropy:.6g}; the entropy of a "
                 f"distribution over 10 classes is between 0 and log 10 = {LOG10:.4f} "
                 f"nats\nHint: {hint}")


@pytest.mark.public
@pytest.mark.points(1)
def test_train_ce_falls(student, runs, split, train_seed):
    """training lowers the loss: the last train_ce is well below the first"""
    call, value = main_run(student, runs, split, train_seed)
    train_ce = series(logs_of(value, call=call, keys=("train_ce",)), "train_ce")
    expect(len(train_ce) >= 2, f"{call} returned a single log; expected {EPOCHS}")
    first, last = train_ce[0], train_ce[-1]
    if last <= CE_RATIO * first:
        return
    hint = ("the loss does not fall: call optimiser.zero_grad(), loss.backward() and "
            "optimiser.step() for every mini-batch, with Adam at the given lr"
            ) if last >= first else ("it falls too little: check the optimiser (Adam at the "
                                     "given lr) and that every mini-batch is used")
    fail(f"{call}: train_ce went from {first:.4g} (epoch 1) to {last:.4g} (epoch "
         f"{len(train_ce)}); a correct MLP ends below {CE_RATIO:g} times the first epoch's "
         f"value (0.12 to 0.16 times on the digits)\nHint: {hint}")


@pytest.mark.public
@pytest.mark.points(1)
def test_train_ce_is_epoch_mean(student, runs, split, train_seed):
    """train_ce is the mean over the epoch's mini-batches"""
    call, value = main_run(student, runs, split, train_seed)
    logs = logs_of(value, call=call, keys=("train_ce", "val_ce"))
    expect_training(logs, "train_ce", call=call)
    first = logs[0]
    if first["val_ce"] > LOG10 - LEARNT:
        return  # no visible learning in epoch 1: nothing to tell (other checks say so)
    gap = first["train_ce"] - first["val_ce"]
    minimum = GAP[split.name]
    expect(gap >= minimum,
           f"{call}: epoch 1 has train_ce = {first['train_ce']:.4g} and val_ce = "
           f"{first['val_ce']:.4g}. The mean of epoch 1's mini-batch losses includes the "
           f"first batches, seen by the untrained model (a loss near log 10 = 2.30), so it is "
           f"clearly above the validation loss the model reaches by the end of the epoch "
           f"(by {minimum:g} or more; 0.12 to 0.30 on the digits)"
           "\nHint: train_ce looks like the loss of the last mini-batch, or of a pass over "
           "the training set after the epoch: average the losses of all the epoch's "
           "mini-batches (append loss.item() for each batch, then take the mean)")


@pytest.mark.public
@pytest.mark.points(1.5)
def test_accuracy(student, runs, split, train_seed):
    """validation accuracy after training reaches the threshold"""
    call, value = main_run(student, runs, split, train_seed)
    accuracy = logs_of(value, call=call, keys=("val_accuracy",))[-1]["val_accuracy"]
    threshold = ACCURACY[split.name]
    if threshold <= accuracy <= 1.0:
        return
    where = f"{call} on {split.name} ({len(split.y_val)} validation images)"
    if 1.0 < accuracy <= 100.0:
        hint = "val_accuracy is a fraction between 0 and 1, not a percentage"
    elif accuracy < 0:
        hint = "an accuracy is a fraction between 0 and 1"
    elif accuracy < 0.2:
        hint = ("that is chance level (0.1 for 10 classes): is the model learning? Compare "
                "the argmax of the logits with the labels, and check the training loop")
    else:
        hint = ("the model learns too little: Linear-ReLU-Linear with `hidden` units, Adam "
                "at lr, optimiser.zero_grad() before each loss.backward(), every mini-batch "
                "of every epoch")
    fail(f"{where}: the last epoch's val_accuracy is {accuracy:.4g}; a correct MLP always "
         f"reaches {threshold:g} (0.92 to 0.96 over 300 runs on the digits)\nHint: {hint}")


def differences(first: list[dict], second: list[dict], *, tol: dict) -> list[str]:
    """Describe where two runs' logs differ (epoch by epoch, metric by metric)."""
    found = []
    for epoch, (a, b) in enumerate(zip(first, second, strict=False), start=1):
        for key in METRICS:
            if not np.isclose(a[key], b[key], **tol):
                found.append(f"epoch {epoch} {key}: {a[key]:.8g} then {b[key]:.8g}")
    return found


@pytest.mark.public
@pytest.mark.points(1)
def test_same_seed(student, runs, split, train_seed):
    """the same seed gives the same numbers"""
    call, value = main_run(student, runs, split, train_seed)
    first = logs_of(value, call=call, keys=METRICS)
    expect_training(first, "val_ce", call=call)  # constant numbers are trivially reproducible
    _, value = train(student, runs, split, again=True, seed=train_seed)
    second = logs_of(value, call=call, keys=METRICS)
    expect(len(first) == len(second), f"calling {call} twice gave {len(first)} and "
                                      f"{len(second)} logs")
    changed = differences(first, second, tol=SAME_TOL)
    expect(not changed, f"calling {call} twice gave different numbers: "
                        f"{'; '.join(changed[:3])}\nHint: {SEEDING_HINT}")


@pytest.mark.public
@pytest.mark.points(0.5)
def test_other_seed(student, runs, split, train_seed):
    """a different seed gives different numbers"""
    call, value = main_run(student, runs, split, train_seed)
    first = logs_of(value, call=call, keys=METRICS)[:2]
    other, value = train(student, runs, split, epochs=2, seed=train_seed + 1)
    second = logs_of(value, call=other, keys=METRICS)
    expect(len(second) == 2, f"{other} returned {len(second)} logs; expected 2")
    same = not differences(first, second, tol=SAME_TOL)
    expect(not same, f"{other} gave exactly the numbers of the first two epochs with "
                     f"seed={train_seed}\nHint: the seed argument is ignored; {SEEDING_HINT}")
