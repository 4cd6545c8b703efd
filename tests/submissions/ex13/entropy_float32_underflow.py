"""Exercise 13, wrong: entropy as -(p * log p).sum() on a float32 softmax.

Right on a model whose probabilities stay above 1e-45; on a confident one (and on GPT-2)
the softmax underflows to exactly 0 and 0 * log 0 = nan.
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
    surprisal = -torch.log_softmax(logits, dim=-1).gather(1, targets[:, None])[:, 0]
    probs = torch.softmax(logits, dim=-1)
    entropy = -(probs * torch.log(probs)).sum(dim=-1)
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
