"""Are values, modules and their sizes described the way the doctor's reports print them?"""
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

import shapeschool as ss
from shapeschool.doctor import summaries
from shapeschool.doctor.summaries import describe, settings, shape_text


def test_shapes_and_dtypes():
    assert describe(torch.zeros(32, 12, 300)) == "(32, 12, 300) float32"
    assert describe(torch.zeros(8, dtype=torch.long)) == "(8,) int64"
    assert describe(torch.tensor(1.0)) == "scalar float32"
    assert shape_text(torch.Size([4])) == "(4,)"


def test_an_lstm_result_and_a_packed_batch():
    lstm = nn.LSTM(3, 5)
    out = lstm(torch.randn(7, 2, 3))
    assert describe(out) == "((7, 2, 5) float32, ((1, 2, 5) float32, (1, 2, 5) float32))"
    packed = pack_padded_sequence(torch.randn(2, 4, 3), torch.tensor([4, 2]), batch_first=True)
    assert describe(packed) == "PackedSequence(data=(6, 3) float32, batch=2, longest=4)"


def test_settings_name_what_decides_the_shapes():
    assert settings(nn.LSTM(300, 128, num_layers=2, bidirectional=True)) == (
        "LSTM(input_size=300, hidden_size=128, num_layers=2, bidirectional=True, batch_first=False)")
    assert settings(nn.LSTM(8, 16, proj_size=4)).endswith("batch_first=False, proj_size=4)")
    assert settings(nn.Linear(512, 10)) == "Linear(in_features=512, out_features=10)"
    assert settings(nn.Embedding(10, 4, padding_idx=0)) == "Embedding(num_embeddings=10, embedding_dim=4, padding_idx=0)"
    assert settings(nn.ReLU()) == "ReLU"


def test_settings_by_value_names_layer_settings_and_the_learners_own_sizes():
    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden_size, self.bidirectional, self._private = 6, True, 9
            self.head = nn.Linear(6, 20)

    model = Tagger()
    found = summaries.settings_by_value([("model", model), ("model.head", model.head)])
    assert found[6] == ["model.hidden_size", "model.head.in_features"]
    assert found[20] == ["model.head.out_features"]
    assert 9 not in found and 1 not in found          # private attributes and booleans are not sizes


def test_a_hedged_account_says_which_settings_the_numbers_in_the_message_are():
    generator = nn.Linear(8, 20)
    with pytest.raises(RuntimeError) as caught:
        with ss.doctor():
            torch.gather(generator(torch.randn(4, 8)), 1, torch.full((4, 1), 21))
    report = ss.doctor.explain(caught.value)
    assert not report.diagnosis.certain
    assert ("sizes it names", "20 is generator.out_features") in report.rows()
