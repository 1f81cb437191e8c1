"""The shape doctor on the course's own notebooks, not on stand-alone rewrites of them.

Each chapter runs twice in a kernel with ``%load_ext shapeschool``, as a learner would run it:
the answer key (solutions/) and the student version (exercises/).

1. Every error a chapter shows (each ``ss.raises`` demonstration, and each fix-me cell or check
   that raises in the student version) is explained by the doctor, and what it names must be
   what ``SHOWN`` says: the cause, or None where the doctor cannot see the error (a Python
   ``KeyError``, einops' own parser, a layer's constructor refusing its arguments).
2. ``doctor.check`` runs on every fix-me that is a model, or a step a model's output goes through
   (``PROBES``), built from the notebook's own class or function: on the answer key it must find
   nothing; on the student version it must name the bug (``STUDENT``), or, where the bug raises,
   the doctor must explain the error. A fix-me that is not probed says why (``NOT_PROBED``).
"""
import configparser
import json
import re

import nbformat
import pytest
import torch
from nbclient import NotebookClient

import doctor_cases
from conftest import REPO
from notebooks import load, nbgrader_meta

# -- what the doctor must name for each error the chapters show -------------------------------
# cell -> the cause ids of its errors, in the order they happen. The demonstrations come from the
# answer key; the fix-me cells and checks from the student version, where they fail.
SHOWN = {
    "ch01_embeddings_to_lstm": {
        "dtype_demo": ["embedding_dtype"],
        "out_of_range_demo": ["embedding_range"],
        "input_size_rule": ["rnn_input_size"],
        "vector_demo": ["rnn_input_dims"],
        "ids_into_lstm_demo": ["rnn_given_ids"],
        "encode": ["embedding_dtype"],
        "make_embedding": ["embedding_range"],
        "token_encoder": ["rnn_input_size"],
        "check_token_encoder": ["rnn_input_size"],
        "reader": ["rnn_input_size"],
        "check_reader": ["rnn_input_size"],
    },
    "ch02_batch_first_and_transposes": {
        "contiguous_demo": ["view_stride"],
        "direction_split": ["view_stride"],
        "einops_demo": [None],                  # einops' own pattern parser, before any torch call
        "flatten_steps": ["view_stride"],
        "check_flatten_steps": ["view_stride"],
        "sentence_scorer": ["view_stride"],
        "check_sentence_scorer": ["view_stride"],
    },
    "ch03_states_of_stacked_lstms": {
        "state_errors": ["state_rows", "state_batch", "state_batch_first"],
        "linear_error": ["linear_in_features"],
        "gru_demo": ["gru_unpacked"],           # raised by Python's unpacking, just after the GRU returned
        "zero_state": ["state_rows"],
        "zero_state_projected": ["state_proj"],
        "bilstm_classifier": ["linear_after_bidirectional"],
        "check_bilstm_classifier": ["linear_after_bidirectional"],
        "read_in_chunks": ["state_batch_first"],
        "check_read_in_chunks": ["state_batch_first"],
    },
    "ch04_unknown_words_and_padding": {
        "out_of_range": [None],                 # None: a dict's KeyError
        "negative_id_demo": ["embedding_negative"],
        "past_the_end": ["embedding_range"],
        "unsorted_demo": ["pack_sorted"],
        "packing_traps": ["pack_empty", "packed_features"],
        "lengths_never_checked": ["pack_batch_first"],
        "time_first_packed": ["pack_batch_first", "pack_batch_first", "index_range", "embedding_range"],
        "run_packed": ["pack_sorted"],
        "check_run_packed": ["pack_sorted"],
        "sentence_reader": [None],              # the challenge's KeyError: Python's, no torch call
        "check_sentence_reader": [None],
    },
    "ch05_conv_and_flatten_arithmetic": {
        # None: padding='same' with a stride is refused by Conv1d's constructor, not its forward
        "myth_sizes": ["conv_too_small", None],
        "pool_too_small": ["pool_too_small"],
        "float_sizes": ["float_size"],
        "float_pool": ["float_size"],
        "linear_message": ["flatten_size"],
        "view_does_not_divide": ["view_per_example"],
        "flatten_demo": ["flatten_batch"],
        "view_guesses_batch": ["batch_changed", "linear_in_features"],
        "one_image": ["conv_unbatched"],
        "text_batch": ["conv1d_time_features"],
        "channels_last_demo": ["channels_last"],
        "small_cnn": ["flatten_size"],
        "check_small_cnn": ["flatten_size"],
        "per_example_features": ["flatten_batch"],
        "text_cnn": ["conv1d_time_features"],
        "check_text_cnn": ["conv1d_time_features"],
        "photo_classifier": ["flatten_batch"],
        "check_photo_classifier": ["flatten_batch"],
    },
    "ch06_a_bilstm_tagger": {
        "myth_loss_layout": ["ce_classes_last"],
        "loss_targets": ["ce_target_dtype", "ce_target_extra_axis"],
        "own_model": ["linear_after_bidirectional"],
        "own_model_doctor": ["linear_after_bidirectional"],
        "tagger": ["linear_after_bidirectional"],
        "check_tagger": ["linear_after_bidirectional"],
        "spec_tagger": [None],                  # forward is a stub raising NotImplementedError: no torch call
        "check_spec_tagger": [None],
    },
}

