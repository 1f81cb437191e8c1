"""Chapter 4's checks (course/ch04_unknown_words_and_padding.ipynb), out of the learner's sight.

Each exercise is called from its check cell as ``checks.NAME(answer)`` (with the lesson's corpus or
vocabulary where its example needs them); the hidden tests add a seed. Every case builds its own
inputs and a reference from plain PyTorch or plain Python.

Some wrong answers index past the end of an axis (a position ``lengths[b]``, a sentence packed
along the time axis). On a GPU that is a device-side assert that breaks CUDA for the rest of the
kernel, so the checks that hand tensors to such code run it first on the tensors as torch makes
them by default, on the CPU, where it is a plain ``IndexError``, and only then on ``case.device``.
"""
from collections import Counter

import torch
from torch import nn

from ..cases import Sizes, made_then_moved
from ..checks import expect_close, expect_dtype, expect_equal, expect_shape, fail
from ..exercise import Exercise
from ..hints import Hint
from ..predictions import Prediction

SOLUTION = "solutions/ch04_unknown_words_and_padding.ipynb"
OTHER_NUMBERS = "the example's sizes, other numbers and lengths"


# --- Fix me 1: build_vocab ----------------------------------------------------------------------

VOCAB_RAISED = Hint(
    what="build_vocab raised an error on these sentences instead of returning a vocabulary.",
    where="read the error's last line and the line of build_vocab that raised it. These sentences may "
          "be a single one, repeat one word, or keep no word at all at this min_count.",
    fix="start from {'<pad>': 0, '<unk>': 1} and give each word of kept, in kept's order, the next "
        "free id: for word in kept: vocab[word] = len(vocab).")
VOCAB_SPECIALS = Hint(
    what="<pad> and <unk> do not have the ids the course's convention gives them.",
    where="section 1 says which ids the two specials take, and pad_sequence pads with id 0: with your "
          "vocabulary, what does a padded position mean? Look at when and where the specials enter the dict.",
    fix="start the dict with {'<pad>': 0, '<unk>': 1}, before any word.")
VOCAB_WORDS = Hint(
    what="the specials are right, but the words do not have the ids the convention gives them (or "
         "words are missing or extra): compare 'got' with 'expected' word by word.",
    where="kept already holds the words in the convention's order, most frequent first, ties "
          "alphabetical. Which id does the first of them get, and does each next word get the next free id?",
    fix="after the two specials: for word in kept: vocab[word] = len(vocab).")


def random_corpus(case):
    """case.n sentences drawn from a pool of case.pool words."""
    pool = [f"w{k}" for k in range(case.pool)]
    return [" ".join(case.rng.choice(pool) for _ in range(case.rng.randint(1, 8))) for _ in range(case.n)]


def check_build_vocab(case, build_vocab, corpus):
    """The chapter's corpus for the example; otherwise case.n sentences over case.pool words.
    The reference is the convention, computed here from the counts."""
    sentences = random_corpus(case) if "pool" in case else corpus
    counts = Counter(w for s in sentences for w in s.split())
    expected = {"<pad>": 0, "<unk>": 1}
    for w in sorted((w for w in counts if counts[w] >= case.m), key=lambda w: (-counts[w], w)):
        expected[w] = len(expected)
    got = build_vocab(sentences, case.m)
    expect_equal((got.get("<pad>"), got.get("<unk>")), (0, 1), name="the ids of (<pad>, <unk>)",
                 hint=VOCAB_SPECIALS)
    expect_equal(got, expected, name=f"build_vocab(sentences, min_count={case.m})", hint=VOCAB_WORDS)


build_vocab = Exercise(
    "build_vocab", "build_vocab(sentences, min_count)", check_build_vocab,
    Sizes(pool=(1, 30), n=(1, 10), m=(1, 3)),
    example=dict(m=2), example_label="the chapter's corpus, the example above",
    edges=["m=1", "n=1", "pool=1", "m=3"], hidden_edges=["m=1", "m=2", "pool=2"],
    raised=VOCAB_RAISED, solution=SOLUTION)


