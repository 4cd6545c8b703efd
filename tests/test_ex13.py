"""Exercise 13's hidden suite and its language-model fixture, graded in both directions."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from grader import catalog, runner, submission
from grader.codec import Fixture
from grader.fixtures import build
from grader.fixtures import language_model as lm
from grader.proxy import StudentModule
from reference import ex13 as ref
from tests.conftest import REFERENCE, ROOT, STUBS, SUBMISSIONS, exercise

FILES = SUBMISSIONS / "ex13"
CHECKS = {
    "tokens": "tokens are the predicted tokens",
    "surprisal": "surprisal of each predicted token",
    "entropy": "entropy of the predicted distribution",
    "averages": "avg_surprisal, perplexity",
    "top5": "top5:",
    "compare": "compare_texts:",
    "short": "ValueError for a text",
    "values": "analyse_text on training text",
}

# golden wrong submissions: (the checks that must fail, the check with the hint, its words)
WRONG = {
    "off_by_one_alignment": ({"values", "surprisal", "entropy", "averages", "top5", "compare"},
                             "surprisal", "off by one: logits[0, t] predict the token at "
                                          "position t + 1"),
    "bits_instead_of_nats": ({"values", "surprisal", "entropy", "averages", "top5", "compare"},
                             "surprisal", "this is in bits"),
    "perplexity_from_entropy": ({"values", "averages", "compare"}, "averages",
                                "this is exp(average entropy)"),
    "top5_ties_reversed": ({"top5"}, "top5", "equal surprisals must keep the order of the "
                                             "text"),
    "tokens_include_first": ({"tokens"}, "tokens", "the first token is context only"),
    "no_value_error": ({"short"}, "short", "Hint: validate the input"),
    # float32 underflow: caught on the confident model only
    "entropy_float32_underflow": ({"entropy"}, "entropy", "0 * log 0 = nan"),
    "surprisal_log_of_float32_softmax": ({"surprisal"}, "surprisal",
                                         "a float32 softmax rounds to exactly 0"),
}
TINY = {"model": "tiny", "seed": 0}


def failed_checks(result) -> set[str]:
    """The short names of the checks that did not pass."""
    lost = {c.name for c in result.checks if c.status != "passed"}
    return {key for key, start in CHECKS.items() if any(n.startswith(start) for n in lost)}


def feedback(result, key: str) -> str:
    return next(c.feedback for c in result.checks if c.name.startswith(CHECKS[key]))


def assert_full_marks(result) -> None:
    assert result.status == "passed", [(c.name, c.feedback) for c in result.checks
                                       if c.feedback]
    assert result.score == result.max_score == 8


def tiny_lm():
    return build("language_model", part="model", **TINY), \
        build("language_model", part="tokenizer", **TINY)


# -- the suite ---------------------------------------------------------------------------
def test_stub_not_attempted(grade_files):
    result = exercise(grade_files({"ex13.py": STUBS / "ex13.py"}, ["ex13"]), "ex13")
    assert (result.status, result.score) == ("not_attempted", 0)
    assert all("not implemented" in c.feedback for c in result.checks)


def test_reference_full_marks_seed_0(grade_files):
    assert_full_marks(exercise(grade_files({"ex13.py": REFERENCE / "ex13.py"}, ["ex13"]),
                               "ex13"))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(1, 10))
def test_reference_full_marks(grade_files, seed):
    report = grade_files({"ex13.py": REFERENCE / "ex13.py"}, ["ex13"], seed=seed)
    assert_full_marks(exercise(report, "ex13"))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 1234])
@pytest.mark.parametrize("name", ["correct_numpy_float32", "correct_torch_functional"])
def test_correct_variants_full_marks(grade_files, name, seed):
    report = grade_files({"ex13.py": FILES / f"{name}.py"}, ["ex13"], seed=seed)
    assert_full_marks(exercise(report, "ex13"))


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_submissions_lose_points_where_expected(grade_files, name):
    must_fail, where, words = WRONG[name]
    result = exercise(grade_files({"ex13.py": FILES / f"{name}.py"}, ["ex13"], seed=5), "ex13")
    assert failed_checks(result) == must_fail, [(c.name, c.feedback) for c in result.checks]
    assert words in feedback(result, where)
    assert 0 < result.score < 8


def test_epsilon_in_the_log_is_named(grade_files):
    """-log(p + 1e-10): the surprisal check names the epsilon (other checks may also lose)."""
    name = "surprisal_epsilon"
    for seed in (0, 5):
        result = exercise(grade_files({"ex13.py": FILES / f"{name}.py"}, ["ex13"], seed=seed),
                          "ex13")
        assert "surprisal" in failed_checks(result)
        assert failed_checks(result) <= {"surprisal", "averages", "top5", "compare", "values"}
        words = feedback(result, "surprisal")
        assert "look like -log(p + eps)" in words and "eps about 1e-10" in words, words
        assert "log_softmax" in words
        for key in failed_checks(result) & {"averages", "compare"}:  # the means say it too
            assert "the mean of -log(p + eps)" in feedback(result, key), feedback(result, key)


@pytest.mark.parametrize(("name", "words"), [
    ("off_by_one_alignment", "Hint: off by one: logits[0, t] predict the token"),
    ("bits_instead_of_nats", "Hint: this is in bits"),
])
def test_every_failed_check_names_the_mistake(grade_files, name, words):
    """The averages, top5 and compare_texts too, not only the per-token values."""
    result = exercise(grade_files({"ex13.py": FILES / f"{name}.py"}, ["ex13"], seed=5), "ex13")
    keys = {"averages", "compare"} | ({"top5"} if name == "bits_instead_of_nats" else set())
    assert keys <= failed_checks(result)
    for key in keys:
        assert words in feedback(result, key), (key, feedback(result, key))


def test_gpt2_option_without_gpt2_changes_nothing(pool, tmp_path):
    """``--gpt2`` on a machine without GPT-2: the same checks on the tiny model, no error."""
    if lm.find_gpt2()[0] is not None:
        pytest.skip("GPT-2 is in this machine's cache: the GPT-2 path runs instead")
    (tmp_path / "ex13.py").write_bytes((REFERENCE / "ex13.py").read_bytes())
    outcomes = runner.grade(submission.load(tmp_path), exercise_ids=["ex13"], seed=2,
                            pool=pool, options={"gpt2": True})
    assert outcomes.internal_errors == ()
    assert_full_marks(exercise(outcomes.report, "ex13"))


def test_gpt2_the_worker_cannot_load_is_not_the_students_loss(pool, tmp_path, monkeypatch):
    """GPT-2 loads on the trusted side only (here: a stand-in): its cases are left out."""
    def stand_in(path, part):
        return build("language_model", part=part, model="tiny", seed=1)

    monkeypatch.setattr(lm, "find_gpt2", lambda: (str(tmp_path), ""))
    monkeypatch.setattr(lm, "load_gpt2", stand_in)  # the worker still imports transformers
    (tmp_path / "ex13.py").write_bytes((REFERENCE / "ex13.py").read_bytes())
    outcomes = runner.grade(submission.load(tmp_path), exercise_ids=["ex13"], seed=4,
                            pool=pool, options={"gpt2": True})
    assert outcomes.internal_errors == ()
    assert_full_marks(exercise(outcomes.report, "ex13"))


def test_gpt2_absence_is_explained(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # import fails as if not installed
    folder, reason = lm.find_gpt2()
    assert folder is None
    assert "GPT-2 is not on this machine" in reason and "transformers" in reason


# -- the fixture ---------------------------------------------------------------------------
PROBE = '''
import torch
from grader.fixtures import language_model


def analyse_text(text, model, tokenizer):
    with torch.no_grad():
        logits = model(torch.tensor([tokenizer.encode(text)])).logits
    return {"fingerprint": language_model.fingerprint(model), "logits": logits}


def compare_texts(texts, model, tokenizer):
    return {}
'''


def test_worker_builds_the_same_model(pool):
    """The recipe builds, in a sandboxed child, the weights the trusted side builds."""
    module = StudentModule(pool=pool, exercise=catalog.get("ex13"), files={"ex13.py": PROBE})
    try:
        text = lm.corpus()[:200]
        got = module.analyse_text(text, Fixture("language_model", part="model", **TINY),
                                  Fixture("language_model", part="tokenizer", **TINY))
    finally:
        module.close()
    model, tokenizer = tiny_lm()
    assert got["fingerprint"] == lm.fingerprint(model)
    with torch.no_grad():
        expected = model(torch.tensor([tokenizer.encode(text)])).logits
    torch.testing.assert_close(got["logits"], expected, rtol=1e-6, atol=1e-6)


@pytest.mark.slow
def test_build_does_not_depend_on_cpu_kernels():
    """Torch's scalar kernels (a child that cannot read /proc/cpuinfo) give the same weights."""
    code = ("from grader.fixtures import language_model as lm; "
            "print(lm.fingerprint(lm.train_tiny_lm(0)), lm.fingerprint(lm.train_tiny_lm(1)))")
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=True)
    here = [lm.fingerprint(lm.train_tiny_lm(seed)) for seed in (0, 1)]
    assert done.stdout.split() == here
    assert here[0] != here[1]


