"""Chapter 3's checks (course/ch03_states_of_stacked_lstms.ipynb), out of the learner's sight.

Each exercise is called from its check cell as ``checks.NAME(answer)``; the hidden tests add a
seed. Every case builds its own LSTM or GRU and inputs, and a reference from plain PyTorch.
"""
import torch
from torch import nn

from ..cases import Sizes
from ..checks import expect_close, expect_equal, expect_shape, reads_the_layers
from ..exercise import Exercise
from ..hints import Hint
from ..predictions import Prediction
from ..quiet import no_backend_notices

SOLUTION = "solutions/ch03_states_of_stacked_lstms.ipynb"
OTHER_NUMBERS = "the example's sizes, other weights and inputs"


# --- Fix me 1: zero_state -----------------------------------------------------------------------

ZERO_STATE_RAISED = Hint(
    what="zero_state raised an error, or the LSTM refused the states it made.",
    where="read the error's last line. If it is the LSTM's 'Expected hidden[0] size', it names the "
          "shape the LSTM wanted and the shape it got: compare them axis by axis, then find the line "
          "of zero_state that sets the axis that differs.",
    fix="rows = lstm.num_layers * (2 if lstm.bidirectional else 1); h0 and c0 are "
        "torch.zeros(rows, batch, lstm.hidden_size, device=device).")
ZERO_STATE_H0 = Hint(
    what="h0 is not the shape this LSTM expects for its initial hidden state.",
    where="the first axis holds one row for each state the LSTM keeps. How many layers does it have, "
          "how many directions does each layer run, and which of the two does zero_state count? "
          "Section 1's picture numbers the rows.",
    fix="rows = lstm.num_layers * (2 if lstm.bidirectional else 1), then batch, then lstm.hidden_size.")
ZERO_STATE_C0 = Hint(
    what="c0 is not the shape this LSTM expects for its initial cell state.",
    where="an LSTM keeps one cell state beside each hidden state: without proj_size, c0 follows the "
          "same rule as h0.",
    fix="c0 = torch.zeros(rows, batch, lstm.hidden_size, device=device), the same shape as h0.")
ZERO_STATE_ZEROS = Hint(
    what="the states are not all zeros.",
    where="how h0 and c0 are created: a function that fills them with zeros, or one that leaves "
          "whatever was in memory (torch.empty) or draws numbers?",
    fix="torch.zeros(rows, batch, lstm.hidden_size, device=device) for both.")
ZERO_STATE_OUTPUT = Hint(
    what="the LSTM gives other outputs with these states than with no states passed.",
    where="an LSTM given no states starts from zeros of the rule's shape: are h0 and c0 exactly that, "
          "and in the order (h0, c0)?",
    fix="return (h0, c0), both torch.zeros(rows, batch, lstm.hidden_size, device=device).")


def check_zero_state(case, zero_state):
    """zero_state for an LSTM of case.L layers, bidirectional or not, batch_first or not."""
    lstm_c = nn.LSTM(case.E, case.H, num_layers=case.L, bidirectional=case.bi,
                     batch_first=case.bf).to(case.device)
    rows = case.L * (2 if case.bi else 1)
    h0_c, c0_c = zero_state(lstm_c, case.B)
    expect_shape(h0_c, (rows, case.B, case.H), name="zero_state(lstm, batch)[0], h0.shape", hint=ZERO_STATE_H0)
    expect_shape(c0_c, (rows, case.B, case.H), name="zero_state(lstm, batch)[1], c0.shape", hint=ZERO_STATE_C0)
    zeros_ref = torch.zeros(rows, case.B, case.H, device=case.device)
    expect_close(h0_c, zeros_ref, name="h0", hint=ZERO_STATE_ZEROS)
    expect_close(c0_c, zeros_ref, name="c0", hint=ZERO_STATE_ZEROS)
    xs = torch.randn((case.B, 4, case.E) if case.bf else (4, case.B, case.E), device=case.device)
    with torch.no_grad():
        expect_close(lstm_c(xs, (h0_c, c0_c))[0], lstm_c(xs)[0], name="the LSTM's output with zero_state's states",
                     hint=ZERO_STATE_OUTPUT)


