"""Chapter 2's checks (course/ch02_batch_first_and_transposes.ipynb), out of the learner's sight.

Each exercise is called from its check cell as ``checks.NAME(answer)``; the hidden tests add a
seed. Every case builds its own inputs and a reference from plain PyTorch (indexing and slicing,
one sentence or one head at a time) and compares values, so any code that puts every element in
its place passes, and a right shape holding scrambled numbers does not.
"""
import torch
from torch import nn

from ..cases import Sizes
from ..checks import expect_close, expect_shape
from ..exercise import Exercise
from ..hints import Hint
from ..predictions import Prediction

SOLUTION = "solutions/ch02_batch_first_and_transposes.ipynb"
OTHER_VALUES = "the example's sizes, other values"


def sentence_rows(out):
    """Seq-first outputs (T, B, H) -> (B, T * H), one sentence at a time: row b is sentence b's
    step 0, then its step 1, and so on."""
    return torch.stack([out[:, b].reshape(-1) for b in range(out.shape[1])])          # (B, T * H)


def heads_by_slicing(x, heads):
    """(B, T, D) -> (B, heads, T, d) by cutting the feature axis: head h is features h*d to (h+1)*d - 1."""
    d = x.shape[-1] // heads
    return torch.stack([x[..., h * d:(h + 1) * d] for h in range(heads)], dim=1)      # (B, heads, T, d)


# --- Fix me 1: to_seq_first ---------------------------------------------------------------------

TO_SEQ_FIRST_RAISED = Hint(
    what="to_seq_first raised an error instead of returning the batch in (time, batch, features) layout.",
    where="read the error's last line: which call refused, and which sizes does it name? Changing the "
          "layout never changes how many numbers there are, and x arrives as (B, T, E).",
    fix="return x.transpose(0, 1): it swaps the batch and time axes and leaves the features alone.")
TO_SEQ_FIRST_SHAPE = Hint(
    what="the result is not (time, batch, features): some of x's sizes ended up on the wrong axes.",
    where="x arrives as (B, T, E). Which two of its axes trade places, and which one stays where it "
          "is? Say what your line does to each of the three axes.",
    fix="return x.transpose(0, 1), which is (T, B, E).")
TO_SEQ_FIRST_VALUES = Hint(
    what="the shape is right, but the numbers are not where they belong: element [t, b] of the result "
         "is not x[b, t], so a sentence's time steps are spread over other sentences.",
    where="section 2: a new shape can come from cutting the same memory in its old order, or from "
          "finding each element at its new position. Which of the two does your line do? Try it on "
          "torch.arange(6).view(2, 3) and compare the result's column 0 with row 0 of the input.",
    fix="return x.transpose(0, 1) (or x.permute(1, 0, 2)): it moves each element to its new place; a "
        "view or reshape to the swapped shape only cuts the memory differently.")


def check_to_seq_first(case, to_seq_first):
    """x (B, T, E) of random numbers, against x.permute(1, 0, 2)."""
    x_c = torch.randn(case.B, case.T, case.E, device=case.device)                    # (B, T, E)
    got = to_seq_first(x_c)
    expect_shape(got, (case.T, case.B, case.E), name="to_seq_first(x).shape", hint=TO_SEQ_FIRST_SHAPE)
    expect_close(got, x_c.permute(1, 0, 2), name="to_seq_first(x)", hint=TO_SEQ_FIRST_VALUES)


to_seq_first = Exercise(
    "to_seq_first", "to_seq_first(x)", check_to_seq_first, Sizes(B=(1, 7), T=(1, 7), E=(1, 6)),
    example=dict(B=3, T=5, E=8), example_label=OTHER_VALUES, edges=["T=B", "T=B=E", "B=1", "E=1"],
    hidden_edges=["T=B", "T=B=E", "E=1"], raised=TO_SEQ_FIRST_RAISED, solution=SOLUTION)


# --- Fix me 2: flatten_steps --------------------------------------------------------------------

