"""Exercise 13, wrong: scores token t with logits[0, t] (the logits that already saw it)."""

import math

import numpy as np
import torch


def analyse_text(text, model, tokenizer):
    ids = tokenizer.encode(text)
    if len(ids) < 2:
        raise ValueError("need at least 2 tokens")
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0]
    log_probs = torch.log_softmax(logits.double(), dim=-1)[1:]  # mistake: should be [:-1]
    targets = torch.tensor(ids[1:])
    surprisal = (-log_probs[torch.arange(len(targets)), targets]).numpy()
    entropy = (-(log_probs.exp() * log_probs).sum(-1)).numpy()
    tokens = [tokenizer.decode([i]) for i in ids[1:]]
    order = sorted(range(len(tokens)), key=lambda i: -surprisal[i])
    avg = float(np.mean(surprisal))
    return {"tokens": tokens, "surprisal": surprisal, "entropy": entropy,
            "avg_surprisal": avg, "perplexity": math.exp(avg),
            "avg_entropy": float(np.mean(entropy)),
            "top5": [(tokens[i], float(surprisal[i]), float(entropy[i])) for i in order[:5]]}


def compare_texts(texts, model, tokenizer):
    out = {}
    for name, text in texts.items():
        r = analyse_text(text, model, tokenizer)
        out[name] = {k: r[k] for k in ("avg_surprisal", "perplexity", "avg_entropy")}
    return out
