import threading
import time


def entropy(p, base=None):
    time.sleep(10**6)


def cross_entropy(p, q, base=None):
    threading.Event().wait()


def kl_divergence(p, q, base=None):
    time.sleep(10**6)
