import os
import sys


def entropy(p, base=None):
    return float(len(sys.stdin.read()) - 1)


def cross_entropy(p, q, base=None):
    data = os.read(0, 1024)
    return -1.0 - len(data)


def kl_divergence(p, q, base=None):
    try:
        with open("/dev/tty") as tty:
            tty.readline()
    except OSError:
        pass
    return input("answer? ")