zero_state = Exercise(
    "zero_state", "zero_state(lstm, batch)", check_zero_state,
    Sizes(L=(1, 3), bi=[False, True], B=(1, 5), E=(1, 6), H=(1, 8), bf=[False, True]),
    example=dict(L=2, bi=True, B=3, E=8, H=16, bf=True),
    edges=["bi=False", "L=1,bi=True", "L=3,bi=False", "B=1", "H=1", "B=H"],
    hidden_edges=["bi=False", "L=3,bi=True", "B=1"], raised=ZERO_STATE_RAISED, solution=SOLUTION)


# --- Fix me 2: zero_state_projected -------------------------------------------------------------

PROJECTED_RAISED = Hint(
    what="zero_state_projected raised an error, or the LSTM refused the states it made.",
    where="read the error's last line. The LSTM's 'Expected hidden[0] size' is about h0 and "
          "'Expected hidden[1] size' about c0; each names the shape it wanted and the shape it got. "
          "Compare the last axes.",
    fix="h_size = lstm.proj_size if lstm.proj_size > 0 else lstm.hidden_size for h0; c0 keeps "
        "lstm.hidden_size.")
PROJECTED_H0 = Hint(
    what="h0's last axis is not the width of this LSTM's hidden state.",
    where="look at the sizes this case names: is P above 0 (a projected LSTM) or 0 (none)? What does "
          "proj_size do to h's width, and what is lstm.proj_size on an LSTM built without it?",
    fix="h_size = lstm.proj_size if lstm.proj_size > 0 else lstm.hidden_size.")
PROJECTED_C0 = Hint(
    what="c0's last axis is not the width of this LSTM's cell state.",
    where="section 2 ran a projected LSTM: which of its final states came back narrower, h_n or c_n?",
    fix="c0 = torch.zeros(rows, batch, lstm.hidden_size, device=device), whatever proj_size is.")
PROJECTED_ZEROS = Hint(
    what="h0 is not all zeros.",
    where="how h0 is created: a function that fills it with zeros, or one that leaves whatever was in "
          "memory or draws numbers?",
    fix="h0 = torch.zeros(rows, batch, h_size, device=device).")
PROJECTED_OUTPUT = Hint(
    what="the LSTM gives other outputs with these states than with no states passed.",
    where="an LSTM given no states starts from zeros: are h0 and c0 exactly zeros, in the order (h0, c0)?",
    fix="return (h0, c0): torch.zeros(rows, batch, h_size) and torch.zeros(rows, batch, lstm.hidden_size).")


def check_zero_state_projected(case, zero_state_projected):
    """zero_state_projected for a seq-first LSTM with proj_size=case.P (0: not projected)."""
    lstm_c = nn.LSTM(case.E, case.H, num_layers=case.L, bidirectional=case.bi, proj_size=case.P).to(case.device)
    rows = case.L * (2 if case.bi else 1)
    h0_c, c0_c = zero_state_projected(lstm_c, case.B)
    expect_shape(h0_c, (rows, case.B, case.P or case.H), name="zero_state_projected(lstm, batch)[0], h0.shape",
                 hint=PROJECTED_H0)
    expect_shape(c0_c, (rows, case.B, case.H), name="zero_state_projected(lstm, batch)[1], c0.shape",
                 hint=PROJECTED_C0)
    expect_close(h0_c, torch.zeros(rows, case.B, case.P or case.H, device=case.device), name="h0",
                 hint=PROJECTED_ZEROS)
    xs = torch.randn(4, case.B, case.E, device=case.device)
    with torch.no_grad(), no_backend_notices():
        expect_close(lstm_c(xs, (h0_c, c0_c))[0], lstm_c(xs)[0],
                     name="the LSTM's output with zero_state_projected's states", hint=PROJECTED_OUTPUT)


zero_state_projected = Exercise(
    "zero_state_projected", "zero_state_projected(lstm, batch)", check_zero_state_projected,
    Sizes(L=(1, 3), bi=[False, True], B=(1, 5), E=(1, 6), H=(2, 9), P=(0, 8), where=lambda P, H, **_: P < H),
    example=dict(L=2, bi=False, B=3, E=8, H=16, P=4), example_label="the example's sizes, seq-first",
    edges=["P=0", "P=1", "P=H-1", "L=2,bi=True", "B=1"], hidden_edges=["P=0", "P=H-1", "L=3,bi=True"],
    raised=PROJECTED_RAISED, solution=SOLUTION)


# --- Fix me 3: sentence_vector ------------------------------------------------------------------

