"""Chapter 6's checks (course/ch06_a_bilstm_tagger.ipynb), out of the learner's sight.

Each exercise is called from its check cell as ``checks.NAME(answer)`` (``sentence_batch`` also
takes the lesson's vocabulary, whose ids the model was trained with); the hidden tests add a seed.
Every case builds its own sentences, scores or model, and a reference from plain PyTorch or plain
Python. The chapter's conventions are fixed here as they are in its set-up: word ids ``PAD = 0``
and ``UNK = 1``, and the padding tag ``PAD_TAG = 0``, the first of the tag names.

The challenge's wrong answers may pack a batch along the wrong axis, an index out of range inside
``pack_padded_sequence``. On a GPU that is a device-side assert that breaks CUDA for the rest of
the kernel, so its check runs the learner's model first on the CPU, where torch makes tensors by
default and the mistake is a plain ``IndexError``, and only then on ``case.device``.
"""

import torch
from torch import nn

from .. import tagged_text
from ..cases import Sizes, made_then_moved
from ..checks import expect_close, expect_equal, expect_shape, fail, reads_the_layers
from ..device import pick_device
from ..errors import ShapeSchoolError
from ..exercise import Exercise
from ..hints import Hint
from ..predictions import Prediction

SOLUTION = "solutions/ch06_a_bilstm_tagger.ipynb"
PAD, UNK, PAD_TAG = 0, 1, 0
TAG_NAMES = ["<pad>", *tagged_text.TAGS]          # tag id -> name, as the chapter's tag_names
TAG_IDS = {name: i for i, name in enumerate(TAG_NAMES)}

_POOL = []


def _pool():
    """Tagged sentences of the chapter's grammar (another seed than the lesson's) and a vocabulary
    made from most of them, so that some words of the others are unknown. Made on first use."""
    if not _POOL:
        sentences = tagged_text.sentences(400, seed=7)
        vocab = {"<pad>": PAD, "<unk>": UNK}
        for sentence in sentences[:300]:
            for word, _ in sentence:
                vocab.setdefault(word.lower(), len(vocab))
        _POOL.extend([sentences, vocab])
    return _POOL


# --- Fix me 1: encode_batch ---------------------------------------------------------------------

ENCODE_BATCH_RAISED = Hint(
    what="encode_batch raised an error on these sentences.",
    where="read the error's last line and the line of encode_batch it points at.",
    fix="return pad_sequence(word_ids, batch_first=True), pad_sequence(tag_ids, batch_first=True), lengths.")
ENCODE_BATCH_SHAPE = Hint(
    what="the ids are not one row per sentence by one column per position of the longest sentence.",
    where="what layout does pad_sequence give when it is told nothing? The prediction above it ran it on "
          "two short sequences: which axis held the sequences, and which one the positions?",
    fix="pad_sequence(word_ids, batch_first=True), and the same for the tag ids: sentences are rows, (B, T).")
ENCODE_BATCH_ROWS = Hint(
    what="the shape is right, but a row is not one sentence's ids followed by its padding: compare row "
         "by row.",
    where="how the padded tensor was turned into rows: swapping two axes moves each sentence's ids "
          "together; reshaping or viewing keeps the numbers in their order in memory and only cuts "
          "them into rows of another length.",
    fix="pad_sequence(..., batch_first=True), or the time-first result transposed, .T or .transpose(0, 1), "
        "for the word ids and the tag ids alike.")
ENCODE_BATCH_TAGS = Hint(
    what="the tag ids are not each sentence's tag ids followed by PAD_TAG, 0, up to the longest sentence.",
    where="what value fills the padding of the tag ids, and in which layout? The loss later ignores "
          "exactly PAD_TAG.",
    fix="pad_sequence(tag_ids, batch_first=True): pad_sequence pads with 0, which is PAD_TAG.")
ENCODE_BATCH_LENGTHS = Hint(
    what="the lengths are not each sentence's number of words, in the batch's order, on the CPU.",
    where="the line that makes lengths, and anything that moves it afterwards: pack_padded_sequence "
          "wants its lengths on the CPU.",
    fix="lengths = torch.tensor([len(s) for s in batch]), returned as it is.")


