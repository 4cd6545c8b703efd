"""Exercise 5, taking scipy.stats.entropy(p, q) for the cross-entropy (it is the KL)."""

from scipy.stats import entropy

P = [0.5, 0.3, 0.2]
Q = [0.6, 0.3, 0.1]


def answers():
    return {"H_P": entropy(P), "H_PQ": entropy(P, Q), "KL_PQ": entropy(P, Q)}
