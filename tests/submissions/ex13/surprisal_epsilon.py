"""Exercise 13, wrong: surprisal as -log(p + 1e-10), the epsilon against log 0.

Biased wherever p is not much larger than 1e-10; on a confident model every token
below 1e-10 gets the same surprisal, -log(1e-10) = 23.0.
"""

import math

import torch


def analyse_text(text, model, tokenizer):
    ids = tokenizer.encode(text)
    if len(ids) < 2:
        raise ValueError("need at least 2 tokens")
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0, :-1]
    targets = torch.tensor(ids[1:])
    probs = torch.softmax(logits, dim=-1)
    surprisal = -torch.log(probs + 1e-10).gather(1, targets[:, None])[:, 0]
    log_probs = torch.log_softmax(logits, dim=-1)
    entropy = -(log_probs.exp() * log_probs).sum(dim=-1)
    surprisal, entropy = surprisal.numpy(), entropy.numpy()
    tokens = [tokenizer.decode([i]) for i in ids[1:]]
    order = sorted(range(len(tokens)), key=lambda i: -surprisal[i])
    avg = float(surprisal.mean())
    return {"tokens": tokens, "surprisal": surprisal, "entropy": entropy,
            "avg_surprisal": avg, "perplexity": math.exp(avg),
            "avg_entropy": float(entropy.mean()),
            "top5": [(tokens[i], float(surprisal[i]), float(entropy[i])) for i in order[:5]]}


def compare_texts(texts, model, tokenizer):
    out = {}
    for name, text in texts.items():
        r = analyse_text(text, model, tokenizer)
        out[name] = {k: r[k] for k in ("avg_surprisal", "perplexity", "avg_entropy")}
    return out