def _batch(case):
    """case.B sentences of the pool, the longest exactly case.T words, in a random place."""
    sentences = _pool()[0]
    longest = [s for s in sentences if len(s) == case.T]
    shorter = [s for s in sentences if len(s) <= case.T]
    batch = [case.rng.choice(shorter) for _ in range(case.B - 1)]
    batch.insert(case.rng.randrange(case.B), case.rng.choice(longest))
    return batch


def check_encode_batch(case, encode_batch):
    """case.B tagged sentences, the longest case.T words, some words unknown to the vocabulary."""
    vocab = _pool()[1]
    batch = _batch(case)
    got_ids, got_tags, got_lengths = encode_batch(batch, vocab, TAG_IDS)
    expect_shape(got_ids, (case.B, case.T), name="the word ids' shape", hint=ENCODE_BATCH_SHAPE)
    expect_shape(got_tags, (case.B, case.T), name="the tag ids' shape", hint=ENCODE_BATCH_SHAPE)
    word_rows = [[vocab.get(w.lower(), UNK) for w, _ in s] + [PAD] * (case.T - len(s)) for s in batch]
    tag_rows = [[TAG_IDS[t] for _, t in s] + [PAD_TAG] * (case.T - len(s)) for s in batch]
    expect_equal(got_ids.tolist(), word_rows, name="the word ids, row by row", hint=ENCODE_BATCH_ROWS)
    expect_equal(got_tags.tolist(), tag_rows, name="the tag ids, row by row", hint=ENCODE_BATCH_TAGS)
    expect_equal(got_lengths.tolist(), [len(s) for s in batch], name="the lengths", hint=ENCODE_BATCH_LENGTHS)
    expect_equal(got_lengths.device.type, "cpu", name="the lengths' device", hint=ENCODE_BATCH_LENGTHS)


encode_batch = Exercise(
    "encode_batch", "encode_batch(batch, words, tags)", check_encode_batch, Sizes(B=(1, 10), T=(4, 17)),
    example=dict(B=3, T=10), example_label="the example's sizes, other sentences",
    edges=["B=T", "B=1", "T=4"], hidden_edges=["B=T", "B=8"], hidden_draws=5,
    raised=ENCODE_BATCH_RAISED, solution=SOLUTION)


# --- Fix me 2: Tagger ---------------------------------------------------------------------------

TAGGER_RAISED = Hint(
    what="a layer of the tagger refused the tensor that reached it.",
    where="if the message is 'mat1 and mat2 shapes cannot be multiplied (A x B and C x D)', B is the "
          "width of each row that reached the Linear and C the width it was built for. How wide is each "
          "step of what the LSTM hands the Linear?",
    fix="self.out = nn.Linear(2 * hidden, n_tags): each step holds the forward and the backward "
        "direction's hidden features.")
TAGGER_SHAPE = Hint(
    what="the scores are not one row of n_tags scores per word, (B, T, n_tags).",
    where="what the Linear is built for, and what forward hands it.",
    fix="self.out = nn.Linear(2 * hidden, n_tags), applied to the whole (B, T, 2 * hidden) output.")
TAGGER_VALUES = Hint(
    what="the shape is right, but a sentence's scores differ from those of the same sentence run on "
         "its own, with no padding.",
    where="what the LSTM reads (each sentence up to its length, or the padding too?) and what the "
          "Linear reads (both directions' features at each step?).",
    fix="pack the embedded batch with pack_padded_sequence(..., enforce_sorted=False) before the LSTM, "
        "and give nn.Linear(2 * hidden, n_tags) the whole (B, T, 2 * hidden) output.")
TAGGER_BACKWARD = Hint(
    what="a word's scores do not change when the word after it changes: the tagger reads only the "
         "words before each word.",
    where="a tag often depends on the next word ('we watch' against 'the watch stopped'). Which "
          "setting of the LSTM reads each sentence from its end too, and is the Linear built to read "
          "what it adds?",
    fix="keep the LSTM bidirectional=True and read both directions: nn.Linear(2 * hidden, n_tags).")


