"""The chapter's exercises: ids, titles, points, the names they define, time budgets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    """One exercise of the chapter as the grader sees it."""

    id: str
    title: str
    points: float
    names: tuple[str, ...]
    preload: tuple[str, ...] = ("numpy",)
    call_timeout: float = 10.0
    # the wall time a submission may spend in the worker for this exercise (its import and
    # all its calls): about three times what the reference needs plus a margin
    # (``python bench/budgets.py`` prints both); once spent, the remaining checks are
    # reported ``timeout`` without calling the student again
    budget: float = 8.0
    written: bool = False
    # its suites call SciPy (grader.oracles): a single student's grading has the zygote
    # fork the oracle process, so that SciPy is imported off the grading process's path
    scipy_oracle: bool = False

    @property
    def number(self) -> int:
        """The exercise's number, 1 to 16."""
        return int(self.id[2:])

    @property
    def filename(self) -> str:
        """The file a submission holds it in."""
        return f"{self.id}.py"

    @property
    def written_points(self) -> float:
        """The most an instructor can give for the written part (0: it has none)."""
        return WRITTEN_POINTS if self.written else 0.0


#: The text a stub's WRITTEN_ANSWER holds until the student replaces it.
WRITTEN_PLACEHOLDER = "(Write your answer here.)"
#: The marks of a written part, given by hand (the scale every ``reference/exNN_rubric.md``
#: suggests); the automatic grading gives it none, ``grade batch --merge-manual`` adds them.
WRITTEN_POINTS = 4.0

_TORCH = ("numpy", "torch")
# the first torch.optim optimizer of a process imports torch._dynamo (1.7 s of CPU)
_TRAIN = (*_TORCH, "torch._dynamo")
# what students may reasonably import besides NumPy, preloaded so that their modules import
# in milliseconds (scipy.stats, a second more, is left to those who use it; exercise 10
# asks for NumPy only)
_SCIPY = ("numpy", "scipy.special")

EXERCISES: tuple[Exercise, ...] = (
    Exercise("ex01", "Surprisal of a die roll", 4,
             ("surprisal", "die_face_surprisal_bits", "rolls_for_one_bit"), preload=_SCIPY),
    Exercise("ex02", "The maximum of entropy", 5,
             ("uniform_entropy", "entropy_gap_to_uniform"), preload=_SCIPY, written=True,
             scipy_oracle=True),
    Exercise("ex03", "Cross-entropy decomposes: H(P,Q) = H(P) + KL", 5,
             ("cross_entropy_decomposition",), preload=_SCIPY, written=True,
             scipy_oracle=True),
    Exercise("ex04", "Gradient of cross-entropy", 8,
             ("softmax", "cross_entropy_loss", "cross_entropy_grad"), preload=_SCIPY,
             written=True, scipy_oracle=True),
    Exercise("ex05", "A worked example: entropy, cross-entropy, KL", 4, ("answers",),
             preload=_SCIPY, scipy_oracle=True),
    Exercise("ex06", "Perplexity of rare tokens", 5,
             ("token_surprisal", "mixture_perplexity", "answers"), preload=_SCIPY),
    Exercise("ex07", "Jensen's inequality and KL >= 0", 5,
             ("jensen_gap_log", "neg_kl_via_jensen"), preload=_SCIPY, written=True,
             scipy_oracle=True),
    Exercise("ex08", "Independence and mutual information", 6,
             ("product_of_marginals", "mutual_information", "is_independent"), preload=_SCIPY,
             written=True, scipy_oracle=True),
    Exercise("ex09", "Beta in the ELBO", 6,
             ("gaussian_kl", "gaussian_kl_grad", "beta_vae_objective", "collapsed_posterior"),
             preload=_SCIPY, written=True),
    Exercise("ex10", "Entropy, cross-entropy and KL from scratch", 8,
             ("entropy", "cross_entropy", "kl_divergence"), scipy_oracle=True),
    Exercise("ex11", "Binary entropy and cross-entropy curves", 6,
             ("binary_entropy", "binary_cross_entropy", "cross_entropy_argmin",
              "plot_binary_entropy"), preload=(*_SCIPY, "matplotlib"), scipy_oracle=True),
    Exercise("ex12", "The asymmetry of KL", 6, ("kl_curves", "plot_kl_asymmetry"),
             preload=(*_SCIPY, "matplotlib")),
    Exercise("ex13", "A language model's surprisal profile", 8,
             ("analyse_text", "compare_texts"), preload=(*_TORCH, "fixture:language_model"),
             call_timeout=30.0, budget=30.0),
    Exercise("ex14", "InfoNCE", 8, ("info_nce_loss",), preload=_TORCH, budget=10.0),
    Exercise("ex15", "Training an MLP: cross-entropy, entropy, perplexity", 8,
             ("train_mlp",), preload=_TRAIN, call_timeout=60.0, budget=90.0),
    Exercise("ex16", "A beta-VAE sweep", 8,
             ("beta_vae_loss", "train_beta_vae", "plot_beta_sweep"),
             preload=(*_TRAIN, "matplotlib"), call_timeout=60.0, budget=90.0),
)

BY_ID: dict[str, Exercise] = {ex.id: ex for ex in EXERCISES}


def get(exercise_id: str) -> Exercise:
    """Return the exercise with this id (``ex04``); KeyError if there is none."""
    return BY_ID[exercise_id]
