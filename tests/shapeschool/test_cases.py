"""Does a check run over the example, the edge sizes and fresh draws, and when anything fails,
does the learner hear which sizes failed and the check's hint, even when their code raised?"""
import pytest

import shapeschool as ss
from shapeschool.cases import Case


def test_example_first_then_one_case_per_edge_then_the_draws():
    sizes = ss.Sizes(B=(1, 6), T=(1, 6))
    cases = list(sizes.cases(example=dict(B=3, T=5), edges=["B=1", "T=B"], draws=3))
    assert [c.label for c in cases] == ["the example above", "edge case B=1", "edge case T=B"] + ["random sizes"] * 3
    assert dict(cases[0]) == {"B": 3, "T": 5}
    assert cases[1].B == 1
    assert cases[2].T == cases[2].B


def test_edges_can_set_several_sizes_booleans_and_expressions():
    sizes = ss.Sizes(L=(1, 3), bi=[False], V=(2, 40), p=(0, 39), where=lambda p, V, **_: p < V)
    a, b, c = sizes.cases(edges=["L=2,bi=True", "p=V-1", "L=V=2"], draws=0)
    assert (a.L, a.bi) == (2, True)
    assert b.p == b.V - 1
    assert a.p < a.V and c.L == c.V == 2


def test_where_is_respected_by_every_draw():
    sizes = ss.Sizes(P=(0, 8), H=(2, 9), where=lambda P, H: P < H)
    assert all(c.P < c.H for c in sizes.cases(draws=200))


def test_an_impossible_edge_is_an_authoring_error():
    with pytest.raises(ValueError, match="no sizes satisfy"):
        ss.Sizes(P=(0, 3), H=(1, 3), where=lambda P, H: P < H).cases(edges=["P=H"])
    with pytest.raises(ValueError, match="NAME=VALUE with NAME among B"):
        ss.Sizes(B=(1, 2)).cases(edges=["X=1"])


def test_a_seed_repeats_the_draws_and_no_seed_draws_afresh():
    sizes = ss.Sizes(B=(1, 1000), T=(1, 1000))
    first = [dict(c) for c in sizes.cases(draws=5, seed=7)]
    assert first == [dict(c) for c in sizes.cases(draws=5, seed=7)]
    fresh = {tuple(dict(c).values()) for _ in range(5) for c in sizes.cases(draws=5)}
    assert len(fresh) > 5
    same_rng = [c.rng.random() for c in sizes.cases(draws=2, seed=7)]
    assert same_rng == [c.rng.random() for c in sizes.cases(draws=2, seed=7)]


def test_a_failed_check_names_the_sizes_and_why_they_were_chosen():
    case = Case({"B": 1, "H": 5}, "edge case B=1", name="h0")
    with pytest.raises(ss.ShapeSchoolError,
                       match=r"^with B=1, H=5 \(edge case B=1\): h0: expected \(1, 5\), got \(5,\): squeeze dropped it$"):
        with case:
            import torch
            ss.expect_shape(torch.zeros(5), (1, 5), name="h0", hint="squeeze dropped it")


def test_an_error_from_the_learners_code_still_shows_the_hint_and_the_error():
    case = Case({"T": 3}, "the example above", name="flatten_steps(out)", hint="transpose, then reshape")
    with pytest.raises(ss.ShapeSchoolError) as raised:
        with case:
            raise RuntimeError("view size is not compatible with input tensor's size and stride\nmore detail")
    message = str(raised.value)
    assert message.startswith("with T=3 (the example above): flatten_steps(out): expected it to run, got "
                              "RuntimeError: view size is not compatible with input tensor's size and stride: "
                              "transpose, then reshape")
    assert message.endswith("The error was:\nRuntimeError: view size is not compatible with input tensor's "
                            "size and stride\nmore detail")
    assert isinstance(raised.value.__cause__, RuntimeError)


def test_an_error_whose_point_is_on_its_last_line_keeps_that_line():
    """einops names the pattern first and the mismatch last: "What happened" shows both."""
    import einops
    import torch
    case = Case({"H": 5}, "the example above", name="split_heads(x, 2)")
    with pytest.raises(ss.ShapeSchoolError) as raised:
        with case:
            einops.rearrange(torch.zeros(2, 5), "b (h d) -> b h d", h=2)
    said = raised.value.parts["raised"]
    assert said.startswith("EinopsError: Error while processing rearrange-reduction pattern")
    assert "Shape mismatch" in said and "\n" not in said


def test_interrupts_are_not_turned_into_failed_checks():
    with pytest.raises(KeyboardInterrupt):
        with Case({}, "the example above"):
            raise KeyboardInterrupt


def test_the_summary_counts_each_kind():
    sizes = ss.Sizes(B=(1, 2))
    assert str(sizes.cases(example=dict(B=1), edges=["B=2"], draws=2)) == "the example, 1 edge case and 2 random sizes"
    assert str(sizes.cases(edges=["B=1", "B=2"], draws=0)) == "2 edge cases"


def test_a_check_leaves_the_notebooks_random_state_as_it_found_it():
    import torch
    torch.manual_seed(5)
    before = torch.rand(3)
    torch.manual_seed(5)
    for case in ss.Sizes(B=(1, 50)).cases(edges=["B=1"], draws=3):
        with case:
            torch.randn(case.B, 7)          # a varying amount of drawing
    assert torch.equal(torch.rand(3), before)


def test_a_cases_tensors_come_from_its_own_seed():
    import torch
    first = []
    for case in ss.Sizes(B=(1, 9)).cases(draws=3, seed=11):
        with case:
            first.append(torch.randn(case.B))
    torch.rand(100)                          # whatever ran before the check
    again = []
    for case in ss.Sizes(B=(1, 9)).cases(draws=3, seed=11):
        with case:
            again.append(torch.randn(case.B))
    assert all(torch.equal(a, b) for a, b in zip(first, again))


def test_a_check_that_meets_a_device_side_assert_says_to_restart_the_kernel():
    case = Case({"T": 3}, "the example above", name="last_real_step(out, lengths)", hint="lengths - 1")
    with pytest.raises(ss.ShapeSchoolError) as raised:
        with case:
            raise RuntimeError("CUDA error: device-side assert triggered")
    assert "expected it to run, got RuntimeError: CUDA error: device-side assert triggered: lengths - 1\n(on a GPU" \
        in str(raised.value)
    assert "restart the kernel" in str(raised.value)


def test_made_then_moved_runs_where_made_first_then_on_the_case_device():
    import torch
    from shapeschool.cases import made_then_moved

    class At:
        device = torch.device("meta")        # a device other than where torch makes tensors
    x, layer = torch.zeros(2, 3), torch.nn.Linear(3, 1)
    runs = list(made_then_moved(At(), x, layer))
    assert [where for where, _ in runs] == ["", " on meta"]
    assert runs[0][1] == (x, layer)                                  # the originals, not copies
    moved_x, moved_layer = runs[1][1]
    assert moved_x.device.type == moved_layer.weight.device.type == "meta"
    assert x.device.type != "meta" and layer.weight.device.type != "meta"   # the originals stay

    class Here:
        device = torch.empty(0).device
    assert [where for where, _ in made_then_moved(Here(), layer)] == [""]   # a module alone: made here
