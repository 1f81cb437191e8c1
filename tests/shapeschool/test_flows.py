"""Do the pipelines report the shapes torch really produced?"""
import pytest
import torch

from shapeschool.flows import Stage, embedding_lstm_flow


def test_batch_first_flow_shapes():
    stages = embedding_lstm_flow(batch=3, seq_len=6, emb_dim=8, hidden=5)
    assert [s.shape for s in stages] == [(3, 6), (3, 6, 8), (3, 6, 5), (1, 3, 5), (1, 3, 5)]
    assert stages[1].axes == ("batch", "time", "embedding")


def test_seq_first_bidirectional_multilayer_flow():
    stages = embedding_lstm_flow(batch=2, seq_len=4, emb_dim=3, hidden=7, batch_first=False,
                                 num_layers=3, bidirectional=True)
    assert stages[0].axes == ("time", "batch")
    assert stages[2].shape == (4, 2, 14)
    assert stages[3].shape == (6, 2, 7)   # h_n is never batch-first


def test_projection_shrinks_h_but_not_c():
    stages = {s.name: s for s in embedding_lstm_flow(hidden=8, proj_size=3, num_layers=2, bidirectional=True)}
    assert stages["LSTM output"].shape[-1] == 6 and stages["LSTM output"].axes[-1] == "2×proj"
    assert stages["h_n"].shape == (4, 2, 3) and stages["c_n"].shape == (4, 2, 8)


def test_proj_size_must_be_below_hidden():
    with pytest.raises(ValueError, match="proj_size must be 0 \\(off\\) or less than hidden=6, got 6"):
        embedding_lstm_flow(hidden=6, proj_size=6)


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


def test_state_rows_are_layer_major_like_pytorch():
    from shapeschool.layouts import state_rows
    rows = [r[0] for r in state_rows(2, True).labels]
    assert rows == ["row 0: layer 0 forward", "row 1: layer 0 backward",
                    "row 2: layer 1 forward", "row 3: layer 1 backward"]
    # and PyTorch agrees: the top layer's forward row is the last output step's first half
    lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    out, (h_n, _) = lstm(torch.randn(2, 5, 3))
    torch.testing.assert_close(h_n[2], out[:, -1, :4])
    torch.testing.assert_close(h_n[3], out[:, 0, 4:])