def bidirectional_run(case):
    """A bidirectional LSTM of case.L layers on (B, T, E): its output and h_n."""
    lstm_c = nn.LSTM(case.E, case.H, num_layers=case.L, bidirectional=True, batch_first=True).to(case.device)
    with torch.no_grad():
        o, (h, _) = lstm_c(torch.randn(case.B, case.T, case.E, device=case.device))   # (B, T, 2H), (2L, B, H)
    return o, h


SENTENCE_RAISED = Hint(
    what="sentence_vector raised an error on these final states.",
    where="h_n is (num_layers * 2, batch, hidden). Print the shape of each piece your function takes "
          "from it, and of what it joins them into.",
    fix="torch.cat([h_n[-2], h_n[-1]], dim=1): the top layer's forward row, then its backward row.")
SENTENCE_SHAPE = Hint(
    what="each sentence's vector is not the length a bidirectional LSTM's sentence vector has.",
    where="which rows of h_n does your function read? Section 1 ordered them layer by layer, and "
          "within a layer forward before backward. How many of them belong to the top layer, and "
          "what does each hold?",
    fix="torch.cat([h_n[-2], h_n[-1]], dim=1): (B, H) and (B, H) side by side, (B, 2H).")
SENTENCE_VALUES = Hint(
    what="the shape is right but the numbers are not the top layer's forward final state followed by "
         "its backward final state.",
    where="which rows of h_n does your function read, in which order, and along which axis does it "
          "join them? Each sentence must keep its own numbers: the batch stays axis 0.",
    fix="torch.cat([h_n[-2], h_n[-1]], dim=1).")


def check_sentence_vector(case, sentence_vector):
    """sentence_vector(h_n) of a case.L-layer bidirectional LSTM, against the output's two ends."""
    o, h = bidirectional_run(case)
    expected = torch.cat([o[:, -1, :case.H], o[:, 0, case.H:]], dim=1)           # (B, 2H)
    got = sentence_vector(h)
    expect_shape(got, tuple(expected.shape), name="sentence_vector(h_n).shape", hint=SENTENCE_SHAPE)
    expect_close(got, expected, name="sentence_vector(h_n)", hint=SENTENCE_VALUES)


BIDIRECTIONAL_SIZES = Sizes(L=(1, 3), B=(1, 5), T=(1, 6), E=(1, 6), H=(1, 8))

sentence_vector = Exercise(
    "sentence_vector", "sentence_vector(h_n)", check_sentence_vector, BIDIRECTIONAL_SIZES,
    example=dict(L=2, B=3, T=5, E=8, H=16), example_label=OTHER_NUMBERS,
    edges=["L=1", "B=1", "H=1", "B=H", "L=3"], hidden_edges=["L=1", "B=1", "B=H"],
    raised=SENTENCE_RAISED, solution=SOLUTION)


# --- Fix me 4: sentence_vector_from_output ------------------------------------------------------

FROM_OUTPUT_RAISED = Hint(
    what="sentence_vector_from_output raised an error on this output.",
    where="out is (batch, time, 2 * hidden). Print the shape of each piece your function takes from "
          "it, and of what it joins them into.",
    fix="torch.cat([out[:, -1, :hidden], out[:, 0, hidden:]], dim=1).")
FROM_OUTPUT_SHAPE = Hint(
    what="each sentence's vector is not 2 * hidden numbers long.",
    where="out is (batch, time, 2 * hidden): which index of your slices picks the sentence, which the "
          "time step, and which the half of the last axis?",
    fix="torch.cat([out[:, -1, :hidden], out[:, 0, hidden:]], dim=1): (B, H) and (B, H) side by side.")
FROM_OUTPUT_VALUES = Hint(
    what="the shape is right but the numbers are not each direction's final state, the state it "
         "reaches once it has read the whole sentence.",
    where="out's last axis holds the forward direction's numbers, then the backward direction's. "
          "Each direction reads the sentence from one end: at which step has each read every word?",
    fix="forward from the last step, out[:, -1, :hidden]; backward from the first, out[:, 0, hidden:]; "
        "join them with torch.cat([...], dim=1).")


