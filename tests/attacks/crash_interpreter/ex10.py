import ctypes
import os


def entropy(p, base=None):
    ctypes.string_at(0)


def cross_entropy(p, q, base=None):
    os.abort()


def kl_divergence(p, q, base=None):
    import faulthandler
    faulthandler._sigsegv()
