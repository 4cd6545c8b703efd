"""Exercise 13 (reference): a language model's surprisal profile."""

from __future__ import annotations

import math

import numpy as np
import torch


def _log_probs(input_ids: list[int], model) -> torch.Tensor:
    """Log-probabilities (float64) of the next token at positions 0..T-2, shape (T-1, V)."""
    batch = torch.tensor([input_ids], dtype=torch.long)
    with torch.no_grad():
        logits = model(batch).logits[0, :-1]  # logits[t] predicts token t + 1
    return torch.log_softmax(logits.double(), dim=-1)


def analyse_text(text: str, model, tokenizer) -> dict:
    """Per-token surprisal and predictive entropy (nats) of a text under a causal LM."""
    ids = [int(i) for i in tokenizer.encode(text)]
    if len(ids) < 2:
        raise ValueError(f"the text has {len(ids)} token(s); at least 2 are needed (the "
                         "first token is context only, the others are predicted)")
    log_probs = _log_probs(ids, model)
    targets = torch.tensor(ids[1:], dtype=torch.long)
    surprisal = (-log_probs.gather(1, targets[:, None])[:, 0]).numpy()
    entropy = (-(log_probs.exp() * log_probs).sum(dim=-1)).numpy()
    tokens = [tokenizer.decode([i]) for i in ids[1:]]
    avg_surprisal = float(np.mean(surprisal))
    # a stable sort on -surprisal: most surprising first, ties keep the text's order
    order = sorted(range(len(tokens)), key=lambda i: -surprisal[i])
    top5 = [(tokens[i], float(surprisal[i]), float(entropy[i])) for i in order[:5]]
    return {
        "tokens": tokens,
        "surprisal": surprisal,
        "entropy": entropy,
        "avg_surprisal": avg_surprisal,
        "perplexity": math.exp(avg_surprisal),
        "avg_entropy": float(np.mean(entropy)),
        "top5": top5,
    }


def compare_texts(texts: dict[str, str], model, tokenizer) -> dict[str, dict]:
    """Average surprisal, perplexity and average entropy of each named text."""
    summary = {}
    for name, text in texts.items():
        result = analyse_text(text, model, tokenizer)
        summary[name] = {key: result[key] for key in ("avg_surprisal", "perplexity",
                                                       "avg_entropy")}
    return summary
