def _h(): return {i: i for i in range(3_000_000)}
def entropy(p, base=None): return _h()
def cross_entropy(p, q, base=None): return _h()
def kl_divergence(p, q, base=None): return _h()
