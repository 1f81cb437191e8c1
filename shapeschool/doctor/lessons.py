"""Where the course teaches each cause the doctor names: a chapter and a section heading.

tests/shapeschool/doctor/test_lessons.py checks that every heading here is a heading of the
course's notebook, so renaming a section breaks a test rather than the doctor's advice.
"""
CHAPTERS = {
    1: "ch01_embeddings_to_lstm",
    2: "ch02_batch_first_and_transposes",
    3: "ch03_states_of_stacked_lstms",
    4: "ch04_unknown_words_and_padding",
    5: "ch05_conv_and_flatten_arithmetic",
    6: "ch06_a_bilstm_tagger",
}

# lesson key -> (chapter, the section's heading as the notebook writes it, without the #s)
LESSONS = {
    "ids": (1, "1. Words become ids"),
    "table_rows": (1, "2. How many rows does the embedding table need?"),
    "input_size": (1, "3. The LSTM's `input_size`"),
    "batch_first": (1, "4. Which axis is time? `batch_first`"),
    "unbatched": (1, "5. One sentence: unbatched input and the batch axis"),
    "layouts": (2, "1. Two layouts, one set of numbers"),
    "view_vs_transpose": (2, "2. Moving elements versus reinterpreting memory"),
    "h_n_layout": (2, "3. Reading `h_n` from a batch-first model"),
    "state_rule": (3, "1. The rule: one state per layer per direction"),
    "proj_size": (3, "2. `proj_size`: when `h` and `c` differ"),
    "sentence_vector": (3, "3. One vector per sentence from a bidirectional LSTM"),
    "linear_after_lstm": (3, "4. The `nn.Linear` that reads it"),
    "gru_state": (3, "5. GRU: one state, not two"),
    "unknown_words": (4, "2. Words the vocabulary has never seen"),
    "padding_idx": (4, "3. `padding_idx`: a row that stays zero and never learns"),
    "packing": (4, "4. Padding a batch, and packing it so the LSTM skips the padding"),
    "packing_traps": (4, "Three more ways packing goes wrong"),
    "last_real_step": (4, "5. Each sentence's last real step"),
    "padding_loss": (4, "6. A loss that ignores padding"),
    "conv_formula": (5, "1. The output-size formula"),
    "pooling": (5, "2. Pooling, and `ceil_mode`"),
    "in_features": (5, "3. `in_features` of the first `nn.Linear`"),
    "flatten": (5, "4. `flatten` and its `start_dim`"),
    "lazy": (5, "5. Not doing the arithmetic: `LazyLinear` and adaptive pooling"),
    "conv1d": (5, "6. `Conv1d` over a sentence"),
    "channels_last": (5, "7. Images that arrive channels-last"),
    "tagger": (6, "2. The tagger"),
    "loss_axes": (6, "3. The loss wants classes on axis 1"),
    "accuracy": (6, "4. Accuracy over real words"),
    "new_sentence": (6, "6. Tagging a new sentence"),
}


def where(key):
    """``Chapter 3, "1. The rule: ..." (course/ch03_states_of_stacked_lstms.ipynb)``."""
    chapter, heading = LESSONS[key]
    return f'Chapter {chapter}, "{heading.replace("`", "")}" (course/{CHAPTERS[chapter]}.ipynb)'
