"""Exercise 13, correct, written differently: cross_entropy(reduction='none') and Categorical."""

import math

import torch
import torch.nn.functional as F


def analyse_text(text, model, tokenizer):
    input_ids = torch.tensor(tokenizer.encode(text), dtype=torch.long).unsqueeze(0)
    if input_ids.shape[1] < 2:
        raise ValueError("analyse_text needs a text of at least 2 tokens")
    with torch.no_grad():
        logits = model(input_ids=input_ids).logits
    predicting, predicted = logits[0, :-1], input_ids[0, 1:]
    surprisal = F.cross_entropy(predicting, predicted, reduction="none")
    entropy = torch.distributions.Categorical(logits=predicting).entropy()
    tokens = [tokenizer.decode([int(i)]) for i in predicted]
    rows = list(zip(tokens, surprisal.tolist(), entropy.tolist(), strict=True))
    avg = surprisal.mean().item()
    return {
        "tokens": tokens,
        "surprisal": surprisal.numpy(),
        "entropy": entropy.numpy(),
        "avg_surprisal": avg,
        "perplexity": math.exp(avg),
        "avg_entropy": entropy.mean().item(),
        "top5": sorted(rows, key=lambda row: row[1], reverse=True)[:5],
    }


def compare_texts(texts, model, tokenizer):
    keys = ("avg_surprisal", "perplexity", "avg_entropy")
    return {name: dict(zip(keys, (analyse_text(text, model, tokenizer)[k] for k in keys),
                           strict=True))
            for name, text in texts.items()}