# GPU-only demonstrations: on a CPU they say what would happen and raise nothing.
ON_CUDA_ONLY = {"ch03_states_of_stacked_lstms": {"state_layout": [None]},        # cuDNN's "hx is not contiguous"
                "ch04_unknown_words_and_padding": {"lengths_on_gpu": ["pack_lengths_device"]}}

# -- doctor.check on the fix-mes, built from the notebook's own code --------------------------
# Each probe sets `model` and `inputs` (and may set loss_fn, target, batch_dim), using the
# chapter's names and DEVICE; it runs after the whole notebook, with the seed set.
PADDED = ("torch.tensor([[3, 4, 5, 6, 7], [8, 9, 3, 0, 0], [4, 5, 0, 0, 0], [6, 0, 0, 0, 0]], device=DEVICE)",
          "torch.tensor([5, 3, 2, 1])")
PADDED_TAGS = "torch.tensor([[1, 2, 3, 4, 1], [2, 3, 1, 0, 0], [4, 1, 0, 0, 0], [3, 0, 0, 0, 0]], device=DEVICE)"
BILSTM = "nn.LSTM(8, 6, num_layers=2, bidirectional=True, batch_first=True).to(DEVICE)"
X = "torch.randn(4, 7, 8, device=DEVICE)"
PROBES = {
    "ch01_embeddings_to_lstm": {
        "token_encoder": f"model = TokenEncoder(20, 8, 16).to(DEVICE); inputs = torch.randint(0, 20, (4, 7), device=DEVICE)",
        "run_seq_first": f"lstm_p = nn.LSTM(8, 16).to(DEVICE); model = lambda x: run_seq_first(lstm_p, x); inputs = {X}",
        "reader": "_reader = Reader(vocab, 8, 16).to(DEVICE); model = lambda x: _reader(x)[0]; "
                  "inputs = torch.randint(0, len(vocab) - 1, (4, 7), device=DEVICE)",   # as on screen: no largest id
    },
    "ch02_batch_first_and_transposes": {
        "to_seq_first": f"model = to_seq_first; inputs = {X}",
        "flatten_steps": "model = flatten_steps; inputs = torch.randn(7, 4, 6, device=DEVICE); batch_dim = 1",
        "top_layer_state": "lstm_p = nn.LSTM(8, 6, num_layers=3, batch_first=True).to(DEVICE); "
                           f"model = lambda x: top_layer_state(lstm_p(x)[1][0]); inputs = {X}",
        "split_heads": "model = lambda x: split_heads(x, 3); inputs = torch.randn(4, 7, 12, device=DEVICE)",
        "steps_to_features": "model = lambda out: steps_to_features(out, 4); "
                             "inputs = torch.randn(7, 4, 6, device=DEVICE); batch_dim = 1",
        "sentence_scorer": "_scorer = SentenceScorer(8, 6, 7, 3, 2).to(DEVICE); model = lambda x: _scorer(x)[0]; "
                           f"inputs = {X}",
    },
    "ch03_states_of_stacked_lstms": {
        "zero_state": f"lstm_p = {BILSTM}; model = lambda x: lstm_p(x, zero_state(lstm_p, x.shape[0]))[0]; inputs = {X}",
        "zero_state_projected": "lstm_p = nn.LSTM(8, 6, num_layers=2, bidirectional=True, proj_size=3, "
                                "batch_first=True).to(DEVICE); "
                                f"model = lambda x: lstm_p(x, zero_state_projected(lstm_p, x.shape[0]))[0]; inputs = {X}",
        "sentence_vector": f"lstm_p = {BILSTM}; model = lambda x: sentence_vector(lstm_p(x)[1][0]); inputs = {X}",
        "sentence_vector_from_output": "lstm_p = nn.LSTM(8, 6, bidirectional=True, batch_first=True).to(DEVICE); "
                                       f"model = lambda x: sentence_vector_from_output(lstm_p(x)[0], 6); inputs = {X}",
        "bilstm_classifier": f"model = BiLSTMClassifier(8, 6, 3, num_layers=2).to(DEVICE); inputs = {X}",
        "gru_final_states": "gru_p = nn.GRU(8, 6, bidirectional=True, batch_first=True).to(DEVICE); "
                            f"model = lambda x: gru_final_states(gru_p, x); inputs = {X}",
        "read_in_chunks": "lstm_p = nn.LSTM(8, 6, num_layers=2, batch_first=True).to(DEVICE); "
                          f"model = lambda x: read_in_chunks(lstm_p, x, 3)[0]; inputs = {X}",
    },
    "ch04_unknown_words_and_padding": {
        "make_padded_embedding": "emb_p = make_padded_embedding(12, 4, 0).to(DEVICE); "
                                 "lstm_p = nn.LSTM(4, 6, batch_first=True).to(DEVICE); "
                                 f"model = lambda ids: lstm_p(emb_p(ids))[0][torch.arange(4), {PADDED[1]} - 1]; "
                                 f"inputs = {PADDED[0]}",
        "run_packed": "emb_p = nn.Embedding(12, 4, padding_idx=0).to(DEVICE); "
                      "lstm_p = nn.LSTM(4, 6, bidirectional=True, batch_first=True).to(DEVICE); "
                      "model = lambda ids: run_packed(lstm_p, emb_p(ids), torch.tensor([2, 5, 3, 1])); "
                      "inputs = torch.tensor([[3, 4, 0, 0, 0], [8, 9, 3, 5, 6], [4, 5, 7, 0, 0], [6, 0, 0, 0, 0]], "
                      "device=DEVICE)",
        "last_real_step": "emb_p = nn.Embedding(12, 4, padding_idx=0).to(DEVICE); "
                          "lstm_p = nn.LSTM(4, 6, batch_first=True).to(DEVICE); "
                          f"model = lambda ids: last_real_step(lstm_p(emb_p(ids))[0], {PADDED[1]}); inputs = {PADDED[0]}",
        "token_loss": f"model = nn.Embedding(12, 5, padding_idx=0).to(DEVICE); inputs = {PADDED[0]}; "
                      f"loss_fn = token_loss; target = {PADDED_TAGS}",
        "sentence_reader": "_sr = SentenceReader(vocab, 8, 16).to(DEVICE); _words = {i: w for w, i in vocab.items()}; "
                           "model = lambda ids: _sr([' '.join(_words[i] for i in row if i != vocab['<pad>']) "
                           "for row in ids.tolist()]); "
                           "inputs = torch.tensor([[2, 4, 7, 6, 2, 5], [3, 5, 0, 0, 0, 0], [2, 4, 7, 0, 0, 0], "
                           "[5, 7, 0, 0, 0, 0]], device=DEVICE)",
    },
    "ch05_conv_and_flatten_arithmetic": {
        "conv_out_len": "model = nn.Sequential(nn.Conv1d(1, 4, 3, stride=2, padding=1, dilation=2), nn.Flatten(), "
                        "nn.Linear(4 * conv_out_len(9, 3, stride=2, padding=1, dilation=2), 5)).to(DEVICE); "
                        "inputs = torch.randn(4, 1, 9, device=DEVICE)",
        "pool_out_len": "model = nn.Sequential(nn.MaxPool1d(2, ceil_mode=True), nn.Flatten(), "
                        "nn.Linear(3 * pool_out_len(5, 2, ceil_mode=True), 5)).to(DEVICE); "
                        "inputs = torch.randn(4, 3, 5, device=DEVICE)",
        "small_cnn": "model = SmallCNN(3, 12, 5).to(DEVICE); inputs = torch.randn(4, 3, 12, 12, device=DEVICE)",
        "per_example_features": "scorer_p = nn.Linear(48, 5).to(DEVICE); "
                                "model = lambda m: scorer_p(per_example_features(m)); "
                                "inputs = torch.randn(4, 3, 4, 4, device=DEVICE)",
        "text_cnn": "model = TextCNN(16, 8).to(DEVICE); inputs = torch.randn(4, 9, 16, device=DEVICE)",
        "to_channels_first": "conv_p = nn.Conv2d(3, 4, 3).to(DEVICE); model = lambda im: conv_p(to_channels_first(im)); "
                             "inputs = torch.randn(4, 6, 5, 3, device=DEVICE)",
        "photo_classifier": "model = PhotoClassifier(3, 12, 5).to(DEVICE); inputs = torch.rand(4, 12, 12, 3, device=DEVICE)",
    },
    "ch06_a_bilstm_tagger": {
        "tagger": f"model = Tagger(30, 7).to(DEVICE); inputs = ({PADDED[0]}, {PADDED[1]})",
        "tag_loss": f"model = nn.Embedding(30, 7, padding_idx=0).to(DEVICE); inputs = {PADDED[0]}; "
                    f"loss_fn = tag_loss; target = {PADDED_TAGS}",
        "token_accuracy": f"model = nn.Embedding(30, 7, padding_idx=0).to(DEVICE); inputs = {PADDED[0]}; "
                          f"loss_fn = token_accuracy; target = {PADDED_TAGS}",
        "spec_tagger": f"model = SpecTagger(30, 7).to(DEVICE); inputs = ({PADDED[0]}, {PADDED[1]})",
    },
}

