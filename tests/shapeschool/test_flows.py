"""Do the pipelines report the shapes torch really produced?"""
import pytest
import torch

from shapeschool.flows import Stage, embedding_lstm_flow


def test_batch_first_flow_shapes():
    stages = embedding_lstm_flow(batch=3, seq_len=6, emb_dim=8, hidden=5)
    assert [s.shape for s in stages] == [(3, 6), (3, 6, 8), (3, 6, 5), (1, 3, 5)]
    assert stages[1].axes == ("batch", "time", "embedding")


def test_seq_first_bidirectional_multilayer_flow():
    stages = embedding_lstm_flow(batch=2, seq_len=4, emb_dim=3, hidden=7, batch_first=False,
                                 num_layers=3, bidirectional=True)
    assert stages[0].axes == ("time", "batch")
    assert stages[2].shape == (4, 2, 14)
    assert stages[3].shape == (6, 2, 7)   # h_n is never batch-first


def test_flow_agrees_with_a_direct_run():
    lstm = torch.nn.LSTM(5, 9, num_layers=2, batch_first=True)
    out, (h_n, _) = lstm(torch.zeros(4, 3, 5))
    stages = embedding_lstm_flow(batch=4, seq_len=3, emb_dim=5, hidden=9, num_layers=2)
    assert stages[2].shape == tuple(out.shape) and stages[3].shape == tuple(h_n.shape)


def test_bad_sizes_are_named():
    with pytest.raises(ValueError, match="hidden must be at least 1, got 0"):
        embedding_lstm_flow(hidden=0)


def test_stage_needs_one_name_per_axis():
    with pytest.raises(ValueError, match="2 sizes .* but 1 axis names"):
        Stage("x", (2, 3), ("batch",))