def check_sentence_vector_from_output(case, sentence_vector_from_output):
    """sentence_vector_from_output(out, H) of a bidirectional LSTM, against h_n's top two rows."""
    o, h = bidirectional_run(case)
    expected = torch.cat([h[-2], h[-1]], dim=1)                                  # (B, 2H)
    got = sentence_vector_from_output(o, case.H)
    expect_shape(got, tuple(expected.shape), name="sentence_vector_from_output(out, hidden).shape",
                 hint=FROM_OUTPUT_SHAPE)
    expect_close(got, expected, name="sentence_vector_from_output(out, hidden)", hint=FROM_OUTPUT_VALUES)


sentence_vector_from_output = Exercise(
    "sentence_vector_from_output", "sentence_vector_from_output(out, hidden)", check_sentence_vector_from_output,
    BIDIRECTIONAL_SIZES, example=dict(L=2, B=3, T=5, E=8, H=16), example_label=OTHER_NUMBERS,
    edges=["T=B", "B=1", "H=1", "L=1"], hidden_edges=["T=B", "B=1", "T=2"],
    raised=FROM_OUTPUT_RAISED, solution=SOLUTION)


# --- Fix me 5: BiLSTMClassifier -----------------------------------------------------------------

CLASSIFIER_RAISED = Hint(
    what="a layer of the classifier refused the tensor that reached it.",
    where="if it is 'mat1 and mat2 shapes cannot be multiplied (A x B and C x D)', B is the width of "
          "what reached the head and C the width the head was built for. How wide is the vector "
          "forward gives the head, for any number of layers?",
    fix="self.head = nn.Linear(2 * hidden, classes): the vector holds both directions' hidden states.")
CLASSIFIER_SHAPE = Hint(
    what="the output is not one score per class for each sentence.",
    where="what forward hands the head (one vector per sentence?), and the head's out_features.",
    fix="self.head = nn.Linear(2 * hidden, classes), fed torch.cat([h_n[-2], h_n[-1]], dim=1).")
CLASSIFIER_VALUES = Hint(
    what="the scores are not the head applied to the top layer's forward and backward final states, "
         "side by side.",
    where="what forward gives the head, and whether the head was built for exactly that vector.",
    fix="self.head = nn.Linear(2 * hidden, classes), fed torch.cat([h_n[-2], h_n[-1]], dim=1).")


def check_bilstm_classifier(case, BiLSTMClassifier):
    """BiLSTMClassifier(E, H, C, L) on (B, T, E), against the same LSTM's top layer, both
    directions, read by the model's own head weights. The forward pass comes first, so a
    LazyLinear head has its weights by the time they are read."""
    model = BiLSTMClassifier(case.E, case.H, case.C, num_layers=case.L).to(case.device)
    xs = torch.randn(case.B, case.T, case.E, device=case.device)
    with torch.no_grad():
        got = model(xs)
        expect_shape(got, (case.B, case.C), name="BiLSTMClassifier(...)(x).shape", hint=CLASSIFIER_SHAPE)
        ref_lstm = nn.LSTM(case.E, case.H, num_layers=case.L, bidirectional=True, batch_first=True).to(case.device)
        with reads_the_layers("the model's lstm and head, run as a bidirectional LSTM whose top layer's two final "
                              "states, side by side, reach the head", "layers that can be run that way",
                              hint=CLASSIFIER_VALUES):
            ref_lstm.load_state_dict(model.lstm.state_dict())
            _, (h, _) = ref_lstm(xs)
            both = torch.cat([h[-2], h[-1]], dim=1)                                # (B, 2H)
            expected = nn.functional.linear(both, model.head.weight, model.head.bias)   # (B, C)
        expect_close(got, expected, name="BiLSTMClassifier(...)(x)", hint=CLASSIFIER_VALUES)


bilstm_classifier = Exercise(
    "bilstm_classifier", "BiLSTMClassifier(emb_dim, hidden, classes, num_layers)", check_bilstm_classifier,
    Sizes(E=(1, 8), H=(1, 10), C=(2, 6), L=(1, 3), B=(1, 5), T=(1, 6)),
    example=dict(E=8, H=16, C=3, L=1, B=3, T=5), example_label=OTHER_NUMBERS,
    edges=["L=2", "B=1", "T=1", "H=1"], hidden_edges=["L=3", "B=1"],
    raised=CLASSIFIER_RAISED, solution=SOLUTION)


# --- Fix me 6: gru_final_states -----------------------------------------------------------------

GRU_RAISED = Hint(
    what="gru_final_states raised an error.",
    where="the line that unpacks what the GRU returns: how many things does an nn.GRU return, and "
          "what is each? Print len(gru(x)) and the shape of each part.",
    fix="out, h_n = gru(x): a GRU returns (output, h_n), with no cell state.")
