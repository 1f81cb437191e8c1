"""What the shape doctor costs while it is on: a training step of a small packed BiLSTM tagger and
of a small CNN, timed with the doctor off and on, alternately, on one thread.

    make benchmark-doctor          (or: PYTHONPATH=tests .venv/bin/python -m doctor_cases.cost)

It prints the median of the on/off ratios over several rounds; the target is at most 1.1. A
benchmark, not a test: timings on a shared machine vary, and a test must not fail by chance."""
import statistics
import sys
import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import shapeschool as ss


class Tagger(nn.Module):
    def __init__(self, words=500, width=32, tags=10):
        super().__init__()
        self.embed = nn.Embedding(words, width, padding_idx=0)
        self.lstm = nn.LSTM(width, width, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * width, tags)

    def forward(self, ids, lengths):                       # ids: (B, T)
        x = pack_padded_sequence(self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
        out, _ = pad_packed_sequence(self.lstm(x)[0], batch_first=True, total_length=ids.shape[1])  # (B, T, 2W)
        return self.head(out)                              # (B, T, tags)


def tagger_step():
    model = Tagger()
    optimiser = torch.optim.Adam(model.parameters())
    ids, lengths = torch.randint(1, 500, (32, 20)), torch.randint(5, 21, (32,))
    tags = torch.randint(0, 10, (32, 20))

    def step():
        optimiser.zero_grad()
        loss = nn.functional.cross_entropy(model(ids, lengths).transpose(1, 2), tags)   # scores (B, C, T)
        loss.backward()
        optimiser.step()
    return step


def cnn_step():
    model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                          nn.Flatten(), nn.Linear(32, 10))
    optimiser = torch.optim.SGD(model.parameters(), lr=0.01)
    images, labels = torch.randn(16, 3, 32, 32), torch.randint(0, 10, (16,))

    def step():
        optimiser.zero_grad()
        nn.functional.cross_entropy(model(images), labels).backward()
        optimiser.step()
    return step


def seconds(step, n):
    start = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - start) / n


def ratio(step, rounds=7, n=40):
    """Median over ``rounds`` of (time per step on) / (time per step off), measured alternately."""
    for _ in range(5):
        step()
    ratios = []
    for _ in range(rounds):
        off = seconds(step, n)
        with ss.doctor():
            on = seconds(step, n)
        ratios.append(on / off)
    return statistics.median(ratios), off


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    for name, make in (("packed BiLSTM tagger", tagger_step), ("small CNN", cnn_step)):
        median, off = ratio(make())
        print(f"{name}: a training step takes {median:.2f} times as long with the doctor on "
              f"({off * 1000:.1f} ms off)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
