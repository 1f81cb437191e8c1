"""Chapter 1's checks (course/ch01_embeddings_to_lstm.ipynb), out of the learner's sight.

Each exercise is called from its check cell as ``checks.NAME(answer)``; the hidden tests add a
seed. Every case builds its own inputs and a reference from plain PyTorch and compares values.
"""
import torch
from torch import nn

from ..checks import expect_close, expect_dtype, expect_equal, expect_shape, reads_the_layers
from ..cases import Sizes
from ..exercise import Exercise
from ..hints import Hint
from ..predictions import Prediction

SOLUTION = "solutions/ch01_embeddings_to_lstm.ipynb"


# --- Fix me 1: encode ---------------------------------------------------------------------------

ENCODE_RAISED = Hint(
    what="encode raised an error on these sentences instead of returning their ids.",
    where="read the error's last line: which operation failed, and on which word? A sentence can hold "
          "a word the vocabulary has never seen.",
    fix="look words up with vocab.get(word, vocab['<unk>']), and make the tensor with "
        "torch.full((len(sentences), longest), vocab['<pad>'], dtype=torch.long).")
ENCODE_DTYPE = Hint(
    what="the ids are floating-point numbers. nn.Embedding uses each id as a row number, and a row "
         "number must be an integer.",
    where="a tensor's dtype is fixed on the line that creates it: storing whole numbers in a float "
          "tensor later does not change it.",
    fix="create the tensor with dtype=torch.long: torch.full((len(sentences), longest), "
        "vocab['<pad>'], dtype=torch.long).")
ENCODE_SHAPE = Hint(
    what="the tensor is not one row per sentence by one column per position of the longest sentence.",
    where="the sizes given where the tensor is created: which comes first, and how many columns does "
          "the longest sentence need?",
    fix="(len(sentences), longest): batch first, then time.")
ENCODE_IDS = Hint(
    what="some ids are wrong: compare each row of 'got' with 'expected', the padding and the "
         "unknown words especially.",
    where="the value every position holds before the loop fills it is the padding; and the id a word "
          "gets when it is not in the vocabulary.",
    fix="start every position at vocab['<pad>'] and look words up with vocab.get(word, vocab['<unk>']).")


def check_encode(case, encode):
    """case.B sentences, the longest case.T words, from a case.V-word vocabulary, one unknown word."""
    vocab_c = {"<pad>": 0, "<unk>": 1, **{f"w{k}": k + 2 for k in range(case.V)}}
    lengths = [case.rng.randint(1, case.T) for _ in range(case.B)]
    lengths[case.rng.randrange(case.B)] = case.T
    words = [[case.rng.choice(list(vocab_c)[2:]) for _ in range(n)] for n in lengths]
    words[case.rng.randrange(case.B)][0] = "never-seen"
    expected = [[vocab_c.get(w, 1) for w in s] + [0] * (case.T - len(s)) for s in words]   # (B, T)
    got = encode([" ".join(s) for s in words], vocab_c)
    expect_dtype(got, (torch.long, torch.int), name="encode(sentences, vocab).dtype", hint=ENCODE_DTYPE)
    expect_shape(got, (case.B, case.T), name="encode(sentences, vocab).shape", hint=ENCODE_SHAPE)
    expect_equal(got.tolist(), expected, name="encode(sentences, vocab) ids", hint=ENCODE_IDS)


encode = Exercise(
    "encode", "encode(sentences, vocab)", check_encode, Sizes(B=(1, 5), T=(1, 8), V=(1, 30)),
    example=dict(B=3, T=6, V=10), example_label="the example's sizes, other words",
    edges=["B=1", "T=1", "T=B"], hidden_edges=["B=1", "T=B", "V=1"], hidden_draws=6,
    raised=ENCODE_RAISED, solution=SOLUTION)


# --- Fix me 2: make_embedding -------------------------------------------------------------------

EMBEDDING_RAISED = Hint(
    what="looking up every id of the vocabulary raised an error.",
    where="an embedding's rows are numbered from 0 to num_embeddings - 1. What is the largest id in "
          "the vocabulary, and is there a row with that number?",
    fix="nn.Embedding(len(vocab), emb_dim): a vocabulary with ids 0 to len(vocab) - 1 needs len(vocab) rows.")
EMBEDDING_SHAPE = Hint(
    what="the table's weight does not have one row for every id and emb_dim numbers in each row.",
    where="ids start at 0. Count the rows a table needs when its largest id is max(vocab.values()); "
          "and check which argument of nn.Embedding is the number of rows.",
    fix="nn.Embedding(num_embeddings=len(vocab), embedding_dim=emb_dim).")
EMBEDDING_LOOKUP = Hint(
    what="looking up id i does not return row i of the table's weight.",
    where="what make_embedding returns: it should be the embedding module itself.",
    fix="return nn.Embedding(len(vocab), emb_dim) and nothing wrapped around it.")