def check_tagger(case, Tagger):
    """Tagger(V, C, E, H) on a padded batch, against its own layers with each sentence run alone;
    and, for T > 1, a word's scores must hear the word after it."""
    model = Tagger(case.V, case.C, emb=case.E, hidden=case.H).to(case.device)
    lens = torch.tensor([case.T] + [case.rng.randint(1, case.T) for _ in range(case.B - 1)])
    ids_c = torch.randint(2, case.V, (case.B, case.T), device=case.device)            # (B, T)
    with torch.no_grad():
        got = model(ids_c, lens)
        expect_shape(got, (case.B, case.T, case.C), name="Tagger(...)(word_ids, lengths).shape", hint=TAGGER_SHAPE)
        for b in range(case.B):
            n = int(lens[b])
            with reads_the_layers(f"the model's embed, lstm and out, run on sentence {b} alone",
                                  "layers that can be run one after another", hint=TAGGER_VALUES):
                alone, _ = model.lstm(model.embed(ids_c[b:b + 1, :n]))                 # (1, n, 2H): no padding
                expected = model.out(alone)[0]                                         # (n, C)
            expect_close(got[b, :n], expected, name=f"the scores of sentence {b} (length {n})", hint=TAGGER_VALUES)
        if case.T > 1:
            pair = ids_c[:1, :2].clone()                                              # (1, 2)
            first = model(pair, torch.tensor([2]))[0, 0]
            heard = False
            for other in range(2, min(case.V, 5)):
                if other != int(pair[0, 1]):
                    pair[0, 1] = other
                    heard = heard or not torch.allclose(model(pair, torch.tensor([2]))[0, 0], first, rtol=0, atol=1e-7)
            if not heard:
                fail("the first word's scores", "them to change when the second word changes", "the same scores",
                     hint=TAGGER_BACKWARD)


tagger = Exercise(
    "tagger", "Tagger(n_words, n_tags, emb, hidden)", check_tagger,
    Sizes(B=(1, 5), T=(1, 8), V=(4, 30), C=(2, 15), E=(1, 12), H=(1, 12)),
    example=dict(B=4, T=7, V=209, C=14, E=32, H=32), example_label="the example's sizes, other ids and weights",
    edges=["H=1", "B=1", "T=1", "C=2*H"], hidden_edges=["T=1", "C=H"], hidden_draws=4,
    raised=TAGGER_RAISED, solution=SOLUTION)


# --- Fix me 3: tag_loss -------------------------------------------------------------------------

TAG_LOSS_RAISED = Hint(
    what="tag_loss raised an error on these scores and tags.",
    where="read the error's last line. cross_entropy reads the classes on axis 1 of the scores and "
          "wants targets shaped like the scores without that axis: print the shapes your code hands it.",
    fix="return nn.functional.cross_entropy(scores.permute(0, 2, 1), tag_ids, ignore_index=PAD_TAG).")
TAG_LOSS_SHAPE = Hint(
    what="the loss is not one number, a tensor of shape ().",
    where="how the loss is reduced: what does cross_entropy return by default, and with reduction='none'?",
    fix="return nn.functional.cross_entropy(scores.permute(0, 2, 1), tag_ids, ignore_index=PAD_TAG).")
TAG_LOSS_VALUE = Hint(
    what="the loss is not the mean cross-entropy over the real words: each real word's -log p(its tag), "
         "averaged over the real words of the whole batch, padding left out.",
    where="two things decide it. Which axis cross_entropy reads as the classes, and, if you flatten, "
          "whether the i-th row of the scores and the i-th target belong to the same word (a batch-first "
          "tensor flattens sentence by sentence). And which targets it leaves out.",
    fix="classes on axis 1: cross_entropy(scores.permute(0, 2, 1), tag_ids, ignore_index=PAD_TAG); or both "
        "flattened in the same order: scores.reshape(-1, C) with tag_ids.reshape(-1).")