FLATTEN_RAISED = Hint(
    what="flatten_steps stopped with an error: one of its operations refused the tensor it was handed.",
    where="read the message: which operation refused, and what does it say about the tensor's sizes "
          "and strides? Section 2 showed a tensor that operation refuses, why, and what else there is.",
    fix="return out.transpose(0, 1).reshape(B, T * H): keep the transpose, which puts each sentence's "
        "steps together, and flatten with reshape, which copies when the memory is not in order "
        "(or .contiguous().view(B, T * H)).")
FLATTEN_SHAPE = Hint(
    what="the result is not one row per sentence, (B, T * H).",
    where="the sizes of the last step: the rows are the sentences, and each row holds T steps of H "
          "numbers. Which axis of out is the batch?",
    fix="out.transpose(0, 1) gives (B, T, H); .reshape(B, T * H) then flattens each sentence.")
FLATTEN_VALUES = Hint(
    what="the shape is right, but a row is not one sentence's outputs (its step 0's H numbers, then "
         "step 1's, and so on): a row holds numbers from other sentences, or in another order.",
    where="flattening reads the elements in the order of the axes, the last axis fastest. Just before "
          "you flatten, is sentence b's every step in row b, step after step? out arrives as "
          "(T, B, H): which axis holds the sentences there?",
    fix="out.transpose(0, 1) first, giving (B, T, H), then .reshape(B, T * H) (or "
        ".contiguous().view(B, T * H)).")


def check_flatten_steps(case, flatten_steps):
    """Seq-first outputs (T, B, H), against each sentence's steps flattened on their own."""
    o = torch.randn(case.T, case.B, case.H, device=case.device)                      # (T, B, H)
    got = flatten_steps(o)
    expect_shape(got, (case.B, case.T * case.H), name="flatten_steps(out).shape", hint=FLATTEN_SHAPE)
    expect_close(got, sentence_rows(o), name="flatten_steps(out)", hint=FLATTEN_VALUES)


flatten_steps = Exercise(
    "flatten_steps", "flatten_steps(out)", check_flatten_steps, Sizes(T=(1, 7), B=(1, 7), H=(1, 9)),
    example=dict(T=5, B=3, H=16), example_label=OTHER_VALUES, edges=["T=B", "B=1", "T=1", "H=1"],
    hidden_edges=["T=B", "H=1"], raised=FLATTEN_RAISED, solution=SOLUTION)


# --- Fix me 3: top_layer_state ------------------------------------------------------------------

TOP_RAISED = Hint(
    what="top_layer_state raised an error on this h_n.",
    where="read the error: which index was out of range, and on which axis? For these sizes, write down "
          "h_n's shape and name each of its axes before you index it.",
    fix="return h_n[-1]: the last entry of the layer axis, for every sentence.")
TOP_SHAPE = Hint(
    what="the result is not one state per sentence, (batch, hidden).",
    where="h_n has three axes. Name them in order (section 1's myth says whether batch_first changes "
          "them): you pick one entry of one axis and keep the other two whole, even when one of them "
          "has size 1.",
    fix="return h_n[-1], which is (B, H).")
TOP_VALUES = Hint(
    what="the shape is right, but the numbers are not the top layer's final states: sentence b's row "
         "should be the same vector as the output at its last time step.",
    where="which axis of h_n counts the layers, and which entry of it is the top layer, the one whose "
          "states make the output? batch_first=True changed the layout of the input and the output; "
          "did it change h_n's?",
    fix="return h_n[-1]: h_n is (layers, batch, hidden) whatever batch_first says, and the top layer "
        "is the last row; h_n[:, -1] is the last sentence, in every layer.")


def check_top_layer_state(case, top_layer_state):
    """A batch-first LSTM of case.L layers: its top layer's final state is the last step's output."""
    lstm_c = nn.LSTM(case.E, case.H, num_layers=case.L, batch_first=True).to(case.device)
    with torch.no_grad():
        o, (h, _) = lstm_c(torch.randn(case.B, case.T, case.E, device=case.device))  # o: (B, T, H); h: (L, B, H)
    got = top_layer_state(h)
    expect_shape(got, (case.B, case.H), name="top_layer_state(h_n).shape", hint=TOP_SHAPE)
    expect_close(got, o[:, -1], name="top_layer_state(h_n)", hint=TOP_VALUES)