GRU_SHAPE = Hint(
    what="the tensor returned is not the GRU's final states, one row per layer per direction, "
         "(num_layers * num_directions, batch, hidden).",
    where="how the GRU's result is unpacked, compared with an LSTM's (output, (h_n, c_n)). When h_n "
          "happens to have two rows, what does unpacking it into two names do?",
    fix="out, h_n = gru(x): a GRU returns (output, h_n), with no cell state.")
GRU_VALUES = Hint(
    what="the shape is right but the numbers are not the GRU's final states h_n.",
    where="how the GRU's result is unpacked, compared with an LSTM's (output, (h_n, c_n)), and "
          "anything done to h_n afterwards.",
    fix="out, h_n = gru(x), returned as it is.")


def check_gru_final_states(case, gru_final_states):
    """gru_final_states(gru, x) for a batch-first GRU of case.L layers, bidirectional or not."""
    gru_c = nn.GRU(case.E, case.H, num_layers=case.L, bidirectional=case.bi, batch_first=True).to(case.device)
    xs = torch.randn(case.B, case.T, case.E, device=case.device)
    with torch.no_grad():
        got = gru_final_states(gru_c, xs)
        expected = gru_c(xs)[1]                                                    # (L*D, B, H)
        expect_shape(got, tuple(expected.shape), name="gru_final_states(gru, x).shape", hint=GRU_SHAPE)
        expect_close(got, expected, name="gru_final_states(gru, x)", hint=GRU_VALUES)


gru_final_states = Exercise(
    "gru_final_states", "gru_final_states(gru, x)", check_gru_final_states,
    Sizes(L=(1, 2), bi=[False, True], B=(1, 5), T=(1, 5), E=(1, 6), H=(1, 8)),
    example=dict(L=1, bi=True, B=3, T=5, E=8, H=16), example_label=OTHER_NUMBERS,
    edges=["L=1,bi=False", "L=2,bi=False", "L=2,bi=True", "B=1"],
    hidden_edges=["L=1,bi=True", "L=2,bi=False", "L=2,bi=True"], hidden_draws=4,
    raised=GRU_RAISED, solution=SOLUTION)


# --- Challenge: read_in_chunks, three bugs and no hint until asked -------------------------------

CHUNKS_RAISED = Hint(
    what="read_in_chunks raised an error on this batch.",
    where="if it is the LSTM's 'Expected hidden[0] size' (about h0) or 'Expected hidden[1] size' (about "
          "c0), it names the shape the LSTM wanted and the shape it got: compare them axis by axis. "
          "Which axis comes first in a state, whatever batch_first says, and how wide is h when the "
          "case's P is above 0?",
    fix="start from h = torch.zeros(lstm.num_layers, batch, lstm.proj_size or lstm.hidden_size, "
        "device=x.device) and c = torch.zeros(lstm.num_layers, batch, lstm.hidden_size, device=x.device); "
        "then each chunk's (h_n, c_n) are the next chunk's (h, c).")
CHUNKS_OUTPUT = Hint(
    what="the outputs are not those of the LSTM reading the whole sequence in one call.",
    where="the first chunk's outputs can be right and the later ones wrong. Which states does each "
          "call inside the loop start from, and which states did the chunk before it end in?",
    fix="out, (h, c) = lstm(x[:, start:start + chunk], (h, c)): the states one call returns are the "
        "states the next call starts from.")
CHUNKS_STATES = Hint(
    what="the final states are not those of the LSTM reading the whole sequence in one call.",
    where="which chunk's final states does the function return, and did that chunk start from the "
          "states the one before it ended in, h and c each in its own place?",
    fix="carry (h, c) from each call to the next, and return the last call's (h_n, c_n).")
CHUNKS_LAYER = Hint(
    what="read_in_chunks changed the LSTM it was given: lstm.batch_first is no longer True.",
    where="other code still feeds this LSTM batch-first tensors; the function may only change its own data.",
    fix="leave the LSTM as it is: slice x along its time axis, x[:, start:start + chunk].")