# What the doctor must say about each probe on the student version: ("finds", kinds) for a silent
# bug doctor.check must report, ("raises", causes) for a bug that raises and must be explained.
STUDENT = {
    "token_encoder": ("raises", {"rnn_input_size"}),
    "reader": ("raises", {"rnn_input_size"}),
    "run_seq_first": ("finds", {"batch_on_time_axis"}),
    "to_seq_first": ("finds", {"samples_mix", "view_moves_axes"}),
    "flatten_steps": ("raises", {"view_stride"}),
    "top_layer_state": ("finds", {"batch_changed"}),
    "split_heads": ("finds", {"view_moves_axes"}),
    "steps_to_features": ("raises", {None}),          # einops' parser: no torch call to see
    "sentence_scorer": ("raises", {"view_stride"}),
    "zero_state": ("raises", {"state_rows"}),
    "zero_state_projected": ("raises", {"state_proj"}),
    "sentence_vector": ("finds", {"bidirectional_half"}),
    "sentence_vector_from_output": ("finds", {"bidirectional_half"}),
    "bilstm_classifier": ("raises", {"linear_after_bidirectional"}),
    "gru_final_states": ("finds", {"bidirectional_half"}),
    "read_in_chunks": ("raises", {"state_batch_first"}),
    "make_padded_embedding": ("finds", {"padding_not_padding_idx"}),
    "run_packed": ("raises", {"pack_sorted"}),
    "last_real_step": ("finds", {"padding_read"}),
    "token_loss": ("finds", {"padding_in_loss"}),
    "sentence_reader": ("finds", {"batch_on_time_axis", "padding_read"}),
    "conv_out_len": ("raises", {"flatten_size", "linear_in_features"}),
    "pool_out_len": ("raises", {"flatten_size", "linear_in_features"}),
    "small_cnn": ("raises", {"flatten_size"}),
    "per_example_features": ("raises", {"flatten_batch"}),
    "text_cnn": ("raises", {"conv1d_time_features"}),
    "to_channels_first": ("finds", {"view_moves_axes"}),
    "photo_classifier": ("raises", {"flatten_batch"}),
    "tagger": ("raises", {"linear_after_bidirectional"}),
    "tag_loss": ("finds", {"flattened_two_ways"}),
    "token_accuracy": ("finds", {"padding_in_metric"}),
    "spec_tagger": ("raises", {None}),                # a stub: the learner writes forward
}

