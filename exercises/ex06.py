"""Exercise 6: perplexity of rare tokens (5 points).

A language model gives each token it reads a probability ``p``. The *surprisal* of the
token is ``-log p``; the *perplexity* of a text is the exponential of the mean surprisal
of its tokens, ``exp(mean(-log p))``, the geometric mean of ``1/p``.

Rare tokens cost a lot: a token the model gave probability 0.001 carries about 6.9 nats
(about 10 bits) of surprisal, and a few of them raise the perplexity of a text far more
than their share of the tokens suggests.

What to write
-------------
- ``token_surprisal(p, base=math.e)``: the surprisal ``-log_base(p)`` of one token as a
  Python ``float`` (a NumPy scalar is accepted). Natural logarithm (nats) by default;
  ``base=2`` gives bits, ``base=10`` hartleys. A certain token (``p = 1``) has surprisal
  0.
- ``mixture_perplexity(p_rare, rare_rate, p_common)``: the perplexity of a text in which
  a fraction ``rare_rate`` of the tokens get probability ``p_rare`` and all the others
  get ``p_common``: exp of the mean surprisal in nats,
  ``exp(rare_rate * (-ln p_rare) + (1 - rare_rate) * (-ln p_common))``. It is not
  ``1 / mean(p)`` and not ``mean(1 / p)``. Perplexity does not depend on the base of the
  logarithm as long as the exponential matches it (``exp`` of nats = ``2**`` of bits).
  ``rare_rate = 0`` gives ``1 / p_common``, ``rare_rate = 1`` gives ``1 / p_rare``.
- ``answers()``: a dict with three numbers you work out (by hand or with your
  functions):

  - ``"surprisal_nats"``: the surprisal of a token of probability ``p = 0.001``, in nats;
  - ``"surprisal_bits"``: the same surprisal in bits;
  - ``"perplexity"``: the perplexity of a text where 5 % of the tokens get probability
    0.001 and 95 % get 0.5.

  These are checked to about 0.1 % (relative), so four significant digits are enough.

Invalid input raises ``ValueError`` with a message that names the problem: a probability
(``p``, ``p_rare``, ``p_common``) outside ``(0, 1]`` (0, negative, or above 1), a
``rare_rate`` outside ``[0, 1]``, and a ``base`` that is not positive or is exactly 1.

Points (5):
- 0.5   invalid input raises ValueError
- 0.5   answers()['surprisal_nats']: the surprisal of p = 0.001 in nats
- 0.5   answers()['surprisal_bits']: the surprisal of p = 0.001 in bits
- 0.5   answers()['perplexity']: 5 % of the tokens at p = 0.001, 95 % at p = 0.5
- 1.25  token_surprisal: -log(p) in nats by default, in bits with base=2
- 1.25  mixture_perplexity: exp of the mean surprisal of the mixed tokens
- 0.5   edge cases: p = 1 has surprisal 0, a rate of 0 or 1 gives 1/p
"""

import math


def token_surprisal(p, base=math.e):
    """Return the surprisal -log_base(p) of a token the model gave probability p.

    >>> round(float(token_surprisal(0.5, base=2)), 6)
    1.0
    """
    raise NotImplementedError


def mixture_perplexity(p_rare, rare_rate, p_common):
    """Return exp of the mean surprisal (nats) of a text mixing rare and common tokens.

    A fraction ``rare_rate`` of the tokens get probability ``p_rare``, the rest ``p_common``.

    >>> round(float(mixture_perplexity(0.25, 0.5, 0.25)), 6)
    4.0
    """
    raise NotImplementedError


def answers():
    """Return {"surprisal_nats": ..., "surprisal_bits": ..., "perplexity": ...}."""
    raise NotImplementedError