def masked_loss(scores, tag_ids):
    """The reference, word by word: the mean of -log p(tag) over positions whose tag is not PAD_TAG."""
    picked = scores.log_softmax(-1).gather(-1, tag_ids.unsqueeze(-1)).squeeze(-1)   # (B, T)
    real = tag_ids != PAD_TAG
    return -(picked * real).sum() / real.sum()


def scored_batch(case, classes=None):
    """Random scores (B, T, C), tag ids (B, T) padded with PAD_TAG past each length, and the lengths;
    the first sentence uses all T steps."""
    classes = classes or case.C
    scores_c = torch.randn(case.B, case.T, classes, device=case.device)
    lens = [case.T] + [case.rng.randint(1, case.T) for _ in range(case.B - 1)]
    tag_ids_c = torch.randint(1, classes, (case.B, case.T), device=case.device)
    for b, n in enumerate(lens):
        tag_ids_c[b, n:] = PAD_TAG
    return scores_c, tag_ids_c, lens


def check_tag_loss(case, tag_loss):
    scores_c, tag_ids_c, _ = scored_batch(case)
    got = tag_loss(scores_c, tag_ids_c)
    expect_shape(got, (), name="tag_loss(scores, tag_ids).shape", hint=TAG_LOSS_SHAPE)
    expect_close(got, masked_loss(scores_c, tag_ids_c), name="tag_loss(scores, tag_ids)", hint=TAG_LOSS_VALUE)


tag_loss = Exercise(
    "tag_loss", "tag_loss(scores, tag_ids)", check_tag_loss, Sizes(B=(1, 6), T=(1, 9), C=(2, 15)),
    example=dict(B=2, T=3, C=14), example_label="the example's sizes, other scores and tags",
    edges=["T=B", "T=C", "B=1"], hidden_edges=["T=B", "T=C", "T=B=C"], hidden_draws=5,
    raised=TAG_LOSS_RAISED, solution=SOLUTION)


# --- Fix me 4: token_accuracy -------------------------------------------------------------------

ACCURACY_RAISED = Hint(
    what="token_accuracy raised an error on these scores and tags.",
    where="read the error's last line: which line raised, and what it was given.",
    fix="real = tag_ids != PAD_TAG; return ((predicted == tag_ids) & real).sum().item() / real.sum().item().")
ACCURACY_VALUE = Hint(
    what="the accuracy is not the share of real words whose highest-scoring tag is right.",
    where="which positions your count includes, above the fraction bar and below it. A padded "
          "position's target is PAD_TAG; and every real word of the batch counts once, whatever "
          "sentence it is in.",
    fix="real = tag_ids != PAD_TAG; return ((predicted == tag_ids) & real).sum().item() / real.sum().item().")


def check_token_accuracy(case, token_accuracy):
    scores_c, tag_ids_c, lens = scored_batch(case)
    right = sum(int((scores_c[b, :n].argmax(-1) == tag_ids_c[b, :n]).sum()) for b, n in enumerate(lens))
    got = torch.tensor(float(token_accuracy(scores_c, tag_ids_c)), dtype=torch.float64)
    expect_close(got, torch.tensor(right / sum(lens), dtype=torch.float64), atol=1e-6, rtol=0,
                 name="token_accuracy(scores, tag_ids)", hint=ACCURACY_VALUE)


token_accuracy = Exercise(
    "token_accuracy", "token_accuracy(scores, tag_ids)", check_token_accuracy,
    Sizes(B=(2, 6), T=(2, 9), C=(2, 15)),
    example=dict(B=2, T=3, C=3), example_label="the example's sizes, other scores and tags",
    edges=["T=C", "C=2"], hidden_edges=["T=C", "T=B=C"], hidden_draws=6,
    raised=ACCURACY_RAISED, solution=SOLUTION)


# --- Fix me 5: tags_of_batch --------------------------------------------------------------------

TAGS_RAISED = Hint(
    what="tags_of_batch raised an error on these scores and lengths.",
    where="read the error's last line: which line raised, and on what?",
    fix="return [[tag_names[i] for i in row[:n]] for row, n in zip(best, lengths.tolist())].")