def check_read_in_chunks(case, read_in_chunks):
    """read_in_chunks(lstm, x, chunk) for a batch-first LSTM of case.L layers and one direction,
    proj_size case.P (0: none), against the same LSTM reading the whole x in one call."""
    lstm_c = nn.LSTM(case.E, case.H, num_layers=case.L, proj_size=case.P, batch_first=True).to(case.device)
    x_c = torch.randn(case.B, case.T, case.E, device=case.device)                    # (B, T, E)
    with torch.no_grad(), no_backend_notices():
        out_ref, (h_ref, c_ref) = lstm_c(x_c)                 # (B, T, P or H), (L, B, P or H), (L, B, H)
        out, (h_n, c_n) = read_in_chunks(lstm_c, x_c, case.chunk)
    expect_close(out, out_ref, name="the outputs, read_in_chunks(lstm, x, chunk)[0]", hint=CHUNKS_OUTPUT)
    expect_close(h_n, h_ref, name="the final hidden states h_n", hint=CHUNKS_STATES)
    expect_close(c_n, c_ref, name="the final cell states c_n", hint=CHUNKS_STATES)
    expect_equal(lstm_c.batch_first, True, name="lstm.batch_first after the call", hint=CHUNKS_LAYER)


read_in_chunks = Exercise(
    "read_in_chunks", "read_in_chunks(lstm, x, chunk)", check_read_in_chunks,
    Sizes(L=(1, 3), B=(1, 5), T=(2, 9), E=(1, 6), H=(2, 8), P=(0, 7), chunk=(1, 4),
          where=lambda P, H, **_: P < H),
    example=dict(L=2, B=3, T=7, E=8, H=16, P=0, chunk=3), example_label=OTHER_NUMBERS,
    edges=["P=H-1", "B=L,P=0", "B=1,chunk=1", "chunk=T"],
    hidden_edges=["P=0,B=L", "P=H-1,chunk=1", "L=3,P=1", "T=9,chunk=4"], hidden_draws=5,
    raised=CHUNKS_RAISED, solution=SOLUTION, on_demand=True)


# --- Predictions: asked before the cell that reveals them ---------------------------------------

SHAPE = "a shape, as a tuple such as (5, 7)"
OUTCOME = '"raises" or "runs"'
VERDICT = '"myth" or "fact"'

final_state_shape = Prediction(
    "final_state_shape", example=SHAPE, answer=(4, 3, 16),
    why="an LSTM keeps one hidden state per layer per direction: 2 layers times 2 directions make 4 "
        "rows, then comes the batch, then hidden_size. batch_first=True reorders the input and the "
        "output only, never the states.")

myth_need_h0 = Prediction(
    "myth_need_h0", example=VERDICT, verdict="myth", runs=True,
    why="an LSTM given no states starts from zeros of the rule's shape, however many layers and "
        "directions it has. The cell below shows it: the same numbers as with zero states passed in.")

projected_cell_state = Prediction(
    "projected_cell_state", example=SHAPE, answer=(2, 3, 16),
    why="proj_size projects the hidden state h, and so the output, down to proj_size numbers; the "
        "cell state c is never projected and keeps hidden_size. The rows (2 layers, one direction) "
        "and the batch follow the rule as before.")

view_mixes_sentences = Prediction(
    "view_mixes_sentences", example="a pair (row, sentence), such as (2, 1)", answer=(0, 1),
    why="view reads memory in order, and h_n's memory runs row by row of h_n, sentence by sentence "
        "within each row. After sentence 0's row-0 state come sentence 1's row-0 numbers, not "
        "sentence 0's row 1: one row of the view mixes sentences, though its shape says one per sentence.")

myth_linear_on_sequence = Prediction(
    "myth_linear_on_sequence", example=VERDICT, verdict="myth", runs=True,
    why="an nn.Linear reads only the last axis and keeps every axis before it: (B, T, 2H) becomes "
        "(B, T, classes), scores for every time step rather than one per sentence. Nothing raises, so "
        "only the shape of what comes out shows the mistake.")

gru_unpacked_like_lstm = Prediction(
    "gru_unpacked_like_lstm", example=OUTCOME, runs=True,
    why="a GRU returns (output, h_n), and h_n is one tensor of shape (num_layers * num_directions, B, H). "
        "Python unpacks a tensor along its first axis, so (h, c) = h_n runs whenever h_n has exactly two "
        "rows: here 'h' is the forward row and 'c' the backward row, not a hidden and a cell state (with two "
        "layers and one direction, they are the two layers). With any other number of rows it fails.")