NOT_PROBED = {
    "encode": "makes ids from words: no model runs (its error is in SHOWN)",
    "make_embedding": "no model runs beyond the table itself (its error is in SHOWN)",
    "run_one": "one unbatched sentence: doctor.check needs a batch",
    "build_vocab": "a dictionary of words: no tensor",
    "encode_words": "a dictionary lookup: the KeyError is Python's",
    "encode_batch": "its bug is the ids' layout, (T, B) for (B, T); a model given either runs, and nothing "
                    "in a trace tells the two apart",
    "tags_of_batch": "the bug is in Python lists after .tolist(), which no trace sees",
    "sentence_batch": "a dictionary lookup: the KeyError is Python's",
}

# -- running a chapter with the doctor on --------------------------------------------------------
SETUP = r'''
%load_ext shapeschool
import json as _json
import shapeschool as _ss
_doctor_pending, _doctor_seen, _doctor_previous = [], {}, [None]
_course_raised = _ss.demos.raised


def _raised_seen_by_the_doctor(action, error, contains):
    def act():
        try:
            return action()
        except Exception as exc:
            _doctor_pending.append(_ss.doctor.explain(exc))
            raise
    return _course_raised(act, error, contains)


_ss.demos.raised = _raised_seen_by_the_doctor   # what ss.raises and every prediction that raises run


def _doctor_probe(cell):
    """Record what the doctor said about the errors of the cell that just ran."""
    last, found = _ss.doctor.last(), list(_doctor_pending)
    if last is not None and last is not _doctor_previous[0] and all(r is not last for r in found):
        found.append(last)                  # an error that left the cell (or one it caught itself)
    _doctor_previous[0] = last
    _doctor_pending.clear()
    if found:
        _doctor_seen[cell] = [r and r.cause_id for r in found]
'''