# --- Fix me 2: encode_words ---------------------------------------------------------------------

WORDS_RAISED = Hint(
    what="encode_words raised an error on a sentence holding a word the vocabulary does not have.",
    where="read the error's last line: which word, and which line of encode_words looked it up? "
          "Section 2 showed what a dictionary does when asked for a key it does not hold.",
    fix="look each word up with vocab.get(word, vocab['<unk>']): a word the vocabulary lacks becomes "
        "the id of <unk>.")
WORDS_DTYPE = Hint(
    what="the ids are not a tensor of dtype torch.long, the integer ids nn.Embedding looks up.",
    where="the line that makes the tensor from the list of ids: what does it return, and with which dtype?",
    fix="return torch.tensor(ids, dtype=torch.long).")
WORDS_IDS = Hint(
    what="some ids are wrong (or some are missing or extra): compare 'got' with 'expected' position by "
         "position, at the words this vocabulary does not know especially.",
    where="which id does your code give a word that is not in vocab, and where does that id come from? "
          "Every word keeps its place, and the vocabulary itself says which id <unk> has: it need not be 1.",
    fix="ids = [vocab.get(word, vocab['<unk>']) for word in sentence.split()].")

EXAMPLE_SENTENCE = "the zebra sat on a mat"      # the fix-me cell's own example


def random_sentence(case):
    """case.n words over case.K known words, some unknown; <unk> moved to the last id if case.moved."""
    known = [f"k{k}" for k in range(case.K)]
    vocab_c = {"<pad>": 0, "<unk>": 1, **{w: i + 2 for i, w in enumerate(known)}}
    if case.moved:                                  # a vocabulary from elsewhere: <unk> is last
        vocab_c = {"<pad>": 0, **{w: i + 1 for i, w in enumerate(known)}, "<unk>": case.K + 1}
    words = [case.rng.choice(known + ["unseen", "new"]) for _ in range(case.n)]
    words[case.rng.randrange(case.n)] = "unseen"
    return words, vocab_c


def check_encode_words(case, encode_words, vocab):
    """The example's sentence with the chapter's vocabulary; otherwise random_sentence."""
    words, vocab_c = random_sentence(case) if "K" in case else (EXAMPLE_SENTENCE.split(), vocab)
    got = encode_words(" ".join(words), vocab_c)
    expect_dtype(got, torch.long, name="encode_words(sentence, vocab).dtype", hint=WORDS_DTYPE)
    expect_equal(got.tolist(), [vocab_c.get(w, vocab_c["<unk>"]) for w in words],
                 name=f"encode_words({' '.join(words)!r}, vocab)", hint=WORDS_IDS)


encode_words = Exercise(
    "encode_words", "encode_words(sentence, vocab)", check_encode_words,
    Sizes(K=(1, 20), n=(1, 12), moved=[False]),
    example=dict(n=len(EXAMPLE_SENTENCE.split())),
    example_label=f"the example above, {EXAMPLE_SENTENCE!r} with the chapter's vocab",
    edges=["moved=True", "n=1", "K=1"], hidden_edges=["moved=True", "n=1"],
    raised=WORDS_RAISED, solution=SOLUTION)


# --- Fix me 3: make_padded_embedding ------------------------------------------------------------

PADDED_RAISED = Hint(
    what="make_padded_embedding raised an error, or the table it made could not be used.",
    where="read the error's last line and the line that raised it. pad_id is one of the ids 0 to "
          "vocab_size - 1, and not always 0.",
    fix="return nn.Embedding(vocab_size, dim, padding_idx=pad_id).")
PADDED_SHAPE = Hint(
    what="the table's weight is not one row of dim numbers for each of the vocab_size ids.",
    where="the sizes the embedding is built with, and in which order nn.Embedding takes them.",
    fix="nn.Embedding(vocab_size, dim, padding_idx=pad_id).")