def check_make_embedding(case, make_embedding):
    """A case.V-entry vocabulary (ids 0 to V - 1) and case.D-wide vectors."""
    vocab_c = {"<pad>": 0, "<unk>": 1, **{f"w{k}": k + 2 for k in range(case.V - 2)}}
    table = make_embedding(vocab_c, case.D).to(case.device)
    expect_shape(table.weight, (case.V, case.D), name="make_embedding(vocab, emb_dim).weight.shape",
                    hint=EMBEDDING_SHAPE)
    every_id = torch.arange(case.V, device=case.device)              # (V,): each id once, the largest last
    expect_close(table(every_id), table.weight.detach(), name="the lookup of every id", hint=EMBEDDING_LOOKUP)


make_embedding = Exercise(
    "make_embedding", "make_embedding(vocab, emb_dim)", check_make_embedding, Sizes(V=(2, 300), D=(1, 33)),
    example=dict(V=12, D=8), edges=["V=2", "D=1", "D=V"], hidden_edges=["V=2", "D=1"], hidden_draws=6,
    raised=EMBEDDING_RAISED, solution=SOLUTION)


# --- Fix me 3: TokenEncoder ---------------------------------------------------------------------

ENCODER_RAISED = Hint(
    what="the LSTM refused the tensor that reached it.",
    where="read the two numbers in the LSTM's message: 'Expected' is the input_size the LSTM was built "
          "with, 'got' is the last axis of the tensor that reached it. Which tensor reaches the LSTM, "
          "and how long is its last axis?",
    fix="nn.LSTM(input_size=emb_dim, hidden_size=hidden, batch_first=True): the LSTM reads the "
        "embedding's vectors; hidden_size is yours to choose.")
ENCODER_SHAPE = Hint(
    what="the output is not (batch, time, hidden).",
    where="which of the LSTM's arguments sets the output's last axis, and which one decides whether "
          "the batch axis comes first?",
    fix="nn.LSTM(input_size=emb_dim, hidden_size=hidden, batch_first=True).")
ENCODER_VALUES = Hint(
    what="the shape is right but the numbers are not those of an embedding followed by one "
         "batch-first LSTM layer holding the model's weights.",
    where="the LSTM's settings besides its two sizes, and the order of the layers in forward.",
    fix="self.embed = nn.Embedding(vocab_size, emb_dim); self.lstm = nn.LSTM(emb_dim, hidden, "
        "batch_first=True); forward returns the LSTM's output, not its state.")


def check_token_encoder(case, TokenEncoder):
    """TokenEncoder(V, E, H) on a (B, T) batch of ids, against nn.Embedding and a batch-first
    nn.LSTM holding the model's own weights."""
    model = TokenEncoder(case.V, case.E, case.H).to(case.device)
    ids_c = torch.randint(0, case.V, (case.B, case.T), device=case.device)          # (B, T)
    with torch.no_grad():
        got = model(ids_c)
        expect_shape(got, (case.B, case.T, case.H), name="TokenEncoder(V, E, H)(ids).shape",
                        hint=ENCODER_SHAPE)
        ref_embed = nn.Embedding(case.V, case.E).to(case.device)
        ref_lstm = nn.LSTM(case.E, case.H, batch_first=True).to(case.device)
        with reads_the_layers("the model's embed and lstm, loaded into Embedding(V, E) and a batch-first "
                              "LSTM(E, H)", "the weights of those two layers", hint=ENCODER_VALUES):
            ref_embed.load_state_dict(model.embed.state_dict())
            ref_lstm.load_state_dict(model.lstm.state_dict())
        expected, _ = ref_lstm(ref_embed(ids_c))                                     # (B, T, H)
        expect_close(got, expected, name="TokenEncoder(V, E, H)(ids)", hint=ENCODER_VALUES)


token_encoder = Exercise(
    "token_encoder", "TokenEncoder(vocab_size, emb_dim, hidden)", check_token_encoder,
    Sizes(V=(2, 60), E=(1, 24), H=(1, 24), B=(1, 5), T=(1, 7)),
    example=dict(V=12, E=8, H=16, B=2, T=4), edges=["B=1", "T=1", "H=1", "T=B", "E=H+1"],
    hidden_edges=["B=1", "T=B", "E=1"], raised=ENCODER_RAISED, solution=SOLUTION)


# --- Fix me 4: run_seq_first --------------------------------------------------------------------

SEQ_FIRST_RAISED = Hint(
    what="run_seq_first raised an error.",
    where="the LSTM is seq-first: it reads (time, batch, features) and returns (time, batch, hidden). "
          "Follow each axis of x through the function.",
    fix="out, _ = lstm(x.transpose(0, 1)); return out.transpose(0, 1).")