RUN_PROBES = r'''
import warnings as _warnings
_probed = {}
for _name, _code in _PROBES.items():
    torch.manual_seed(0)
    _ns = dict(globals(), loss_fn=None, target=None, batch_dim=0)
    try:
        exec(_code, _ns)
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            _found = _ss.doctor.check(_ns["model"], _ns["inputs"], loss_fn=_ns["loss_fn"], target=_ns["target"],
                                      batch_dim=_ns["batch_dim"], warn=False)
        _probed[_name] = {"finds": [f.kind for f in _found], "text": str(_found)}
    except Exception as _exc:
        _report = _ss.doctor.explain(_exc)
        _probed[_name] = {"raises": _report and _report.cause_id, "text": f"{type(_exc).__name__}: {_exc}"}
print("SEEN" + _json.dumps(_doctor_seen))
print("PROBED" + _json.dumps(_probed))
'''


def _instrumented(nb, probes):
    cells = [nbformat.v4.new_code_cell(SETUP)]
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type == "code":
            name = nbgrader_meta(cell).get("grade_id") or cell.get("id")
            cells.append(nbformat.v4.new_code_cell(f"_doctor_probe({name!r})"))
    cells.append(nbformat.v4.new_code_cell(f"_PROBES = {probes!r}\n{RUN_PROBES}"))
    nb.cells = cells
    return nb


def _run(folder, chapter, repo):
    nb = _instrumented(load(folder, chapter), PROBES.get(chapter, {}))
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(repo / folder)}}).execute()
    last = nb.cells[-1]
    text = "".join(o.get("text", "") for o in last.outputs if o.output_type == "stream")
    errors = [f"{o.ename}: {o.evalue}" for o in last.outputs if o.output_type == "error"]
    assert "PROBED" in text, f"{folder}/{chapter}: the doctor's probes did not finish: {errors or text[-500:]}"
    seen = json.loads(text.split("SEEN", 1)[1].split("\n", 1)[0])
    probed = json.loads(text.split("PROBED", 1)[1].split("\n", 1)[0])
    return seen, probed, nb


@pytest.fixture(scope="module")
def runs(chapter, repo, monkeypatch_module):
    monkeypatch_module.setenv("NBGRADER_EXECUTION", "autograde")   # Chapter 6 skips its training
    return {folder: _run(folder, chapter, repo) for folder in ("solutions", "exercises")}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _fixmes(chapter):
    return [nbgrader_meta(c)["grade_id"] for c in load("course", chapter).cells
            if nbgrader_meta(c).get("solution") and c.cell_type == "code"
            and not c.metadata.get("shapeschool", {}).get("prediction")]


def _shown(chapter, runs):
    """The errors of the chapter, cell by cell: demonstrations from the answer key, and the
    student version's failing fix-mes and checks."""
    answer, student = runs["solutions"][0], runs["exercises"][0]
    return {**answer, **{cell: causes for cell, causes in student.items() if cell not in answer}}