PADDED_ROW = Hint(
    what="in a new table, the pad row is not all zeros: padding would stand for a word's worth of numbers.",
    where="which row is the pad row in this case (pad_id is p here, not always 0), and what in your code "
          "makes that row zeros when the table is made?",
    fix="nn.Embedding(vocab_size, dim, padding_idx=pad_id): it starts row pad_id at zeros.")
PADDED_GRAD = Hint(
    what="after a backward pass through the table, the gradient is wrong: the pad row got one (so "
         "training would move it), or another row did not get its usual one.",
    where="zeros written into a row once are not a rule: the next step of training moves every row that "
          "has a gradient. Section 3 showed what gives one row a gradient of zeros while the others learn.",
    fix="nn.Embedding(vocab_size, dim, padding_idx=pad_id): its pad row gets a zero gradient; zeroing "
        "the row by hand does not, and freezing the whole table stops every row.")
PADDED_FROZEN = Hint(
    what="no row of the table got a gradient: the whole table is frozen, so no word would learn.",
    where="what stops the gradient reaching the weight: requires_grad_(False), freeze=True, or a "
          "table made under torch.no_grad()? Only one row is meant to stay put.",
    fix="nn.Embedding(vocab_size, dim, padding_idx=pad_id): only row pad_id gets a zero gradient.")


def check_make_padded_embedding(case, make_padded_embedding):
    """The pad row is zero and learns nothing; every other row learns as usual. The loss is linear
    in the looked-up rows, so every row that is looked up gets a nonzero gradient unless it is
    frozen, whatever its values are. The ids are checked against the table's size before any lookup."""
    table_c = make_padded_embedding(case.V, case.D, case.p).to(case.device)
    expect_shape(table_c.weight, (case.V, case.D), name="make_padded_embedding(V, D, pad_id).weight.shape",
                 hint=PADDED_SHAPE)
    expect_close(table_c.weight[case.p].detach(), torch.zeros(case.D, device=case.device),
                 name=f"the pad row, weight[{case.p}], of a new table", hint=PADDED_ROW)
    ids_c = torch.tensor([case.p, case.rng.randrange(case.V), case.p, case.rng.randrange(case.V)], device=case.device)
    weights = torch.randn(len(ids_c), case.D, device=case.device)                  # (4, D)
    if not table_c.weight.requires_grad:        # frozen: backward would have nothing to differentiate
        fail("the table's gradient", "a gradient for every row but the pad row", "none at all (the weight "
             "does not require grad)", hint=PADDED_FROZEN)
    (table_c(ids_c) * weights).sum().backward()                                    # linear in every row
    grad = table_c.weight.grad
    if grad is None:
        fail("the table's gradient", "a gradient for every row but the pad row", "none at all", hint=PADDED_FROZEN)
    expected = torch.zeros(case.V, case.D, device=case.device).index_add_(0, ids_c, weights)   # (V, D)
    expected[case.p] = 0                                                           # the pad row learns nothing
    expect_close(grad, expected, name=f"the table's gradient (ids {ids_c.tolist()})", hint=PADDED_GRAD)


make_padded_embedding = Exercise(
    "make_padded_embedding", "make_padded_embedding(vocab_size, dim, pad_id)", check_make_padded_embedding,
    Sizes(V=(2, 40), D=(1, 8), p=(0, 39), where=lambda p, V, **_: p < V),
    example=dict(V=8, D=4, p=0), edges=["p=V-1", "p=1", "D=1", "V=2"], hidden_edges=["p=V-1", "p=0", "V=2"],
    raised=PADDED_RAISED, solution=SOLUTION)


# --- Fix me 4: run_packed -----------------------------------------------------------------------

PACKED_RAISED = Hint(
    what="run_packed raised an error on a batch whose lengths are not longest first.",
    where="read the error's last line and the line of run_packed that raised it. If packing refused "
          "the lengths, its message says what it expects of them and what to do instead; if an index is "
          "out of range, ask which axis of x packing reads as the batch.",
    fix="packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False): packing "
        "sorts the batch itself and puts the outputs back in your order.")
