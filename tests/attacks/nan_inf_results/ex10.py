import math

import numpy as np


def entropy(p, base=None):
    return math.nan


def cross_entropy(p, q, base=None):
    return math.inf


def kl_divergence(p, q, base=None):
    return np.float64(-np.inf)