top_layer_state = Exercise(
    "top_layer_state", "top_layer_state(h_n)", check_top_layer_state,
    Sizes(L=(1, 4), B=(1, 6), T=(1, 6), E=(1, 8), H=(1, 8)),
    example=dict(L=2, B=4, T=5, E=8, H=16), example_label="the example's sizes, other weights and inputs",
    edges=["L=B", "B=1", "H=1", "L=3"], hidden_edges=["L=B", "B=1", "L=4"], raised=TOP_RAISED,
    solution=SOLUTION)


# --- Fix me 4: split_heads ----------------------------------------------------------------------

HEADS_RAISED = Hint(
    what="split_heads raised an error instead of returning (batch, heads, time, d).",
    where="read which call refused and the sizes it names. If view says the sizes and strides are "
          "not compatible, ask whether the tensor you call it on is still in memory order.",
    fix="x.view(B, T, heads, D // heads).transpose(1, 2): cut the feature axis while x is in memory "
        "order, then move heads before time.")
HEADS_SHAPE = Hint(
    what="the result is not (batch, heads, time, d), with d = D // heads.",
    where="count the result's axes and read each one's size in order: heads comes before time, and "
          "the last axis is one head's d features.",
    fix="x.view(B, T, heads, D // heads) is (B, T, heads, d); .transpose(1, 2) makes it (B, heads, T, d).")
HEADS_VALUES = Hint(
    what="the shape is right, but result[b, h, t] is not head h's piece of x[b, t] (features h*d to "
         "(h+1)*d - 1): time steps and heads are mixed up.",
    where="in memory, x holds one time step's D features, then the next step's. Which new shape only "
          "cuts that run into consecutive pieces, and which needs elements found at new places? "
          "Compare your result[0, 1, 0] with x[0, 0, d:2 * d].",
    fix="x.view(B, T, heads, D // heads) cuts each feature vector into heads pieces, then "
        ".transpose(1, 2) moves heads before time.")


def check_split_heads(case, split_heads):
    """x (B, T, heads * d), against its feature axis cut into heads slices by hand."""
    x_c = torch.randn(case.B, case.T, case.heads * case.d, device=case.device)     # (B, T, D)
    got = split_heads(x_c, case.heads)
    expect_shape(got, (case.B, case.heads, case.T, case.d), name="split_heads(x, heads).shape", hint=HEADS_SHAPE)
    expect_close(got, heads_by_slicing(x_c, case.heads), name="split_heads(x, heads)", hint=HEADS_VALUES)


split_heads = Exercise(
    "split_heads", "split_heads(x, heads)", check_split_heads, Sizes(B=(1, 4), T=(1, 6), heads=(2, 4), d=(1, 5)),
    example=dict(B=2, T=5, heads=3, d=4), example_label=OTHER_VALUES,
    edges=["T=heads", "d=heads", "B=1", "d=1"], hidden_edges=["T=heads", "d=heads", "T=1"],
    raised=HEADS_RAISED, solution=SOLUTION)


# --- Fix me 5: steps_to_features ----------------------------------------------------------------

FEATURES_RAISED = Hint(
    what="steps_to_features stopped with an error: what the code says about out's axes does not fit out's shape.",
    where="read the einops message: it names the pattern, the input's shape and the size it could not "
          "match. Put the pattern's left side beside out's shape, name by name: which axis of out is "
          "time, and which is the batch?",
    fix='rearrange(out, "t b h -> b (t h)", b=batch): the left side names out\'s axes in out\'s own order.')
FEATURES_SHAPE = Hint(
    what="the result is not one row per sentence, (B, T * H).",
    where="the pattern's right side: what comes first, and what is grouped in the parentheses? And "
          "does the left side name out's axes in out's order?",
    fix='rearrange(out, "t b h -> b (t h)", b=batch).')
