"""Exercise 13: a language model's surprisal profile (8 points).

A causal language model reads a text one token at a time and, at every step, gives a
probability to each token of its vocabulary that could come next. Measure how surprised
the model is by each token of a text, how uncertain it was before seeing it, and compare
texts by their perplexity.

The model and the tokenizer are passed in: the grader builds them offline (a tiny
character-level model trained on a short English text, so one token is one character;
with ``grade --gpt2``, GPT-2 as well when its files are already on your machine). Your code
must work for any model that follows the Hugging Face calling convention:

- ``ids = tokenizer.encode(text)`` is a list of ``T`` token ids (ints);
- ``model(input_ids).logits``, for ``input_ids = torch.tensor([ids])`` (a LongTensor of
  shape ``(1, T)``), is a float tensor of shape ``(1, T, V)`` (``V`` = vocabulary size):
  ``logits[0, t]`` are the unnormalised log-probabilities of the token at position
  ``t + 1``, given the tokens at positions ``0..t``;
- ``tokenizer.decode([i])`` is the text of token id ``i``.

Call the model under ``torch.no_grad()`` (or ``.detach()`` the logits before ``.numpy()``).
Use natural logarithms: every value is in nats. ``torch.log_softmax`` turns logits into
log-probabilities without overflow.

``analyse_text(text, model, tokenizer)`` returns a dict with the keys:

- ``"tokens"``: the predicted tokens, at positions ``1..T-1``, as strings
  (``tokenizer.decode([i])`` of each id). The first token is context only: nothing
  predicts it, so a text of ``T`` tokens has ``T - 1`` predicted tokens.
- ``"surprisal"``: an ``np.ndarray`` of shape ``(T-1,)``: the surprisal
  ``-ln p(token t | tokens 0..t-1)`` of each predicted token, in nats.
- ``"entropy"``: an ``np.ndarray`` of shape ``(T-1,)``: the entropy
  ``-sum_v p(v) ln p(v)`` of the model's whole predicted distribution at the step that
  predicted each token (how uncertain the model was before it saw the token), in nats.
- ``"avg_surprisal"``: the mean surprisal (a float; the model's cross-entropy on the text).
- ``"perplexity"``: ``exp(avg_surprisal)`` (a float).
- ``"avg_entropy"``: the mean entropy (a float).
- ``"top5"``: the five most surprising predicted tokens, as a list of
  ``(token, surprisal, entropy)`` tuples, most surprising first; tokens with equal
  surprisal keep the order in which they appear in the text. Fewer than five when fewer
  tokens are predicted.

A text of fewer than 2 tokens (nothing to predict) raises ``ValueError``.

``compare_texts(texts, model, tokenizer)`` takes a dict ``{name: text}`` and returns
``{name: {"avg_surprisal": ..., "perplexity": ..., "avg_entropy": ...}}`` with the same
names, each computed as ``analyse_text`` does. On text like the one it was trained on, a
model is less perplexed than on the same characters shuffled or on random made-up words.

Points (8), one line per check:

- 0.5  ValueError for a text of fewer than 2 tokens
- 1    analyse_text on training text: surprisal and entropy from log_softmax, and their means
- 0.5  tokens are the predicted tokens (positions 1..T-1) as strings
- 1.5  surprisal of each predicted token in nats
- 1    entropy of the predicted distribution at each step in nats
- 1.5  avg_surprisal, perplexity = exp(avg_surprisal) and avg_entropy
- 1    top5: most surprising first, ties in text order
- 1    compare_texts: in-domain < shuffled characters < random made-up words
"""

import numpy as np  # noqa: F401  (you will need it)
import torch  # noqa: F401  (you will need it)


def analyse_text(text, model, tokenizer):
    """Return the surprisal profile of ``text`` under ``model`` (a dict, see above).

    >>> result = analyse_text("the cat", model, tokenizer)   # doctest: +SKIP
    >>> result["tokens"]                                     # doctest: +SKIP
    ['h', 'e', ' ', 'c', 'a', 't']
    """
    raise NotImplementedError


def compare_texts(texts, model, tokenizer):
    """Return ``{name: {"avg_surprisal", "perplexity", "avg_entropy"}}`` for each text."""
    raise NotImplementedError