PACKED_SHAPE = Hint(
    what="the output is not (batch, time, hidden) with as many steps as x has.",
    where="in this case no sentence may fill every position of x. How long does unpacking make the time "
          "axis, and what decides it?",
    fix="padded, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1]).")
PACKED_VALUES = Hint(
    what="the outputs are not each sentence's own: row b should hold what the LSTM gives sentence b "
         "run alone, then zeros after its last word.",
    where="which sentence sits in which row while packed, and after unpacking? Sorting the lengths "
          "without the sentences, or the sentences without putting them back, moves rows; and which "
          "axis of x does packing read as time?",
    fix="packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False): it sorts "
        "by length itself and puts the outputs back in your order.")


def each_alone(lstm, x, lengths):
    """The reference: each sentence run on its own over its real steps, zeros after."""
    rows = []
    for b, n in enumerate(lengths.tolist()):
        out_b, _ = lstm(x[b, :n])                             # (n, H): unbatched, real steps only
        rows.append(torch.cat([out_b, out_b.new_zeros(x.shape[1] - n, out_b.shape[1])]))
    return torch.stack(rows)                                  # (B, T, H)


def unsorted_lengths(case):
    """case.B lengths up to case.T (one equal to T if case.full), never longest-first."""
    top = case.T if case.full else case.T - 1
    lens = [case.rng.randint(1, top) for _ in range(case.B)]
    lens[case.rng.randrange(case.B)] = top
    if lens == sorted(lens, reverse=True):
        lens.reverse()
    return torch.tensor(lens)                                 # (B,): lengths stay on the CPU


def check_run_packed(case, run_packed):
    """A batch-first LSTM(E, H) on (B, T, E) with unsorted lengths, against each sentence alone."""
    lens = unsorted_lengths(case)
    made = (nn.LSTM(case.E, case.H, batch_first=True), torch.randn(case.B, case.T, case.E))
    with torch.no_grad():
        for where, (lstm_c, x_c) in made_then_moved(case, *made):
            got = run_packed(lstm_c, x_c, lens)
            name = f"run_packed(lstm, x, lengths={lens.tolist()}){where}"
            expect_shape(got, (case.B, case.T, case.H), name=f"{name}.shape", hint=PACKED_SHAPE)
            expect_close(got, each_alone(lstm_c, x_c, lens), name=name, hint=PACKED_VALUES)


run_packed = Exercise(
    "run_packed", "run_packed(lstm, x, lengths)", check_run_packed,
    Sizes(B=(1, 5), T=(2, 7), E=(1, 6), H=(1, 8), full=[True]),
    example=dict(B=3, T=6, E=8, H=16, full=True), example_label=OTHER_NUMBERS,
    edges=["full=False", "B=1", "H=1", "T=2"], hidden_edges=["full=False", "B=1"],
    raised=PACKED_RAISED, solution=SOLUTION)


# --- Fix me 5: last_real_step -------------------------------------------------------------------

LAST_RAISED = Hint(
    what="last_real_step raised an error.",
    where="read the error's last line. An index out of range names the axis and its size: a sentence "
          "of n words has its words at positions 0 to n - 1 of the time axis, so what is the largest "
          "position your code asks for?",
    fix="rows = torch.arange(out.shape[0], device=out.device); return out[rows, lengths.to(out.device) - 1].")
LAST_SHAPE = Hint(
    what="the result is not one vector per sentence, (batch, hidden).",
    where="an index tensor on the time axis alone picks those steps for every sentence; and squeeze() "
          "drops every axis of size 1, a batch of one too. Which (sentence, step) pairs does your "
          "indexing pick, and how many?",
    fix="out[torch.arange(out.shape[0]), lengths - 1]: one (sentence, step) pair per sentence, (B, H).")
LAST_VALUES = Hint(
    what="some rows are not their sentence's output at its own last word (every case holds a sentence "
         "of one word).",
    where="sentence b has words at the first lengths[b] positions of the time axis and padding after "
          "them. Which position does your code read for each sentence?",
    fix="rows = torch.arange(out.shape[0], device=out.device); return out[rows, lengths.to(out.device) - 1].")