def _expected(chapter):
    """SHOWN, with the demonstrations that raise only on a GPU when this machine has one."""
    return {**SHOWN[chapter], **(ON_CUDA_ONLY.get(chapter, {}) if torch.cuda.is_available() else {})}


def _tally(chapter, runs):
    shown, expected = _shown(chapter, runs), _expected(chapter)
    errors = [(cell, i, got) for cell, causes in shown.items() for i, got in enumerate(causes)]
    named = sum(1 for cell, i, got in errors if got is not None and expected.get(cell, [])[i:i + 1] == [got])
    seeable = sum(1 for causes in expected.values() for c in causes if c is not None)
    doctor_cases.COURSE[chapter] = (named, seeable, len(errors))
    totals = [sum(v[k] for v in doctor_cases.COURSE.values()) for k in range(3)]
    doctor_cases.SUMMARY["course"] = (
        f"shape doctor on the course's own cells ({len(doctor_cases.COURSE)} chapters): {totals[0]} of {totals[1]} "
        f"errors it can see named right; {totals[2] - totals[1]} more arise where it cannot see")


def test_the_doctor_names_every_error_the_chapter_shows(chapter, runs):
    shown = _shown(chapter, runs)
    _tally(chapter, runs)
    expected = _expected(chapter)
    assert shown == expected, (
        f"{chapter}: the doctor's causes, cell by cell, differ from SHOWN\n got:      {shown}\n expected: {expected}")


def _printed(nb):
    """What each of the chapter's own code cells printed, by cell, made comparable as nbval's
    sanitizers make it (the torch version, memory addresses)."""
    config = configparser.ConfigParser()
    config.read(REPO / "tests" / "nbval_sanitize.cfg")
    subs = [(re.compile(config[k]["regex"]), config[k]["replace"]) for k in config.sections()]
    printed = {}
    for cell in nb.cells:
        name = nbgrader_meta(cell).get("grade_id")
        if cell.cell_type != "code" or not name or "nbval-ignore-output" in cell.metadata.get("tags", []):
            continue
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")
        for pattern, replace in subs:
            text = pattern.sub(replace, text)
        printed[name] = text
    return printed


@pytest.mark.skipif(torch.cuda.is_available(), reason="the committed answer keys were run on a CPU")
def test_the_doctor_changes_nothing_the_chapter_computes(chapter, runs):
    """With the doctor on, every cell of the answer key prints what the committed answer key
    (run without it, and checked by nbval) printed: recording changes no value."""
    with_doctor = _printed(runs["solutions"][2])
    committed = _printed(load("solutions", chapter))
    changed = [name for name in committed if with_doctor.get(name) != committed[name]]
    assert not changed, (f"{chapter}: with the doctor on, these cells printed something else: {changed}; "
                         f"first: {with_doctor.get(changed[0])!r} instead of {committed[changed[0]]!r}")


def test_check_is_quiet_on_the_answer_key(chapter, runs):
    probed = runs["solutions"][1]
    assert set(probed) == set(PROBES.get(chapter, {}))
    loud = {name: r["text"] for name, r in probed.items() if r.get("finds") != []}
    assert not loud, f"{chapter}: doctor.check reported on the answer key's own code: {loud}"


def test_check_names_each_student_version_bug(chapter, runs):
    probed = runs["exercises"][1]
    wrong = {}
    for name, result in probed.items():
        how, right = STUDENT[name]
        if how == "finds":
            ok = "finds" in result and bool(set(result["finds"]) & right)
        else:
            ok = "raises" in result and result["raises"] in right
        if not ok:
            wrong[name] = (how, sorted(map(str, right)), result["text"])
    assert not wrong, f"{chapter}: on the student version the doctor did not name: {wrong}"


def test_every_fix_me_is_probed_or_says_why(chapter):
    fixmes = _fixmes(chapter)
    unaccounted = [f for f in fixmes if f not in PROBES.get(chapter, {}) and f not in NOT_PROBED]
    assert not unaccounted, f"{chapter}: fix-me cells neither probed nor in NOT_PROBED: {unaccounted}"
    assert all(name in fixmes for name in PROBES.get(chapter, {})), "a probe names a cell that is not a fix-me"
    assert all(name in STUDENT for name in PROBES.get(chapter, {}))