TAGS_VALUE = Hint(
    what="the tags are not one list per sentence with one tag per real word, each the highest-scoring tag.",
    where="how long is each list you return, and how long is that sentence? Past its length the scores "
          "are for padding, and the model predicts some tag there too, <pad> or not.",
    fix="cut each row at its sentence's length: [[tag_names[i] for i in row[:n]] for row, n in "
        "zip(best, lengths.tolist())].")


def check_tags_of_batch(case, tags_of_batch):
    scores_c = torch.randn(case.B, case.T, len(TAG_NAMES), device=case.device)
    # one sentence as long as the batch, and (where there are two and room) one shorter: a fix that
    # ignores the lengths must fail every case it can fail, not only the draws that happen to pad
    shorter = [case.rng.randint(1, case.T - 1)] if case.B > 1 and case.T > 1 else []
    lens = ([case.T] + shorter + [case.rng.randint(1, case.T) for _ in range(case.B)])[:case.B]
    case.rng.shuffle(lens)
    expected = [[TAG_NAMES[int(scores_c[b, t].argmax())] for t in range(n)] for b, n in enumerate(lens)]
    expect_equal(tags_of_batch(scores_c, torch.tensor(lens)), expected, name="tags_of_batch(scores, lengths)",
                 hint=TAGS_VALUE)


tags_of_batch = Exercise(
    "tags_of_batch", "tags_of_batch(scores, lengths)", check_tags_of_batch, Sizes(B=(1, 6), T=(1, 9)),
    example=dict(B=2, T=3), example_label="the example's sizes, other scores and lengths",
    edges=["B=1", "T=1", "T=B"], hidden_edges=["T=B", "B=6"], hidden_draws=6,
    raised=TAGS_RAISED, solution=SOLUTION)


# --- Fix me 6: sentence_batch -------------------------------------------------------------------

SENTENCE_RAISED = Hint(
    what="sentence_batch raised an error on this sentence.",
    where="read the error: which word could it not look up, and why is that word not a key of words? "
          "Look at how the vocabulary's keys were written when it was built, and at what encode_batch, "
          "which made every batch the model trained on, does with each word.",
    fix="ids = torch.tensor([[words.get(w.lower(), UNK) for w in tokens]], device=DEVICE).")
SENTENCE_SHAPE = Hint(
    what="the ids are not a batch of one sentence, (1, T).",
    where="the model reads (batch, time) ids. How many pairs of brackets does the list you make the "
          "tensor from have?",
    fix="ids = torch.tensor([[words.get(w.lower(), UNK) for w in tokens]], device=DEVICE).")
SENTENCE_IDS = Hint(
    what="the ids are not those training gave these words.",
    where="the model knows ids made the way encode_batch made them: compare how it looks a word up "
          "with how sentence_batch does, for a capitalised word and for a word training never saw.",
    fix="words.get(w.lower(), UNK) for each token: lower-cased, and <unk> for a word not in the vocabulary.")
SENTENCE_LENGTHS = Hint(
    what="the lengths are not one number, the sentence's length, on the CPU.",
    where="the line that makes the lengths: pack_padded_sequence wants them on the CPU, one per sentence.",
    fix="return ids, torch.tensor([len(tokens)]).")


def check_sentence_batch(case, sentence_batch, words):
    """A sentence of the pool written as a user types it (capitalised), with an invented word in
    it when case.unknown; against the ids the lesson's vocabulary gives, lower-cased, <unk> else."""
    tokens = [w for w, _ in case.rng.choice(_pool()[0])]
    tokens[0] = tokens[0].capitalize()
    if case.unknown:
        tokens[case.rng.randrange(len(tokens) - 1)] = "Qwv" + "xz" * case.rng.randint(1, 3)
    got_ids, got_lengths = sentence_batch(" ".join(tokens))
    expect_shape(got_ids, (1, len(tokens)), name="the word ids' shape", hint=SENTENCE_SHAPE)
    expect_equal(got_ids.tolist(), [[words.get(w.lower(), words["<unk>"]) for w in tokens]], name="the word ids",
                 hint=SENTENCE_IDS)
    expect_equal(got_ids.device.type, case.device.type, name="the word ids' device", hint=SENTENCE_IDS)
    expect_equal(got_lengths.tolist(), [len(tokens)], name="the lengths", hint=SENTENCE_LENGTHS)
    expect_equal(got_lengths.device.type, "cpu", name="the lengths' device", hint=SENTENCE_LENGTHS)


