"""Writes the draft of course/ch06_a_bilstm_tagger.ipynb (a working script, kept with the draft)."""
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = []

def md(text):
    cells.append(new_markdown_cell(text.strip("\n")))

def code(grade_id, source, kind="lesson", points=0, **how):
    cell = new_code_cell(source.strip("\n"))
    meta = {"grade": kind == "check", "grade_id": grade_id, "locked": kind != "fixme",
            "schema_version": 3, "solution": kind == "fixme", "task": False}
    if kind == "check":
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    if how:
        cell.metadata["shapeschool"] = how
    cells.append(cell)

md('''
# Chapter 6 · A BiLSTM tagger, end to end

Every piece of a part-of-speech tagger has appeared in this course on its own: vocabularies with
`<pad>` and `<unk>`, padding and packing, a bidirectional LSTM, a `Linear` over its outputs. Here
they meet in one model that trains in seconds and tags sentences it has never seen, and where
they meet, new shape mistakes appear: the loss over `(B, T, C)` scores and `(B, T)` targets,
accuracy that counts padding, `argmax` over the wrong axis. Most of them raise nothing.
''')
code("setup", '''
import warnings

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

import shapeschool as ss
from shapeschool import tagged_text

DEVICE = ss.pick_device()   # the one place this chapter chooses CPU or GPU
ss.seed_everything(0)
print(f"torch {torch.__version__} on {DEVICE.type}")
''')
md('''
## 1. The sentences and their tags

The sentences are written by a small grammar of English in `shapeschool.tagged_text`, seeded, so
everyone gets the same ones and nothing is downloaded. Each word carries a Universal Dependencies
part-of-speech tag. Many words take more than one tag ("the *watch* stopped", "we *watch* it"), so
looking a word up is not enough; the baseline below does exactly that, giving each word the tag
it had most often in training.
''')
code("data", '''
tagged = tagged_text.sentences(600, seed=0)
train, test = tagged_text.split(tagged, held_out=0.2)
print(len(train), "training sentences,", len(test), "held out")
print(train[0])
baseline = tagged_text.most_frequent_tag_accuracy(train, test)
print(f"most-frequent-tag baseline, held out: {baseline:.1%}")
''')
code("vocabularies", '''
PAD, UNK = 0, 1                                   # word ids, as in Chapter 4
words = {"<pad>": PAD, "<unk>": UNK}
for sentence in train:
    for word, _ in sentence:
        words.setdefault(word.lower(), len(words))
tags = {"<pad>": 0, **{tag: i + 1 for i, tag in enumerate(tagged_text.TAGS)}}
PAD_TAG = tags["<pad>"]                           # the padding *tag*: what the loss must ignore
tag_names = list(tags)                            # id -> tag
print(len(words), "words and", len(tags), "tags, each counting its <pad>")
''')
md('''
### 🔧 Fix me 1: `encode_batch` (a silent bug)

A batch of tagged sentences becomes three tensors: word ids `(B, T)`, tag ids `(B, T)`, both padded
with 0 to the longest sentence, and the lengths `(B,)`, which stay on the CPU for packing.
`pad_sequence` stacks along a new axis 0 unless told otherwise.
''')
code("encode_batch", '''
def encode_batch(batch, words, tags):
    """Tagged sentences -> word ids (B, T), tag ids (B, T), padded with 0, and lengths (B,) on the CPU."""
    word_ids = [torch.tensor([words.get(w.lower(), UNK) for w, _ in s]) for s in batch]
    tag_ids = [torch.tensor([tags[t] for _, t in s]) for s in batch]
    lengths = torch.tensor([len(s) for s in batch])
    ### BEGIN SOLUTION
    return pad_sequence(word_ids, batch_first=True), pad_sequence(tag_ids, batch_first=True), lengths
    ### END SOLUTION
    ### BEGIN BROKEN
    # return pad_sequence(word_ids), pad_sequence(tag_ids), lengths
    ### END BROKEN


ids_demo, tags_demo, lengths_demo = encode_batch(train[:3], words, tags)
print("word ids", tuple(ids_demo.shape), " tag ids", tuple(tags_demo.shape), " lengths", lengths_demo.tolist())
''', kind="fixme", silent=True)
code("check_encode_batch", '''
def batch_of(case):
    """case.B training sentences, the longest of them exactly case.T words long."""
    longest = [s for s in train if len(s) == case.T]
    shorter = [s for s in train if len(s) <= case.T]
    batch = [case.rng.choice(shorter) for _ in range(case.B - 1)]
    batch.insert(case.rng.randrange(case.B), case.rng.choice(longest))
    return batch


def check_encode_batch(case):
    batch = batch_of(case)
    got_ids, got_tags, got_lengths = encode_batch(batch, words, tags)
    hint = "pad_sequence(..., batch_first=True): sentences are rows, so (B, T)"
    ss.expect_shape(got_ids, (case.B, case.T), name="word ids", hint=hint)
    ss.expect_shape(got_tags, (case.B, case.T), name="tag ids", hint=hint)
    ss.expect_equal(got_lengths.device.type, "cpu", name="the lengths' device", hint="pack_padded_sequence wants CPU lengths")
    ss.expect_equal(got_lengths.tolist(), [len(s) for s in batch], name="lengths")
    for row, sentence in enumerate(batch):
        pad = case.T - len(sentence)
        ss.expect_equal(got_ids[row].tolist(), [words.get(w.lower(), UNK) for w, _ in sentence] + [PAD] * pad,
                        name=f"word ids of sentence {row}", hint=hint)
        ss.expect_equal(got_tags[row].tolist(), [tags[t] for _, t in sentence] + [PAD_TAG] * pad,
                        name=f"tag ids of sentence {row}", hint=hint)


batch_sizes = ss.Sizes(B=(1, 10), T=(4, 17))
checked = batch_sizes.cases(example=dict(B=3, T=9), edges=["B=T", "B=1", "T=4"],
                            name="encode_batch(batch, words, tags)",
                            hint="pad_sequence(..., batch_first=True): sentences are rows, so (B, T)")
for case in checked:
    with case:
        check_encode_batch(case)
### BEGIN HIDDEN TESTS
for case in batch_sizes.cases(edges=["B=T", "B=8"], draws=5, seed=61000, name="encode_batch (hidden)"):
    with case:
        check_encode_batch(case)
### END HIDDEN TESTS
print(f"encode_batch: all checks passed ({checked})")
''', kind="check", points=1)
md('''
## 2. The tagger

Embedding, a packed bidirectional LSTM, and a `Linear` applied at every step: `nn.Linear` works on
the **last** axis whatever comes before it, so `(B, T, 2H)` becomes `(B, T, C)` with no loop. A
bidirectional LSTM's output puts the forward and backward features side by side, `2 * hidden`
of them per step.
''')
md('''
### 🔧 Fix me 2: `Tagger`
''')
code("tagger", '''
class Tagger(nn.Module):
    """Word ids (B, T) and lengths (B,) -> tag scores (B, T, n_tags), one row of scores per word."""

    def __init__(self, n_words, n_tags, emb=32, hidden=32):
        super().__init__()
        self.embed = nn.Embedding(n_words, emb, padding_idx=PAD)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True, bidirectional=True)
        ### BEGIN SOLUTION
        self.out = nn.Linear(2 * hidden, n_tags)                   # both directions, per step
        ### END SOLUTION
        ### BEGIN BROKEN
        # self.out = nn.Linear(hidden, n_tags)
        ### END BROKEN

    def forward(self, word_ids, lengths):
        vectors = self.embed(word_ids)                                          # (B, T, E)
        packed = pack_padded_sequence(vectors, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=word_ids.shape[1])  # (B, T, 2H)
        return self.out(out)                                                    # (B, T, n_tags)


demo_ids = torch.randint(2, len(words), (4, 7)).to(DEVICE)     # (B=4, T=7)
demo_lengths = torch.tensor([7, 3, 5, 2])
with torch.no_grad():
    print(tuple(Tagger(len(words), len(tags)).to(DEVICE)(demo_ids, demo_lengths).shape))   # (4, 7, 14)
''', kind="fixme", fails_with="RuntimeError")
code("check_tagger", '''
def check_tagger(case):
    """Tagger(V, C, E, H) against its own layers, each sentence run alone with no padding."""
    model = Tagger(case.V, case.C, emb=case.E, hidden=case.H).to(DEVICE)
    lens = torch.tensor([case.T] + [case.rng.randint(1, case.T) for _ in range(case.B - 1)])
    ids = torch.randint(2, case.V, (case.B, case.T), device=DEVICE)
    with torch.no_grad():
        got = model(ids, lens)
        ss.expect_shape(got, (case.B, case.T, case.C), name="Tagger(...)(word_ids, lengths)",
                        hint="one row of n_tags scores per word: (B, T, n_tags)")
        for b in range(case.B):
            n = int(lens[b])
            alone, _ = model.lstm(model.embed(ids[b:b + 1, :n]))                     # (1, n, 2H), no padding
            ss.expect_close(got[b, :n], model.out(alone)[0], name=f"scores of sentence {b} (length {n})",
                            hint="pack the batch so each direction stops at the sentence's real length")
        if case.T > 1:                              # the backward direction: the first word hears the last
            changed = ids.clone()
            changed[0, case.T - 1] = 2 + (int(ids[0, case.T - 1]) - 1) % (case.V - 2)   # another word
            if torch.allclose(model(changed, lens)[0, 0], got[0, 0], rtol=0, atol=1e-7):
                raise ss.ShapeSchoolError(
                    "the first word's scores: expected them to change when the sentence's last word changes, "
                    "got the same scores: a tagger reads the words after each word too, with a bidirectional LSTM")


tagger_sizes = ss.Sizes(B=(1, 5), T=(1, 8), V=(4, 30), C=(2, 15), E=(1, 12), H=(1, 12))
checked = tagger_sizes.cases(example=dict(B=4, T=7, V=len(words), C=len(tags), E=32, H=32),
                             edges=["H=1", "B=1", "T=1", "C=2*H"],
                             name="Tagger(n_words, n_tags, emb, hidden)",
                             hint="a bidirectional LSTM gives 2 * hidden features per step")
for case in checked:
    with case:
        check_tagger(case)
### BEGIN HIDDEN TESTS
for case in tagger_sizes.cases(edges=["T=1", "C=H"], draws=4, seed=62000, name="Tagger (hidden)"):
    with case:
        check_tagger(case)
### END HIDDEN TESTS
print(f"Tagger: all checks passed ({checked})")
''', kind="check", points=1)
md('''
## 3. The loss wants classes on axis 1

`nn.CrossEntropyLoss` takes scores `(N, C)` with targets `(N,)`, or, for many positions,
`(N, C, d1, ...)` with targets `(N, d1, ...)`: the classes always on axis **1**. A tagger's scores
are `(B, T, C)`, classes last. Two ways to agree: `scores.permute(0, 2, 1)`, `(B, C, T)`, with
targets `(B, T)`; or flatten both, `scores.reshape(-1, C)` and `targets.reshape(-1)`, which works
only if both are flattened in the same order.

### Myth or fact? "CrossEntropyLoss accepts the `(B, T, C)` scores a tagger makes."
''')
code("myth_loss_layout", '''
scores = torch.randn(2, 5, 14)                                          # (B=2, T=5, C=14)
targets = torch.randint(1, 14, (2, 5))                                  # (B, T)
ss.raises(lambda: nn.functional.cross_entropy(scores, targets), RuntimeError, "Expected target size")
ss.runs(lambda: nn.functional.cross_entropy(scores.permute(0, 2, 1), targets))

square = torch.randn(2, 14, 14)                                         # T == C == 14
square_targets = torch.randint(1, 14, (2, 14))
as_given = nn.functional.cross_entropy(square, square_targets)          # runs: reads axis 1 (time) as classes
permuted = nn.functional.cross_entropy(square.permute(0, 2, 1), square_targets)
print("T == C: (B, T, C) runs, and gives the permuted loss?", torch.allclose(as_given, permuted))
print("Verdict: MYTH. With T != C it raises; with T == C it runs and computes the wrong loss.")
''')
md('''
Targets are class *indices*, `long`. Float targets the same shape as the ids are not read as
classes, and targets with a trailing axis of 1, `(B, T, 1)`, are a shape mismatch. A regression
loss is less strict: `MSELoss` given predictions `(B, 1)` and targets `(B,)` broadcasts them to
`(B, B)` and only warns.
''')
code("loss_targets", '''
ss.raises(lambda: nn.functional.cross_entropy(scores.permute(0, 2, 1), targets.float()), RuntimeError, "Long")
ss.raises(lambda: nn.functional.cross_entropy(scores.permute(0, 2, 1), targets.unsqueeze(-1)), RuntimeError,
          "Expected target size")

predictions = torch.randn(4, 1)                                         # (B, 1): a Linear(..., 1) head
goals = torch.randn(4)                                                  # (B,)
with warnings.catch_warnings(record=True) as said:
    warnings.simplefilter("always")
    broadcast = nn.functional.mse_loss(predictions, goals)              # (4, 1) against (4,) -> (4, 4)
print("MSELoss warned:", "different to the input size" in str(said[0].message) if said else "nothing")
print("it averaged every prediction against every target:",
      torch.allclose(broadcast, ((predictions - goals) ** 2).mean()),   # the (4, 4) grid
      " not pairs:", torch.allclose(broadcast, ((predictions.squeeze(1) - goals) ** 2).mean()))
''')
md('''
### 🔧 Fix me 3: `tag_loss` (a silent bug)

This loss was copied from a seq-first tagger, whose scores are `(T, B, C)`. Here the scores are
batch-first. Padding must not count: `ignore_index` is the padding **tag**.
''')
code("tag_loss", '''
def tag_loss(scores, tag_ids):
    """Mean cross-entropy over real words: scores (B, T, C), tag ids (B, T), padded with PAD_TAG."""
    ### BEGIN SOLUTION
    return nn.functional.cross_entropy(scores.permute(0, 2, 1), tag_ids, ignore_index=PAD_TAG)   # (B, C, T)
    ### END SOLUTION
    ### BEGIN BROKEN
    # flat_scores = scores.transpose(0, 1).reshape(-1, scores.shape[-1])    # (T*B, C)
    # return nn.functional.cross_entropy(flat_scores, tag_ids.reshape(-1), ignore_index=PAD_TAG)
    ### END BROKEN


print(f"{tag_loss(torch.zeros(2, 3, 14), torch.tensor([[3, 4, 0], [5, 0, 0]])).item():.4f}")   # log(14) = 2.6391
''', kind="fixme", silent=True)
code("check_tag_loss", '''
def masked_loss(scores, tag_ids):                                    # reference: word by word
    logp = scores.log_softmax(-1)                                     # (B, T, C)
    picked = logp.gather(-1, tag_ids.unsqueeze(-1)).squeeze(-1)       # (B, T)
    real = tag_ids != PAD_TAG
    return -(picked * real).sum() / real.sum()


def check_tag_loss(case):
    scores_c = torch.randn(case.B, case.T, case.C, device=DEVICE)
    lens = [case.T] + [case.rng.randint(1, case.T) for _ in range(case.B - 1)]
    tag_ids_c = torch.randint(1, case.C, (case.B, case.T), device=DEVICE)
    for b, n in enumerate(lens):
        tag_ids_c[b, n:] = PAD_TAG
    ss.expect_close(tag_loss(scores_c, tag_ids_c), masked_loss(scores_c, tag_ids_c), name="tag_loss(scores, tag_ids)",
                    hint="classes on axis 1 (scores.permute(0, 2, 1)), ignore_index=PAD_TAG")


loss_sizes = ss.Sizes(B=(1, 6), T=(1, 9), C=(2, 15))
checked = loss_sizes.cases(example=dict(B=3, T=6, C=len(tags)), edges=["T=B", "T=C", "B=1"],
                           name="tag_loss(scores, tag_ids)",
                           hint="classes on axis 1 (scores.permute(0, 2, 1)), ignore_index=PAD_TAG")
for case in checked:
    with case:
        check_tag_loss(case)
### BEGIN HIDDEN TESTS
for case in loss_sizes.cases(edges=["T=B", "T=C", "T=B=C"], draws=5, seed=63000, name="tag_loss (hidden)"):
    with case:
        check_tag_loss(case)
### END HIDDEN TESTS
print(f"tag_loss: all checks passed ({checked})")
''', kind="check", points=1)
md('''
## 4. Accuracy over real words

The predicted tag is the `argmax` over the **tag** axis, the last one. Over axis 1 it is an argmax
over time, `(B, C)`: which word scored highest for each tag, and when `T == C` it even has the
shape of the right answer. Accuracy counts real words only: a padded position's target is the
padding tag, which no sensible tagger predicts, so counting padding makes short sentences look
worse and a model that predicts padding look better.
''')
code("argmax_axis", '''
scores_tc = torch.randn(2, 6, 6)                                         # (B=2, T=6, C=6): square
print("argmax(-1):", tuple(scores_tc.argmax(-1).shape), " argmax(1):", tuple(scores_tc.argmax(1).shape),
      " the same tags?", torch.equal(scores_tc.argmax(-1), scores_tc.argmax(1)))
''')
md('''
### 🔧 Fix me 4: `token_accuracy` (a silent bug)
''')
code("token_accuracy", '''
def token_accuracy(scores, tag_ids):
    """The share of real (non-padding) words whose highest-scoring tag is right, as a float."""
    predicted = scores.argmax(-1)                                       # (B, T)
    ### BEGIN SOLUTION
    real = tag_ids != PAD_TAG
    return ((predicted == tag_ids) & real).sum().item() / real.sum().item()
    ### END SOLUTION
    ### BEGIN BROKEN
    # return (predicted == tag_ids).float().mean().item()
    ### END BROKEN


print(token_accuracy(torch.eye(3).repeat(2, 1, 1), torch.tensor([[0, 1, 0], [0, 1, 2]])))
''', kind="fixme", silent=True)
code("check_token_accuracy", '''
def check_token_accuracy(case):
    scores_c = torch.randn(case.B, case.T, case.C, device=DEVICE)
    lens = [case.T] + [case.rng.randint(1, case.T) for _ in range(case.B - 1)]
    tag_ids_c = torch.randint(1, case.C, (case.B, case.T), device=DEVICE)
    right = wrong = 0
    for b, n in enumerate(lens):
        tag_ids_c[b, n:] = PAD_TAG
        hit = (scores_c[b, :n].argmax(-1) == tag_ids_c[b, :n]).sum().item()
        right, wrong = right + hit, wrong + n - hit
    got = torch.tensor(float(token_accuracy(scores_c, tag_ids_c)), dtype=torch.float64)
    ss.expect_close(got, torch.tensor(right / (right + wrong), dtype=torch.float64), atol=1e-6, rtol=0,
                    name="token_accuracy(scores, tag_ids)", hint="count only positions whose tag is not PAD_TAG")


accuracy_sizes = ss.Sizes(B=(2, 6), T=(2, 9), C=(2, 15))
checked = accuracy_sizes.cases(example=dict(B=3, T=6, C=len(tags)), edges=["T=C", "C=2"],
                               name="token_accuracy(scores, tag_ids)",
                               hint="count only positions whose tag is not PAD_TAG")
for case in checked:
    with case:
        check_token_accuracy(case)
### BEGIN HIDDEN TESTS
for case in accuracy_sizes.cases(edges=["T=C", "T=B=C"], draws=6, seed=64000, name="token_accuracy (hidden)"):
    with case:
        check_token_accuracy(case)
### END HIDDEN TESTS
print(f"token_accuracy: all checks passed ({checked})")
''', kind="check", points=1)
md('''
## 5. Training

The pieces together: batches of 32 sentences in a fresh order each epoch, Adam, and the loss and
held-out accuracy after every epoch. On a CPU this takes a few seconds.
''')
code("training", '''
ss.seed_everything(0)
model = Tagger(len(words), len(tags)).to(DEVICE)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
test_ids, test_tags, test_lengths = encode_batch(test, words, tags)
history = []
for epoch in range(6):
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(epoch)).tolist()
    model.train()
    for start in range(0, len(train), 32):
        ids_b, tags_b, lengths_b = encode_batch([train[i] for i in order[start:start + 32]], words, tags)
        loss = tag_loss(model(ids_b.to(DEVICE), lengths_b), tags_b.to(DEVICE))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        held_out = token_accuracy(model(test_ids.to(DEVICE), test_lengths), test_tags.to(DEVICE))
    history.append((loss.item(), held_out))
print(f"held-out accuracy after {len(history)} epochs: {history[-1][1]:.1%} (baseline {baseline:.1%})")
''')
code("training_picture", '''
import matplotlib.pyplot as plt

fig, (left, right) = plt.subplots(1, 2, figsize=(8, 2.6))
left.plot([h[0] for h in history], marker="o")
left.set(title="training loss (last batch)", xlabel="epoch")
right.plot([h[1] for h in history], marker="o", label="BiLSTM tagger")
right.axhline(baseline, color="grey", linestyle="--", label="most frequent tag")
right.set(title="held-out accuracy", xlabel="epoch")
right.legend(loc="lower right")
fig.tight_layout()
plt.show()
''')
md('''
## 6. Tagging a new sentence

A single sentence is a batch of one: ids `(1, T)`, lengths `(1,)`. Words never seen in training
get `<unk>`, and the tagger tags them from their neighbours. The predicted ids go back through
`tag_names`, one per word.

### 🔧 Fix me 5: `tag_sentence`
''')
code("tag_sentence", '''
def tag_sentence(model, text):
    """'We saw Zorblat .' -> [('We', 'PRON'), ('saw', 'VERB'), ('Zorblat', 'PROPN'), ('.', 'PUNCT')]."""
    tokens = text.split()
    ### BEGIN SOLUTION
    ids = torch.tensor([[words.get(w.lower(), UNK) for w in tokens]], device=DEVICE)   # (1, T)
    ### END SOLUTION
    ### BEGIN BROKEN
    # ids = torch.tensor([[words[w] for w in tokens]], device=DEVICE)
    ### END BROKEN
    with torch.no_grad():
        best = model(ids, torch.tensor([len(tokens)])).argmax(-1)[0]    # (T,)
    return list(zip(tokens, [tag_names[i] for i in best.tolist()]))


print(tag_sentence(model, "The teacher will book two ships near Zorblat ."))
''', kind="fixme", fails_with="KeyError")
code("check_tag_sentence", '''
class Recorder(nn.Module):
    """Stands in for a tagger: keeps what it is given, and scores word id i highest for tag i % n_tags."""

    def __init__(self):
        super().__init__()
        self.given = []

    def forward(self, word_ids, lengths):
        self.given.append((word_ids.tolist(), lengths.tolist()))
        return nn.functional.one_hot(word_ids % len(tags), len(tags)).float()    # (B, T, C)


def check_tag_sentence(case):
    tokens = [w for w, _ in case.rng.choice(test)]
    if case.unknown:
        tokens[case.rng.randrange(len(tokens) - 1)] = "Qwv" + "xz" * case.rng.randint(1, 3)
    recorder = Recorder()
    got = tag_sentence(recorder, " ".join(tokens))
    ids = [words.get(w.lower(), UNK) for w in tokens]
    ss.expect_equal(recorder.given, [([ids], [len(tokens)])], name="the word ids and lengths given to the model",
                    hint="a batch of one: ids (1, T), lower-cased, words not in the vocabulary as <unk>")
    ss.expect_equal(got, [(w, tag_names[i % len(tags)]) for w, i in zip(tokens, ids)], name="tag_sentence(model, text)",
                    hint="each word with the tag of its highest score")


sentence_sizes = ss.Sizes(unknown=[False, True])
checked = sentence_sizes.cases(example=dict(unknown=True), edges=["unknown=False"],
                               name="tag_sentence(model, text)",
                               hint="lower-case each word; words not in the vocabulary are <unk>")
for case in checked:
    with case:
        check_tag_sentence(case)
### BEGIN HIDDEN TESTS
for case in sentence_sizes.cases(edges=["unknown=True"], draws=6, seed=65000, name="tag_sentence (hidden)"):
    with case:
        check_tag_sentence(case)
### END HIDDEN TESTS
print(f"tag_sentence: all checks passed ({checked})")
''', kind="check", points=1)
md('''
## What to remember

| step | shape | the mistake that raises nothing |
|---|---|---|
| padding a batch | `pad_sequence(..., batch_first=True)` -> `(B, T)` | without it, `(T, B)` |
| scores | `Linear(2 * hidden, C)` on `(B, T, 2H)` -> `(B, T, C)` | |
| loss | `cross_entropy(scores.permute(0, 2, 1), tag_ids, ignore_index=PAD_TAG)` | `(B, T, C)` as given when `T == C`; flattening scores and targets in different orders; padding counted |
| targets | `long` class ids, `(B, T)` | `MSELoss` on `(B, 1)` and `(B,)`: broadcast to `(B, B)`, a warning only |
| predictions | `scores.argmax(-1)` | `argmax(1)`, over time |
| accuracy | real words only | padding counted |
| a new sentence | a batch of one, unknown words -> `<unk>` | |
''')

nb = new_notebook(cells=cells)
nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
               "language_info": {"name": "python"}}
nbformat.write(nb, "course/ch06_a_bilstm_tagger.ipynb")
