"""Exercise 1: the surprisal of a die roll (4 points).

The *surprisal* (self-information) of an outcome of probability ``p`` is
``I(p) = -log p``: certain outcomes (``p = 1``) carry no information, rare ones carry a
lot. In base 2 it is measured in *bits*, in base e in *nats*:
``-log_b p = -ln p / ln b``.

What to write
-------------
- ``surprisal(p, base=2.0)``: the surprisal ``-log_base(p)`` as a Python ``float`` (a
  NumPy scalar is accepted). **Bits by default** (``base=2``); ``base=math.e`` gives
  nats, ``base=10`` hartleys. ``surprisal(1.0)`` is 0 and ``surprisal(0.5)`` is 1.
  Tiny probabilities must keep their exact surprisal: ``surprisal(1e-300)`` is about
  996.6 bits, so do not add an epsilon inside the log (``log(p + 1e-12)``) and do not
  clip ``p``.
  Raise ``ValueError`` with a message that names the problem unless ``0 < p <= 1``:
  ``p = 0`` (an impossible outcome), a negative ``p`` and ``p > 1`` are not valid.
  ``base`` is a positive number other than 1.
- ``die_face_surprisal_bits()``: the surprisal, in bits, of rolling a six with a fair
  six-sided die.
- ``rolls_for_one_bit()``: how many rolls of a fair die carry 1 bit of information in
  total (the surprisals of independent rolls add up). The answer is a real number, not
  necessarily a whole number of rolls.

Work the last two out on paper, then return the numbers (a formula such as
``math.log2(...)`` is fine). They are checked to a relative error of 1e-3, so four
significant digits are enough.

Points (4):
- 1     surprisal(p) is -log2 p: bits by default
- 0.5   surprisal raises ValueError unless 0 < p <= 1
- 0.75  die_face_surprisal_bits: the surprisal of one face of a fair die, in bits
- 0.75  rolls_for_one_bit: how many fair-die rolls carry 1 bit
- 0.5   surprisal(p, base) for base e, 10 and 6
- 0.5   surprisal of tiny probabilities (down to 1e-300) is exact
"""

import math  # noqa: F401  (you will need it)


def surprisal(p, base=2.0):
    """Return the surprisal -log_base(p) of an outcome of probability p (bits by default).

    >>> float(surprisal(0.25))
    2.0
    """
    raise NotImplementedError


def die_face_surprisal_bits():
    """Return the surprisal, in bits, of rolling a six with a fair six-sided die."""
    raise NotImplementedError


def rolls_for_one_bit():
    """Return how many fair-die rolls carry 1 bit of information in total (a float)."""
    raise NotImplementedError
