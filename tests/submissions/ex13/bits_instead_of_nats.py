"""Exercise 13, wrong: every value in bits (log base 2); perplexity = 2 ** bits is right."""

import numpy as np
import torch


def analyse_text(text, model, tokenizer):
    ids = tokenizer.encode(text)
    if len(ids) < 2:
        raise ValueError("need at least 2 tokens")
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0, :-1]
    probs = torch.softmax(logits.double(), dim=-1).numpy()
    targets = np.array(ids[1:])
    surprisal = -np.log2(probs[np.arange(len(targets)), targets])
    entropy = -(probs * np.log2(probs)).sum(axis=1)
    tokens = [tokenizer.decode([i]) for i in targets]
    order = sorted(range(len(tokens)), key=lambda i: -surprisal[i])
    avg = float(surprisal.mean())
    return {"tokens": tokens, "surprisal": surprisal, "entropy": entropy,
            "avg_surprisal": avg, "perplexity": 2.0 ** avg, "avg_entropy": float(entropy.mean()),
            "top5": [(tokens[i], float(surprisal[i]), float(entropy[i])) for i in order[:5]]}


def compare_texts(texts, model, tokenizer):
    out = {}
    for name, text in texts.items():
        r = analyse_text(text, model, tokenizer)
        out[name] = {k: r[k] for k in ("avg_surprisal", "perplexity", "avg_entropy")}
    return out