def check_last_real_step(case, last_real_step):
    """Random outputs (B, T, H) and CPU lengths, one of them 1, against out[b, lengths[b] - 1]."""
    lens = torch.tensor([case.rng.randint(1, case.T) for _ in range(case.B)])        # (B,) on the CPU
    lens[case.rng.randrange(case.B)] = 1                                              # a sentence of one word
    for where, (o,) in made_then_moved(case, torch.randn(case.B, case.T, case.H)):
        expected = torch.stack([o[b, n - 1] for b, n in enumerate(lens.tolist())])  # (B, H)
        got = last_real_step(o, lens)
        name = f"last_real_step(out, lengths={lens.tolist()}){where}"
        expect_shape(got, (case.B, case.H), name=f"{name}.shape", hint=LAST_SHAPE)
        expect_close(got, expected, name=name, hint=LAST_VALUES)


last_real_step = Exercise(
    "last_real_step", "last_real_step(out, lengths)", check_last_real_step,
    Sizes(B=(1, 6), T=(2, 8), H=(1, 6)),
    example=dict(B=3, T=6, H=16), example_label=OTHER_NUMBERS,
    edges=["B=1", "H=1", "T=B"], hidden_edges=["B=1", "T=B"],
    raised=LAST_RAISED, solution=SOLUTION)


# --- Fix me 6: token_loss -----------------------------------------------------------------------

LOSS_RAISED = Hint(
    what="token_loss raised an error.",
    where="read the error's last line: cross_entropy takes scores (N, classes) with targets (N,) of "
          "class ids. What shapes reach it from your code?",
    fix="return nn.functional.cross_entropy(flat_logits, flat_tags, ignore_index=pad_tag).")
LOSS_SHAPE = Hint(
    what="the loss is not one number, a tensor of shape ().",
    where="how your loss is reduced: what does cross_entropy return when asked for no reduction, and "
          "what by default?",
    fix="return nn.functional.cross_entropy(flat_logits, flat_tags, ignore_index=pad_tag).")
LOSS_VALUE = Hint(
    what="the loss is not the mean cross-entropy over the real positions, those whose tag is not pad_tag.",
    where="which positions does your loss add up, and how many does it divide by? In this case the "
          "padding tag is p, which need not be 0, and it is a tag: it is compared with the targets.",
    fix="return nn.functional.cross_entropy(flat_logits, flat_tags, ignore_index=pad_tag): targets "
        "equal to pad_tag leave both the sum and the count.")


def masked_mean_loss(logits, tags, pad_tag=0):
    """The reference, by hand: the mean of -log p(tag) over the positions whose tag is not pad_tag."""
    logp = logits.log_softmax(-1).gather(-1, tags.unsqueeze(-1)).squeeze(-1)   # (B, T)
    real = tags != pad_tag
    return -(logp * real).sum() / real.sum()


def check_token_loss(case, token_loss):
    """Scores (B, T, C) and tags (B, T) whose last position is always padding, tag case.p."""
    tg = torch.randint(0, case.C, (case.B, case.T))                              # (B, T)
    tg[:, -1] = case.p                                                            # every sentence ends in padding
    tg[0, 0] = (case.p + 1) % case.C                                              # at least one real position
    for where, (lg, tags_c) in made_then_moved(case, torch.randn(case.B, case.T, case.C), tg):
        got = token_loss(lg, tags_c, pad_tag=case.p)
        name = f"token_loss(logits, tags, pad_tag={case.p}){where}"
        expect_shape(got, (), name=f"{name}.shape", hint=LOSS_SHAPE)
        expect_close(got, masked_mean_loss(lg, tags_c, case.p), name=name, hint=LOSS_VALUE)


