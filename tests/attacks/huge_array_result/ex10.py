import numpy as np


def entropy(p, base=None):
    return np.zeros(10**8)


def cross_entropy(p, q, base=None):
    return [0.0] * (10**7)


def kl_divergence(p, q, base=None):
    return np.zeros(10**8, dtype=np.float32)
