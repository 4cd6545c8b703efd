"""Exercise 5 (reference): entropy, cross-entropy and KL of a worked example."""

from __future__ import annotations

import numpy as np

P = (0.5, 0.3, 0.2)
Q = (0.6, 0.3, 0.1)


def answers() -> dict[str, float]:
    """Return H(P), H(P,Q) and KL(P||Q) in nats for P = [0.5, 0.3, 0.2], Q = [0.6, 0.3, 0.1].

    H_P = 1.029653, KL_PQ = 0.047469 (KL(Q||P) = 0.040078 is the other direction),
    H_PQ = H_P + KL_PQ = 1.077122.
    """
    p, q = np.array(P), np.array(Q)
    h_p = float(-np.sum(p * np.log(p)))
    h_pq = float(-np.sum(p * np.log(q)))
    kl_pq = float(np.sum(p * np.log(p / q)))
    return {"H_P": h_p, "H_PQ": h_pq, "KL_PQ": kl_pq}