sentence_batch = Exercise(
    "sentence_batch", "sentence_batch(text)", check_sentence_batch, Sizes(unknown=[False, True]),
    example=dict(unknown=True), example_label="a sentence like the example's, other words",
    edges=["unknown=False"], hidden_edges=["unknown=True"], hidden_draws=6,
    raised=SENTENCE_RAISED, solution=SOLUTION)


# --- Challenge: SpecTagger, a forward pass written from its specification ----------------------

SPEC_RAISED = Hint(
    what="forward raised an error on this batch.",
    where="read which line of your forward raised, and the sizes its message names. Then check each "
          "layout against the specification: the LSTM is time-first, the lengths come in any order, "
          "and T may be longer than the longest sentence.",
    fix="embed; pack_padded_sequence(vectors, lengths.cpu(), batch_first=True, enforce_sorted=False) "
        "(batch_first describes the tensor you pack, not the LSTM); self.lstm; pad_packed_sequence(..., "
        "batch_first=True, total_length=T); self.out; then the scores times a (B, T, 1) mask of real positions.")
SPEC_SHAPE = Hint(
    what="the scores are not (B, T, n_tags), batch first, T as long as word_ids' second axis.",
    where="which axis comes first in what you return, and how long is its time axis when T is longer "
          "than the longest sentence? pad_packed_sequence pads to the longest length unless it is told "
          "another.",
    fix="pad_packed_sequence(packed_output, batch_first=True, total_length=word_ids.shape[1]).")
SPEC_REAL = Hint(
    what="a real word's scores differ from those the same layers give its sentence read on its own.",
    where="what the LSTM reads. Does padding reach it? (Unless the batch is packed, the backward "
          "direction of a short sentence starts in its padding.) Is axis 0 of what it reads time, as a "
          "time-first LSTM expects, and was pack_padded_sequence told the layout of the tensor it was "
          "handed?",
    fix="pack the embedded (B, T, E) batch with pack_padded_sequence(vectors, lengths.cpu(), batch_first=True, "
        "enforce_sorted=False), run self.lstm on the packed batch, and pad_packed_sequence(..., "
        "batch_first=True, total_length=T).")
SPEC_PADDING = Hint(
    what="the scores at padding positions are not all 0.",
    where="self.out adds its bias at every position, padding included. A (B, T) mask of real positions "
          "can be made from lengths by comparing positions 0..T-1 with each length; how must it be "
          "shaped to multiply (B, T, n_tags) scores?",
    fix="real = torch.arange(T, device=scores.device) < lengths.to(scores.device)[:, None]   # (B, T); "
        "return scores * real.unsqueeze(-1).")


def _spec_batch(case):
    """(B, T) ids: each row a sentence of real words (ids 2..V-1) then PAD, the longest T - spare
    words long, in a random row; and the lengths, in no particular order."""
    longest = case.T - case.spare
    lens = [case.rng.randint(1, longest) for _ in range(case.B)]
    lens[case.rng.randrange(case.B)] = longest
    ids_c = torch.full((case.B, case.T), PAD, dtype=torch.long)
    for b, n in enumerate(lens):
        ids_c[b, :n] = torch.randint(2, case.V, (n,))
    return ids_c, lens


