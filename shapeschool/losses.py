"""How ``cross_entropy`` reads a tagger's scores, run for real at toy sizes: Chapter 6's explorer.

A tagger's scores are ``(B, T, C)``, classes last; ``cross_entropy`` wants classes on axis 1.
``loss_layout`` hands the loss the scores as a learner might (permuted or not, padding ignored or
not) and reports what torch did: the error it raised, or the loss it computed beside the right
one, the mean over real words worked out word by word.
"""
from dataclasses import dataclass

import torch

from .errors import ShapeSchoolError
from .flows import Stage

PAD_TAG = 0


@dataclass(frozen=True)
class LossLayout:
    stages: tuple        # flows.Stage: the scores, what the loss was given, the targets
    loss: object         # the loss torch computed (a float), or None when it raised
    reference: float     # the mean cross-entropy over real words, word by word
    error: str           # the first line of what torch raised ("" when it ran)


def loss_layout(batch=3, time=5, classes=4, permute=True, ignore_padding=True, seed=0):
    """Random scores (B, T, C) and padded targets (B, T), given to ``cross_entropy`` as chosen."""
    for name, value, low in (("batch", batch, 1), ("time", time, 2), ("classes", classes, 2)):
        if int(value) < low:
            raise ShapeSchoolError(f"{name} must be at least {low}, got {value}")
    generator = torch.Generator().manual_seed(seed)
    scores = torch.randn(batch, time, classes, generator=generator)                    # (B, T, C)
    targets = torch.randint(1, classes, (batch, time), generator=generator)            # (B, T)
    for row in range(1, batch):                  # each sentence one word shorter than the one before, down to 1
        targets[row, max(1, time - row):] = PAD_TAG
    given = scores.permute(0, 2, 1) if permute else scores
    error, loss = "", None
    try:
        loss = torch.nn.functional.cross_entropy(given, targets, ignore_index=PAD_TAG if ignore_padding else -100).item()
    except (RuntimeError, ValueError) as exc:
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    real = targets != PAD_TAG
    picked = scores.log_softmax(-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)     # (B, T)
    reference = (-(picked * real).sum() / real.sum()).item()
    stages = (Stage("scores", tuple(scores.shape), ("batch", "time", "classes")),
              Stage("given to cross_entropy", tuple(given.shape),
                    ("batch", "classes", "time") if permute else ("batch", "time", "classes")),
              Stage("targets", tuple(targets.shape), ("batch", "time")))
    return LossLayout(stages, loss, reference, error)


def layout_summary(result):
    """HTML: what cross_entropy did with these scores, against the right loss."""
    if result.error:
        return f"<p>cross_entropy raised <code>{result.error}</code></p>"
    same = abs(result.loss - result.reference) < 1e-5
    verdict = ("<b>right</b>" if same else
               "<b>wrong</b>: it ran, and averaged something else (classes not on axis 1, or padding counted)")
    return (f"<p>cross_entropy gave <b>{result.loss:.4f}</b>; the mean over real words is "
            f"<b>{result.reference:.4f}</b>: {verdict}</p>")