SEQ_FIRST_VALUES = Hint(
    what="the shape is right but the numbers differ from each sentence run on its own: the LSTM "
         "mixed the sentences of the batch together.",
    where="a seq-first LSTM walks along axis 0 of its input, step by step. What is axis 0 of x, and "
          "what is axis 0 of what the LSTM returns?",
    fix="give the LSTM x.transpose(0, 1), which is (T, B, E), and transpose its output back to (B, T, H).")
SEQ_FIRST_LAYER = Hint(
    what="run_seq_first changed the LSTM it was given: lstm.batch_first is no longer False.",
    where="other code still feeds this LSTM (time, batch, features); the function may only change "
          "its own data.",
    fix="leave the LSTM alone and transpose the data: lstm(x.transpose(0, 1)), then the output back.")


def check_run_seq_first(case, run_seq_first):
    """A seq-first LSTM(E, H) on batch-first x (B, T, E), against each sentence run on its own."""
    lstm_c = nn.LSTM(case.E, case.H).to(case.device)
    x_c = torch.randn(case.B, case.T, case.E, device=case.device)                  # (B, T, E)
    with torch.no_grad():
        # A 2-D (T, E) input is one unbatched sequence, so each sentence runs on its own here.
        alone = torch.stack([lstm_c(x_c[b])[0] for b in range(case.B)])            # (B, T, H)
        expect_close(run_seq_first(lstm_c, x_c), alone, name="run_seq_first(lstm, x)", hint=SEQ_FIRST_VALUES)
    expect_equal(lstm_c.batch_first, False, name="lstm.batch_first after the call", hint=SEQ_FIRST_LAYER)


run_seq_first = Exercise(
    "run_seq_first", "run_seq_first(lstm, x)", check_run_seq_first,
    Sizes(B=(1, 6), T=(1, 6), E=(1, 12), H=(1, 12)),
    example=dict(B=3, T=5, E=8, H=16), edges=["T=B", "B=1", "T=1", "H=1"],
    hidden_edges=["T=B", "B=1", "E=1"], raised=SEQ_FIRST_RAISED, solution=SOLUTION)


# --- Fix me 5: run_one --------------------------------------------------------------------------

RUN_ONE_RAISED = Hint(
    what="run_one raised an error.",
    where="the LSTM is batch-first: it reads (batch, time, features). What shape does the sentence "
          "have when it reaches the LSTM?",
    fix="batch = sentence.unsqueeze(0), which is (1, T, E).")
RUN_ONE_OUTPUT = Hint(
    what="the output is not one sequence of T steps, (1, T, H), holding the LSTM's output for the "
         "whole sentence.",
    where="unsqueeze(k) puts the new size-1 axis at position k. A batch-first LSTM reads position 0 "
          "as the batch and position 1 as time: where does your new axis go, and what becomes time?",
    fix="batch = sentence.unsqueeze(0): one batch of one sentence of T steps.")


def check_run_one(case, run_one):
    """One (T, E) sentence through a batch-first LSTM(E, H), against the unbatched run of it."""
    lstm_c = nn.LSTM(case.E, case.H, batch_first=True).to(case.device)
    sentence_c = torch.randn(case.T, case.E, device=case.device)                   # (T, E)
    with torch.no_grad():
        expected = lstm_c(sentence_c)[0].unsqueeze(0)                              # (1, T, H)
        expect_close(run_one(lstm_c, sentence_c), expected, name="run_one(lstm, sentence)", hint=RUN_ONE_OUTPUT)


run_one = Exercise(
    "run_one", "run_one(lstm, sentence)", check_run_one, Sizes(T=(2, 9), E=(1, 12), H=(1, 12)),
    example=dict(T=5, E=8, H=16), edges=["T=E", "E=1", "H=1", "T=2"], hidden_edges=["T=E", "E=1"],
    raised=RUN_ONE_RAISED, solution=SOLUTION)



# --- Challenge: Reader, three bugs and no hint until asked ---------------------------------------

READER_RAISED = Hint(
    what="the reader raised an error on a batch of ids.",
    where="read which line of forward raised and what the message names: an id, or two sizes. Then "
          "ask what that layer was built with. The ids of this batch may include the vocabulary's "
          "largest id, which the example on screen does not.",
    fix="three settings must agree: nn.Embedding(len(vocab), emb_dim) (rows for ids 0 to "
        "len(vocab) - 1), nn.LSTM(emb_dim, hidden, batch_first=True) (it reads the embedding's "
        "vectors, batch first), and h_n[-1], the top layer's final state, for each sentence.")
READER_TABLE = Hint(
    what="the embedding table does not have one row for each id of the vocabulary.",
    where="the ids run from 0 to len(vocab) - 1: how many rows is that?",
    fix="nn.Embedding(len(vocab), emb_dim).")