token_loss = Exercise(
    "token_loss", "token_loss(logits, tags, pad_tag)", check_token_loss,
    Sizes(B=(1, 5), T=(2, 8), C=(2, 7), p=(0, 6), where=lambda p, C, **_: p < C),
    example=dict(B=3, T=6, C=5, p=0), example_label=OTHER_NUMBERS,
    edges=["p=C-1", "p=1", "B=1", "T=C"], hidden_edges=["p=C-1", "T=C", "C=2"],
    raised=LOSS_RAISED, solution=SOLUTION)


# --- Challenge: SentenceReader, three bugs and no hint until asked -------------------------------

READER_RAISED = Hint(
    what="the reader raised an error on a batch of sentences.",
    where="read which line of forward raised and what the message names: a word, an index, a size or "
          "the lengths. These sentences may hold words the vocabulary lacks, come in any order of "
          "length, and be more (or fewer) than the words of the longest.",
    fix="look words up with self.vocab.get(w, self.vocab['<unk>']); pad with pad_sequence(seqs, "
        "batch_first=True, padding_value=self.vocab['<pad>']); pack the embedded batch with "
        "pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False), lengths on the CPU, "
        "and return h_n[-1].")
READER_SHAPE = Hint(
    what="the result is not one vector per sentence, (batch, hidden).",
    where="follow the batch's axes from pad_sequence to the LSTM: which axis does pad_sequence make the "
          "sentences, and which axis does this LSTM read as the sentences?",
    fix="pad_sequence(seqs, batch_first=True, padding_value=self.vocab['<pad>']): the LSTM is batch-first.")
READER_VALUES = Hint(
    what="the shape is right, but some sentences' vectors are not what the LSTM gives that sentence "
         "read alone, up to its own last word.",
    where="for a sentence shorter than the longest, which steps does the LSTM read: its words only, or "
          "the padding after them too? Which sentence sits on which axis when it does? And which id does "
          "a word the vocabulary lacks get (this vocabulary says where <unk> is)?",
    fix="pack the embedded batch with its lengths, pack_padded_sequence(x, lengths, batch_first=True, "
        "enforce_sorted=False), so the LSTM stops at each sentence's last word, and return h_n[-1]; map "
        "unknown words to self.vocab['<unk>'].")


def reader_sentences(case):
    """case.B sentences over case.K known words, each of 1 to case.T words: one of exactly T words
    and, when B > 1, one shorter, never longest first; one word the vocabulary lacks, at least.
    <unk> is the last id if case.moved."""
    known = [f"k{k}" for k in range(case.K)]
    vocab_c = {"<pad>": 0, "<unk>": 1, **{w: i + 2 for i, w in enumerate(known)}}
    if case.moved:                                  # a vocabulary from elsewhere: <unk> is last
        vocab_c = {"<pad>": 0, **{w: i + 1 for i, w in enumerate(known)}, "<unk>": case.K + 1}
    lens = [case.rng.randint(1, case.T) for _ in range(case.B)]
    full, short = case.rng.sample(range(case.B), 2) if case.B > 1 else (0, None)
    lens[full] = case.T
    if short is not None:
        lens[short] = case.rng.randint(1, case.T - 1)
        if lens == sorted(lens, reverse=True):
            lens.reverse()
    words = [[case.rng.choice(known + ["unseen", "zebra"]) for _ in range(n)] for n in lens]
    b = case.rng.randrange(case.B)
    words[b][case.rng.randrange(lens[b])] = "unseen"
    return [" ".join(s) for s in words], vocab_c


def check_sentence_reader(case, SentenceReader):
    """SentenceReader(vocab, E, H) on case.B sentences, against its own embedding and LSTM weights
    run on each sentence alone. It runs first on the CPU, where torch makes it (an index out of
    range is a plain IndexError there), then, when the case runs elsewhere, on case.device."""
    sentences, vocab_c = reader_sentences(case)
    seqs = [torch.tensor([vocab_c.get(w, vocab_c["<unk>"]) for w in s.split()]) for s in sentences]
    for where, (model,) in made_then_moved(case, SentenceReader(vocab_c, case.E, case.H)):
        device = model.embed.weight.device
        with torch.no_grad():
            got = model(sentences)
            name = f"SentenceReader(vocab, {case.E}, {case.H})({sentences!r}){where}"
            expect_shape(got, (case.B, case.H), name=f"{name}.shape", hint=READER_SHAPE)
            ref_lstm = nn.LSTM(case.E, case.H, batch_first=True).to(device)
            ref_lstm.load_state_dict(model.lstm.state_dict())
            weight = model.embed.weight.detach()
            alone = torch.stack([ref_lstm(nn.functional.embedding(s.to(device), weight))[1][0][-1]
                                 for s in seqs])                                      # (B, H)
            expect_close(got, alone, name=name, hint=READER_VALUES)