def _scored_alone(model, ids_c, lens, case):
    """The reference: each sentence's real words alone through the model's own layers, unbatched."""
    ref_lstm = nn.LSTM(case.E, case.H, num_layers=2, bidirectional=True).to(ids_c.device)
    ref_lstm.load_state_dict(model.lstm.state_dict())
    weight, out_w, out_b = model.embed.weight, model.out.weight, model.out.bias
    expected = []
    for b, n in enumerate(lens):
        steps, _ = ref_lstm(nn.functional.embedding(ids_c[b, :n], weight))          # (n, 2H): no padding
        expected.append(nn.functional.linear(steps, out_w, out_b))                  # (n, C)
    return expected


def check_spec_tagger(case, SpecTagger):
    """SpecTagger(V, C, E, H) on a padded batch (lengths in any order, perhaps spare columns), run
    first on the CPU, then on case.device; against each sentence alone through its own layers."""
    ids_cpu, lens = _spec_batch(case)
    made = (SpecTagger(case.V, case.C, emb=case.E, hidden=case.H), ids_cpu)
    for where, (model, ids_c) in made_then_moved(case, *made):
        with torch.no_grad():
            got = model(ids_c, torch.tensor(lens))
            expect_shape(got, (case.B, case.T, case.C), name=f"SpecTagger(...)(word_ids, lengths).shape{where}",
                         hint=SPEC_SHAPE)
            expected = _scored_alone(model, ids_c, lens, case)
            for b, n in enumerate(lens):
                expect_close(got[b, :n], expected[b], name=f"the scores of sentence {b} (length {n}){where}",
                             hint=SPEC_REAL)
            for b, n in enumerate(lens):
                expect_close(got[b, n:], torch.zeros_like(got[b, n:]),
                             name=f"the scores past sentence {b}'s length, {n}{where}", hint=SPEC_PADDING)


spec_tagger = Exercise(
    "spec_tagger", "SpecTagger(n_words, n_tags, emb, hidden)(word_ids, lengths)", check_spec_tagger,
    Sizes(B=(1, 5), T=(1, 7), spare=(0, 2), V=(4, 40), C=(2, 10), E=(1, 8), H=(1, 8),
          where=lambda T, spare, **_: T - spare >= 1),
    example=dict(B=3, T=6, spare=2, V=209, C=14, E=16, H=16),
    example_label="the example's sizes, other ids and weights",
    edges=["T=B,spare=0", "B=1,T=1", "spare=2", "H=1"],
    hidden_edges=["T=B,spare=0", "B=1,T=1", "B=1,spare=2", "T=B"], hidden_draws=5,
    raised=SPEC_RAISED, solution=SOLUTION, on_demand=True)


# --- Before training: which fix-me is still open? -----------------------------------------------

_PIECES = (("Fix me 1", encode_batch), ("Fix me 2", tagger), ("Fix me 3", tag_loss), ("Fix me 4", token_accuracy))


def ready_to_train(encode_batch, Tagger, tag_loss, token_accuracy):
    """Training uses the pieces of Fix me 1 to 4. Each is tried on one example of its check, seeded,
    without counting as a try; if any fails, say which, and nothing about why (its check says that)."""
    device = pick_device()
    still_open = []
    for (title, exercise), answer in zip(_PIECES, (encode_batch, Tagger, tag_loss, token_accuracy)):
        case = next(iter(exercise.sizes.cases(example=exercise.example, seed=0, name=exercise.call)))
        case.device = device
        try:
            with case:
                exercise.check(case, answer)
        except ShapeSchoolError:
            still_open.append(f"{title}, {exercise.call.split('(')[0]}")
    if still_open:
        raise ShapeSchoolError(
            "training needs the pieces of sections 1 to 4, and these do not pass their checks yet: "
            + "; ".join(still_open) + ". Fix each one until the check under it passes, then run this cell again.")
    print("encode_batch, Tagger, tag_loss and token_accuracy pass their checks: training can start")


# --- Predictions: asked before the cell that reveals them ---------------------------------------

SHAPE = "a shape, as a tuple such as (5, 7)"
OUTCOME = '"raises" or "runs"'
VERDICT = '"myth" or "fact"'

padded_layout = Prediction(
    "padded_layout", example=SHAPE, answer=(3, 2),
    why="told nothing else, pad_sequence puts the sequences side by side as columns: (longest, number "
        "of sequences), time first, the layout a time-first LSTM reads. Each column is one sequence, "
        "padded with 0 at its end.")