READER_STEPS = Hint(
    what="the outputs at every step are not those of a batch-first LSTM reading each sentence.",
    where="which axis of the embedded batch is time, and which axis does the LSTM read as time?",
    fix="build the LSTM with batch_first=True (or transpose its input to (T, B, E) and its output "
        "back to (B, T, H)).")
READER_LAST = Hint(
    what="the final state is not one vector per sentence, (batch, hidden), holding the top layer's "
         "final state.",
    where="h_n is (layers, batch, hidden) whatever batch_first says; which sentences did the LSTM "
          "see as the batch?",
    fix="return h_n[-1] of an LSTM that reads the sentences as the batch.")


def check_reader(case, Reader):
    """Reader(vocab, E, H) on (B, T) ids, against nn.Embedding and a batch-first nn.LSTM holding
    its own weights. Every case but the on-screen example holds the vocabulary's largest id."""
    vocab_c = {"<pad>": 0, "<unk>": 1, **{f"w{k}": k + 2 for k in range(case.V - 2)}}
    top = case.V - 1 if case.has_largest_id else case.V - 2
    ids_c = torch.randint(0, top, (case.B, case.T), device=case.device)               # (B, T)
    if case.has_largest_id:
        ids_c[case.rng.randrange(case.B), case.rng.randrange(case.T)] = case.V - 1     # the largest id
    model = Reader(vocab_c, case.E, case.H).to(case.device)
    with torch.no_grad():
        out, last = model(ids_c)
        expect_shape(model.embed.weight, (case.V, case.E), name="Reader(...).embed.weight.shape", hint=READER_TABLE)
        expect_shape(out, (case.B, case.T, case.H), name="the outputs at every step, .shape", hint=READER_STEPS)
        expect_shape(last, (case.B, case.H), name="the final state, .shape", hint=READER_LAST)
        ref_lstm = nn.LSTM(case.E, case.H, batch_first=True).to(case.device)
        ref_lstm.load_state_dict(model.lstm.state_dict())
        steps, (h_n, _) = ref_lstm(nn.functional.embedding(ids_c, model.embed.weight))  # (B, T, H), (1, B, H)
        expect_close(out, steps, name="the outputs at every step", hint=READER_STEPS)
        expect_close(last, h_n[-1], name="the final state", hint=READER_LAST)


reader = Exercise(
    "reader", "Reader(vocab, emb_dim, hidden)(ids)", check_reader,
    Sizes(V=(4, 40), E=(1, 12), H=(1, 12), B=(1, 5), T=(1, 6), has_largest_id=[True]),
    example=dict(V=12, E=8, H=16, B=2, T=3, has_largest_id=False), example_label="the example's sizes, other ids",
    edges=["T=B", "B=1", "E=H+1"], hidden_edges=["T=B", "B=1", "T=1"], raised=READER_RAISED,
    solution=SOLUTION, on_demand=True)

# --- Predictions: asked before the cell that reveals them ---------------------------------------

SHAPE = "a shape, as a tuple such as (5, 7)"
OUTCOME = '"raises" or "runs"'
VERDICT = '"myth" or "fact"'

lookup_shape = Prediction(
    "lookup_shape", example=SHAPE, answer=(1, 2, 4),
    why="an embedding replaces each id with its row of embedding_dim numbers, so (batch, time) ids "
        "become (batch, time, embedding_dim): one new axis at the end.")

id_past_the_end = Prediction(
    "id_past_the_end", example=OUTCOME, raises=(IndexError, "index out of range"),
    why="rows are numbered from 0, so a table of 5 rows has rows 0 to 4; id 5 asks for a sixth row.")

myth_input_equals_hidden = Prediction(
    "myth_input_equals_hidden", example=VERDICT, verdict="myth", runs=True,
    why="an LSTM with input_size=8 and hidden_size=64 runs on 8-wide input and gives 64-wide output. "
        "hidden_size is yours to choose; only input_size is tied to the data. The rule that does hold: the "
        "input's last axis must equal input_size, and hidden_size sets the output's last axis.")

batch_first_into_seq_first = Prediction(
    "batch_first_into_seq_first", example=OUTCOME, runs=True,
    why="nothing in a 3-D tensor says which axis is which. The seq-first LSTM reads axis 0 as time, "
        "so it walks along your batch, mixing sentences, and its output still has a plausible shape. "
        "Only the values show the bug.")

unbatched_output = Prediction(
    "unbatched_output", example=SHAPE, answer=(5, 16),
    why="a 2-D input is not an error: it is one sequence without a batch axis, (time, features), "
        "whatever batch_first says; the output keeps that layout, (time, hidden), and h_n has no batch axis "
        "either.")