sentence_reader = Exercise(
    "sentence_reader", "SentenceReader(vocab, emb_dim, hidden)(sentences)", check_sentence_reader,
    Sizes(B=(1, 5), T=(2, 7), K=(1, 12), E=(1, 8), H=(1, 8), moved=[False]),
    example=dict(B=3, T=6, K=6, E=8, H=16, moved=False), example_label="the example's sizes, other words",
    edges=["B=T", "B=1", "moved=True", "H=1"], hidden_edges=["B=T", "B=1", "moved=True", "B=T+1"],
    raised=READER_RAISED, solution=SOLUTION, on_demand=True)


# --- Predictions: asked before the cell that reveals them ---------------------------------------

SHAPE = "a shape, as a tuple such as (5, 7)"
OUTCOME = '"raises" or "runs"'
VERDICT = '"myth" or "fact"'

pad_fill = Prediction(
    "pad_fill", example="a row of ids, as a tuple such as (5, 6, 7)", answer=(4, 0, 0),
    why="pad_sequence fills every empty position with its padding_value, which is 0 unless you pass "
        "another. It knows nothing of your vocabulary, so in that one every padded position reads as "
        "\"the\". Whatever has id 0 is what padding means: that is why the course gives id 0 to <pad>.")

negative_id = Prediction(
    "negative_id", example=OUTCOME, raises=(IndexError, "index out of range"),
    why="an embedding's ids are row numbers, 0 to num_embeddings - 1, and nothing else. A negative id "
        "is not counted from the end as a Python list's index is: it is out of range, like an id "
        "past the end.")

myth_padding_invisible = Prediction(
    "myth_padding_invisible", example=VERDICT, verdict="myth", runs=True, answer=False,
    why="the experiment read the sentence alone, then with three pads after it, and compared the two "
        "final states: torch.allclose says they differ. padding_idx makes the pad vectors zeros, but "
        "the LSTM still takes a step for each of them, and its biases and recurrent weights move the "
        "state at every step, zeros in or not. Only packing (section 4) stops it at the last word.")

pack_unsorted = Prediction(
    "pack_unsorted", example=OUTCOME, raises=(RuntimeError, "must be sorted in decreasing order"),
    why="by default packing expects the sentences longest first, because at each step the packed "
        "LSTM reads the sentences that are still going, a shrinking block at the top of the batch. It "
        "checks that order rather than sorting for you; its message says how to hand it another order.")

unpacked_length = Prediction(
    "unpacked_length", example=SHAPE, answer=(3, 4, 16),
    why="pad_packed_sequence pads back only to the longest length in the packed batch, 4 here. A "
        "packed sequence does not remember that the batch once had 6 positions.")

index_one_axis = Prediction(
    "index_one_axis", example=SHAPE, answer=(3, 3),
    why="an index tensor on one axis alone picks those positions along that axis and keeps the other "
        "axes whole: columns 3, 0 and 1 of each of the 3 rows. One element per row takes an index "
        "tensor on both axes, read as (row, column) pairs.")

ignored_stay = Prediction(
    "ignored_stay", example=SHAPE, answer=(18,),
    why="with reduction='none', cross_entropy returns one loss per target, in its place, and an "
        "ignored target's loss is 0 rather than removed. A .mean() of that divides by all 18 "
        "positions, padding included; the default reduction divides by the targets it did not ignore.")
