"""Exercise 13, wrong: top5 from np.argsort(s)[::-1], which puts equal surprisals last-first."""

import math

import numpy as np
import torch


def analyse_text(text, model, tokenizer):
    ids = tokenizer.encode(text)
    if len(ids) < 2:
        raise ValueError("need at least 2 tokens")
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0, :-1]
    log_probs = torch.log_softmax(logits.double(), dim=-1)
    targets = torch.tensor(ids[1:])
    surprisal = (-log_probs.gather(1, targets[:, None])[:, 0]).numpy()
    entropy = (-(log_probs.exp() * log_probs).sum(-1)).numpy()
    tokens = [tokenizer.decode([i]) for i in ids[1:]]
    order = np.argsort(surprisal, kind="stable")[::-1]  # mistake: reverses the ties
    avg = float(np.mean(surprisal))
    return {"tokens": tokens, "surprisal": surprisal, "entropy": entropy,
            "avg_surprisal": avg, "perplexity": math.exp(avg),
            "avg_entropy": float(np.mean(entropy)),
            "top5": [(tokens[i], float(surprisal[i]), float(entropy[i])) for i in order[:5]]}


def compare_texts(texts, model, tokenizer):
    return {name: {k: v for k, v in analyse_text(text, model, tokenizer).items()
                   if k in ("avg_surprisal", "perplexity", "avg_entropy")}
            for name, text in texts.items()}
