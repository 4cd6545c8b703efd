"""Exercise 13, wrong: "tokens" lists all T tokens, the first one (never predicted) included."""

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
    every = [tokenizer.decode([i]) for i in ids]  # mistake: the first is not predicted
    tokens = every[1:]
    order = sorted(range(len(surprisal)), key=lambda i: -surprisal[i])
    avg = float(np.mean(surprisal))
    return {"tokens": every, "surprisal": surprisal, "entropy": entropy,
            "avg_surprisal": avg, "perplexity": math.exp(avg),
            "avg_entropy": float(np.mean(entropy)),
            "top5": [(tokens[i], float(surprisal[i]), float(entropy[i])) for i in order[:5]]}


def compare_texts(texts, model, tokenizer):
    return {name: {k: v for k, v in analyse_text(text, model, tokenizer).items()
                   if k in ("avg_surprisal", "perplexity", "avg_entropy")}
            for name, text in texts.items()}
