"""Exercise 13, wrong: a text of fewer than 2 tokens gives empty arrays and nan, no error."""

import math

import numpy as np
import torch


def analyse_text(text, model, tokenizer):
    ids = tokenizer.encode(text)
    input_ids = torch.tensor([ids], dtype=torch.long).reshape(1, len(ids))
    with torch.no_grad():
        logits = model(input_ids).logits[0, :-1] if ids else torch.zeros(0, 1)
    log_probs = torch.log_softmax(logits.double(), dim=-1)
    targets = torch.tensor(ids[1:], dtype=torch.long)
    surprisal = (-log_probs.gather(1, targets[:, None])[:, 0]).numpy()
    entropy = (-(log_probs.exp() * log_probs).sum(-1)).numpy()
    tokens = [tokenizer.decode([i]) for i in ids[1:]]
    order = sorted(range(len(tokens)), key=lambda i: -surprisal[i])
    avg = float(np.mean(surprisal)) if len(surprisal) else math.nan
    return {"tokens": tokens, "surprisal": surprisal, "entropy": entropy,
            "avg_surprisal": avg, "perplexity": math.exp(avg),
            "avg_entropy": float(np.mean(entropy)) if len(entropy) else math.nan,
            "top5": [(tokens[i], float(surprisal[i]), float(entropy[i])) for i in order[:5]]}


def compare_texts(texts, model, tokenizer):
    return {name: {k: v for k, v in analyse_text(text, model, tokenizer).items()
                   if k in ("avg_surprisal", "perplexity", "avg_entropy")}
            for name, text in texts.items()}