FEATURES_VALUES = Hint(
    what="the shape is right, but a row is not one sentence's outputs, step after step: it holds "
         "numbers from other sentences, or in another order.",
    where="einops believes the left side: it is a name for each axis of the tensor you have, in order, "
          "and b=batch cannot tell a wrong name when time and batch are the same size. Which axis of "
          "out is time? And in a group, the first name changes slowest: should a row go step by step "
          "or hidden unit by hidden unit?",
    fix='rearrange(out, "t b h -> b (t h)", b=batch): the input is (time, batch, hidden), and each row '
        "is a sentence's steps in order.")


def check_steps_to_features(case, steps_to_features):
    """Seq-first outputs (T, B, H) and the batch size, against each sentence's steps flattened."""
    o = torch.randn(case.T, case.B, case.H, device=case.device)                      # (T, B, H)
    got = steps_to_features(o, batch=case.B)
    expect_shape(got, (case.B, case.T * case.H), name="steps_to_features(out, batch).shape", hint=FEATURES_SHAPE)
    expect_close(got, sentence_rows(o), name="steps_to_features(out, batch)", hint=FEATURES_VALUES)


steps_to_features = Exercise(
    "steps_to_features", "steps_to_features(out, batch)", check_steps_to_features,
    Sizes(T=(1, 7), B=(1, 7), H=(1, 9)), example=dict(T=5, B=3, H=16), example_label=OTHER_VALUES,
    edges=["T=B", "B=1", "H=1"], hidden_edges=["T=B", "T=1"], raised=FEATURES_RAISED, solution=SOLUTION)


# --- Challenge: SentenceScorer, three bugs and no hint until asked ------------------------------

SCORER_RAISED = Hint(
    what="the scorer raised an error on a batch of sentences.",
    where="read which line of forward raised and what the message says about the tensor it was handed. "
          "Section 2 showed a tensor that operation refuses, why, and what else there is.",
    fix="three lines must agree on the layout. A seq-first LSTM reads x.transpose(0, 1), (T, B, E); its "
        "output (T, B, H) goes back to (B, T, H) with .transpose(0, 1) and is flattened with "
        ".reshape(B, -1); and last is out[-1] (or h_n[-1]): the last step of every sentence.")
SCORER_SCORES = Hint(
    what="the scores are not the model's linear layer applied to each sentence's own LSTM outputs, step "
         "after step.",
    where="follow one sentence through forward. Is it still one sentence when the LSTM reads it (which "
          "axis does this LSTM read as time, and how did that axis get there)? Is its row of flat its own "
          "steps, in order?",
    fix="self.lstm(x.transpose(0, 1)), then flat = out.transpose(0, 1).reshape(B, -1); or build the LSTM "
        "with batch_first=True, give it x as it is, and flatten with out.reshape(B, -1).")
SCORER_LAST = Hint(
    what="last is not each sentence's final hidden state in the top layer, one row per sentence.",
    where="in the layout this LSTM returns, which axis of out is the batch and which is time? And if you "
          "read h_n: which of its axes counts the layers?",
    fix="out[-1] from a seq-first LSTM (out[:, -1] only from a batch-first one); h_n[-1] in either layout.")


def check_sentence_scorer(case, SentenceScorer):
    """SentenceScorer(E, H, T, C, L) on batch-first x (B, T, E), against its own weights: a seq-first
    nn.LSTM reading each sentence on its own, and its linear layer applied by hand."""
    model = SentenceScorer(case.E, case.H, case.T, case.C, case.L).to(case.device)
    x_c = torch.randn(case.B, case.T, case.E, device=case.device)                      # (B, T, E)
    with torch.no_grad():
        scores, last = model(x_c)
        expect_shape(scores, (case.B, case.C), name="scores (the first result), .shape", hint=SCORER_SCORES)
        expect_shape(last, (case.B, case.H), name="last (the second result), .shape", hint=SCORER_LAST)
        ref_lstm = nn.LSTM(case.E, case.H, num_layers=case.L).to(case.device)
        ref_lstm.load_state_dict(model.lstm.state_dict())
        # A 2-D (T, E) input is one unbatched sequence, so each sentence runs on its own here.
        alone = [ref_lstm(x_c[b])[0] for b in range(case.B)]                          # B of (T, H)
        flat = torch.stack([steps.reshape(-1) for steps in alone])                     # (B, T * H)
        expected = nn.functional.linear(flat, model.score.weight, model.score.bias)    # (B, C)
        expect_close(scores, expected, name="scores (the first result)", hint=SCORER_SCORES)
        expect_close(last, torch.stack([steps[-1] for steps in alone]), name="last (the second result)",
                     hint=SCORER_LAST)


