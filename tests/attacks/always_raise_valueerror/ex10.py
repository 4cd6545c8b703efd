def entropy(p, base=None): raise ValueError("invalid input")
def cross_entropy(p, q, base=None): raise ValueError("invalid input")
def kl_divergence(p, q, base=None): raise ValueError("invalid input")