def confident_lm():
    return build("language_model", part="model", sharpen=16, **TINY)


def test_confident_model_underflows_in_float32_only():
    """Logits x 16 exactly; a float32 softmax rounds most of each row to 0, float64 none."""
    model, tokenizer = tiny_lm()
    sharp = confident_lm()
    assert build("language_model", part="model", sharpen=16, **TINY) is sharp  # cached
    rng = np.random.default_rng(0)
    text = lm.corpus()
    for start in rng.integers(0, len(text) - 300, size=5):
        piece = text[start:start + 300]
        for sample in (piece, "".join(rng.permutation(list(piece)))):
            ids = torch.tensor([tokenizer.encode(sample)])
            with torch.no_grad():
                base, logits = model(ids).logits, sharp(ids).logits
            assert logits.dtype == torch.float32
            assert torch.equal(logits, base * 16)
            zeros = (torch.softmax(logits, -1) == 0).float().mean(-1)
            assert (zeros > 0.1).all() and zeros.mean() > 0.5
            span = logits.amax(-1) - logits.amin(-1)
            assert span.max() < 700  # float64 never underflows: only float32 is caught
            assert (torch.softmax(logits.double(), -1) > 0).all()
    with torch.no_grad():
        assert sharp(ids[0]).logits.shape == (ids.shape[1], tokenizer.vocab_size)
        loss = sharp(ids, labels=ids).loss
    assert loss.item() == pytest.approx(ref.analyse_text(sample, sharp, tokenizer)
                                        ["avg_surprisal"], rel=1e-5)
    assert sharp.config.vocab_size == tokenizer.vocab_size


