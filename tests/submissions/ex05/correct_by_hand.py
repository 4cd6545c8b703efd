"""Exercise 5, correct: numbers worked out by hand with four-digit logarithms."""

# ln 0.5 = -0.6931, ln 0.3 = -1.2040, ln 0.2 = -1.6094, ln 0.6 = -0.5108, ln 0.1 = -2.3026
# H_P   = 0.5 * 0.6931 + 0.3 * 1.2040 + 0.2 * 1.6094 = 1.0297
# H_PQ  = 0.5 * 0.5108 + 0.3 * 1.2040 + 0.2 * 2.3026 = 1.0771
# KL_PQ = 0.5 * ln(5/6) + 0.2 * ln 2 = -0.0912 + 0.1386 = 0.0474


def answers():
    return {"H_P": 1.0297, "H_PQ": 1.0771, "KL_PQ": 0.0474}