sentence_scorer = Exercise(
    "sentence_scorer", "SentenceScorer(emb_dim, hidden, steps, classes, num_layers)(x)", check_sentence_scorer,
    Sizes(B=(1, 5), T=(1, 5), E=(1, 8), H=(1, 8), C=(1, 4), L=(1, 3)),
    example=dict(B=4, T=4, E=8, H=16, C=3, L=2), example_label=OTHER_VALUES,
    edges=["B=1", "T=1", "B=L", "T=B,H=1"], hidden_edges=["T=B", "B=1", "B=L", "T=1"], raised=SCORER_RAISED,
    solution=SOLUTION, on_demand=True)


# --- Predictions: asked before the cell that reveals them ---------------------------------------

SHAPE = "a shape, as a tuple such as (5, 7)"
NUMBERS = "the numbers, as a tuple such as (5, 7, 9)"
OUTCOME = '"raises" or "runs"'
VERDICT = '"myth" or "fact"'

myth_hn_batch_first = Prediction(
    "myth_hn_batch_first", example=VERDICT, verdict="myth", runs=True,
    why="batch_first changes the layout of the input and the output, nothing else. The states, going in "
        "and coming out, are (layers * directions, batch, hidden) in both layouts, so this batch-first LSTM "
        "takes a (3, 2, 16) starting state for 3 layers and 2 sentences, and returns h_n and c_n that way.")

view_row = Prediction(
    "view_row", example=NUMBERS, answer=(3, 100, 101),
    why="view keeps the memory's order, 0 1 2 3 100 101 102 103 200 ..., and only cuts it into rows of 3: "
        "row 1 is the 4th to 6th numbers, the end of sentence 0 and the start of sentence 1. transpose "
        "finds each element at its new place instead, so its row 1 is step 1 of every sentence.")

view_after_transpose = Prediction(
    "view_after_transpose", example=OUTCOME,
    raises=(RuntimeError, "view size is not compatible with input tensor's size and stride"),
    why="view only cuts memory that is already in the order you ask for. swapped's rows are the columns of "
        "codes' memory: reading them one after another jumps back and forth in memory, which no single "
        "stride can say. view refuses rather than copy.")

h_n_of_stacked = Prediction(
    "h_n_of_stacked", example=SHAPE, answer=(2, 4, 16),
    why="h_n is (layers * directions, batch, hidden) whatever batch_first says: 2 layers, 4 sentences, 16 "
        "hidden units. batch_first=True made the input and the output batch-first, not the states.")

one_view_heads = Prediction(
    "one_view_heads", example=NUMBERS, answer=(6, 7, 8),
    why="view cuts the 12 numbers in memory order: (1, 2, 2, 3) reads them as 2 'heads' of 2 'steps' of 3, "
        "so [0, 1, 0] is the 7th to 9th numbers, the first half of step 1. The numbers head 1 needs at "
        "step 0, 3 4 5, lie before step 1 in memory: putting heads before time needs elements found at new "
        "places, which cutting alone cannot do.")

equal_sizes_pattern = Prediction(
    "equal_sizes_pattern", example=OUTCOME, runs=True,
    why="b=4 checks a size, not a meaning. With T == B == 4, the axis the pattern calls b has size 4 "
        "whichever axis it is, so nothing disagrees and rearrange does what the pattern says: it takes "
        "axis 0, time, as the batch.")
