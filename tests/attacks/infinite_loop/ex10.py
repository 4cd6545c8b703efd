def entropy(p, base=None):
    while True:
        pass


def cross_entropy(p, q, base=None):
    n = 0
    while True:
        n += 1


def kl_divergence(p, q, base=None):
    while True:
        pass