bidirectional_steps = Prediction(
    "bidirectional_steps", example=SHAPE, answer=(2, 5, 12),
    why="a bidirectional LSTM runs one LSTM forward and one backward over the sentence, and at each "
        "step puts their hidden states side by side: hidden_size numbers of each, twice hidden_size in all.")

myth_loss_layout = Prediction(
    "myth_loss_layout", example=VERDICT, verdict="myth", raises=(RuntimeError, "Expected target size"),
    why="cross_entropy reads axis 1 as the classes. Given (B, T, C) scores it takes T for the number "
        "of classes and expects targets (B, C); the targets are (B, T), and it says so.")

square_scores = Prediction(
    "square_scores", example=OUTCOME, runs=True,
    why="when T == C, (B, T, C) scores look exactly like (B, C, T) ones, and targets (B, T) fit either "
        "reading. cross_entropy cannot know which axis you meant: it reads axis 1 as the classes and runs.")

soft_targets = Prediction(
    "soft_targets", example=OUTCOME, runs=True,
    why="cross_entropy takes two kinds of targets: class indices, integers shaped like the scores "
        "without the class axis; or class probabilities, floats shaped exactly like the scores. A one-hot "
        "row is a probability distribution that puts everything on one class.")

argmax_over_time = Prediction(
    "argmax_over_time", example=SHAPE, answer=(2, 14),
    why="argmax(dim) removes the axis it searches. Axis 1 of (B, T, C) is time, so argmax(1) leaves "
        "(B, C): for each sentence and each tag, the position that gave that tag its highest score.")

myth_eval_no_grad = Prediction(
    "myth_eval_no_grad", example=VERDICT, verdict="myth", runs=True,
    why="eval() changes how some layers compute (dropout stops dropping, batch norm uses its running "
        "statistics); it records gradients exactly as before. torch.no_grad() is what stops the recording, "
        "so the loop below uses both.")

batch_of_one = Prediction(
    "batch_of_one", example=SHAPE, answer=(1, 4),
    why="each pair of brackets is an axis: the outer list holds one sentence, the inner one its four "
        "ids. One sentence as a batch: (1, T).")

explorer_given = Prediction(
    "explorer_given", example=SHAPE, answer=(3, 4, 6),
    why="permuted (0, 2, 1), the scores (batch, time, classes) become (batch, classes, time): the "
        "classes move to axis 1, where cross_entropy reads them.")

myth_padding_harmless = Prediction(
    "myth_padding_harmless", example=VERDICT, verdict="myth", runs=True,
    why="an LSTM reads every step it is given. The backward direction of a short sentence starts at the "
        "end of its row, in the padding, and carries what it read there into every real word's state. "
        "Only a packed batch stops each direction at the sentence's real length.")


def eval_experiment(layer, x):
    """The experiment of myth_eval_no_grad: ``layer`` in eval mode on ``x``. Its output is recorded
    for gradients (requires_grad) unless the claim is true, and then the course says so."""
    out = layer.eval()(x)
    if not out.requires_grad:
        raise ShapeSchoolError("the course claims eval() still records gradients, but here the output does "
                               "not require them. Please report this with your torch version.")
    return out


def padding_experiment(model, padded):
    """The experiment of myth_padding_harmless: the shortest sentence of ``padded`` (B, T), its real
    words scored in the padded batch and on their own. The claim is a myth if they differ."""
    row = min(range(padded.shape[0]), key=lambda b: int((padded[b] != PAD).sum()))
    length = int((padded[row] != PAD).sum())
    with torch.no_grad():
        in_batch = model(padded)[row, :length]
        alone = model(padded[row:row + 1, :length])[0]
    if torch.allclose(in_batch, alone, atol=1e-6):
        raise ShapeSchoolError("the course claims padding changes a short sentence's scores in an unpacked "
                               "model, but here they are the same. Please report this with your torch version.")
    return in_batch