@pytest.mark.parametrize("bad", [3, 0, -2, 0.3])
def test_confident_model_needs_a_power_of_two(bad):
    with pytest.raises(ValueError, match="power of two"):
        lm.build(part="model", sharpen=bad)


def test_worker_builds_the_same_confident_model(pool):
    """The sharpened recipe gives, in a sandboxed child, the trusted side's logits."""
    module = StudentModule(pool=pool, exercise=catalog.get("ex13"), files={"ex13.py": PROBE})
    params = dict(TINY, sharpen=16)
    try:
        text = lm.corpus()[:200]
        got = module.analyse_text(text, Fixture("language_model", part="model", **params),
                                  Fixture("language_model", part="tokenizer", **params))
    finally:
        module.close()
    _, tokenizer = tiny_lm()
    assert got["fingerprint"] == lm.fingerprint(confident_lm())
    with torch.no_grad():
        expected = confident_lm()(torch.tensor([tokenizer.encode(text)])).logits
    torch.testing.assert_close(got["logits"], expected, rtol=1e-6, atol=16e-6)


def test_hugging_face_convention():
    model, tokenizer = tiny_lm()
    text = "The baker opened his shop."
    ids = tokenizer.encode(text)
    assert ids == [int(i) for i in ids] and len(ids) == len(text)
    assert "".join(tokenizer.decode([i]) for i in ids) == tokenizer.decode(ids) == text
    batch = tokenizer(text, return_tensors="pt")["input_ids"]
    assert batch.shape == (1, len(text)) and batch.dtype == torch.long
    with torch.no_grad():
        out = model(batch)
        assert out.logits.shape == (1, len(text), tokenizer.vocab_size)
        assert out.logits.dtype == torch.float32
        assert torch.equal(out[0], out.logits)
        assert model(batch[0]).logits.shape == (len(text), tokenizer.vocab_size)
        loss = model(batch, labels=batch).loss
    assert loss.item() == pytest.approx(ref.analyse_text(text, model, tokenizer)
                                        ["avg_surprisal"], rel=1e-5)
    assert tokenizer.decode(tokenizer.encode("caf\u00e9")) == "caf" + lm.UNKNOWN


def test_model_is_causal_and_ties_unseen_characters():
    model, tokenizer = tiny_lm()
    ids = torch.tensor([tokenizer.encode("the children ran to the park")])
    changed = ids.clone()
    changed[0, 15:] = torch.tensor(tokenizer.encode("X" * (ids.shape[1] - 15)))
    with torch.no_grad():
        a, b = model(ids).logits, model(changed).logits
        assert torch.equal(a[0, :15], b[0, :15])   # position t sees tokens 0..t only
        assert not torch.equal(a[0, 15:], b[0, 15:])
        digits = model(torch.tensor([tokenizer.encode("the box 7")])).logits[0, -2]
    seven, three = tokenizer.encode("73")
    assert digits[seven] == digits[three]     # characters it never saw share one logit
    assert digits.argmax() not in (seven, three)


def test_perplexity_ranks_the_texts():
    """In-domain < shuffled characters < made-up words, on average over many texts."""
    model, tokenizer = tiny_lm()
    text = lm.corpus()
    rng = np.random.default_rng(0)
    letters = list("abcdefghijklmnopqrstuvwxyz")
    values = []
    for _ in range(20):
        start = int(rng.integers(len(text) - 200))
        piece = text[start:start + 200]
        made_up = " ".join("".join(rng.choice(letters, int(rng.integers(2, 8))))
                           for _ in range(40))[:200]
        texts = {"in": piece, "shuffled": "".join(rng.permutation(list(piece))),
                 "made up": made_up}
        values.append([v["perplexity"] for v in ref.compare_texts(texts, model,
                                                                  tokenizer).values()])
    mean = np.log(np.asarray(values)).mean(axis=0)
    assert mean[0] < 1.0 < 4.0 < mean[1] < mean[2] - 0.5, mean


def test_corpus_is_short_ascii_english():
    text = lm.corpus()
    assert 3000 < len(text.encode()) < 8000
    assert set(text) <= set(lm.VOCAB)
