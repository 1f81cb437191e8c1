"""Can the hidden tests fail? Answers hard-coded to the visible example's sizes pass every visible
check and must still lose the cell's points; a fix that gets only the shape right must too."""
import pytest
from nbclient import NotebookClient

from autograder import markers
from notebooks import errors, load, nbgrader_meta

pytestmark = pytest.mark.slow

# chapter -> {fix-me grade_id: (kind, source that replaces the whole cell)}
CHEATS = {
    "ch01_embeddings_to_lstm": {
        "make_embedding": ("hard-coded", '''
def make_embedding(vocab, emb_dim):
    return nn.Embedding(12, emb_dim)          # the example vocabulary has 12 entries
'''),
        "token_encoder": ("hard-coded", '''
class TokenEncoder(nn.Module):
    def __init__(self, vocab_size, emb_dim, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, emb_dim)
        self.lstm = nn.LSTM(input_size=8, hidden_size=hidden, batch_first=True)   # 8, as in the example
    def forward(self, ids):
        return self.lstm(self.embed(ids))[0]
'''),
        "run_one": ("shape only", '''
def run_one(lstm, sentence):
    return lstm(sentence.unsqueeze(1))[0].transpose(0, 1)   # (1, T, H), but T separate one-step runs
'''),
    },
    "ch03_states_of_stacked_lstms": {
        "zero_state": ("hard-coded", '''
def zero_state(lstm, batch):
    device = next(lstm.parameters()).device
    return (torch.zeros(4, batch, lstm.hidden_size, device=device),    # 2 layers * 2 directions, as in the example
            torch.zeros(4, batch, lstm.hidden_size, device=device))
'''),
    },
    "ch05_conv_and_flatten_arithmetic": {
        "small_cnn": ("hard-coded", '''
class SmallCNN(nn.Module):
    def __init__(self, in_channels, size, classes):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(in_channels, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(8 * 14 * 14, classes)                 # right for 28x28 only
    def forward(self, images):
        return self.head(self.features(images).flatten(1))
'''),
    },
}


def run_with_cheats(chapter, keep_hidden_tests, repo):
    """Execute the answer key with each cheat in place of its fix-me; return {grade_id: check cell}."""
    nb = load("course", chapter)
    cheats = CHEATS[chapter]
    checks = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        gid = nbgrader_meta(cell).get("grade_id")
        cell.source = markers.answer_source(cell.source, keep_hidden_tests=keep_hidden_tests)
        if gid in cheats:
            cell.source = cheats[gid][1].strip()
            checks[gid] = nb.cells[i + 1]
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(repo / "solutions")}}).execute()
    return checks


@pytest.mark.parametrize("cheated", sorted(CHEATS))
def test_cheats_lose_their_points(cheated, repo):
    checks = run_with_cheats(cheated, keep_hidden_tests=True, repo=repo)
    for gid, check in checks.items():
        assert [e.ename for e in errors(check)] == ["ShapeSchoolError"], \
            f"{cheated}/{gid}: a {CHEATS[cheated][gid][0]} answer passed the check"


@pytest.mark.parametrize("cheated", sorted(CHEATS))
def test_hard_coded_cheats_fool_the_visible_checks_so_hidden_tests_matter(cheated, repo):
    checks = run_with_cheats(cheated, keep_hidden_tests=False, repo=repo)
    for gid, check in checks.items():
        if CHEATS[cheated][gid][0] == "hard-coded":
            assert not errors(check), f"{cheated}/{gid}: the visible check already catches this cheat"
