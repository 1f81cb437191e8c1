"""Sequence-model shape mistakes reconstructed from public questions (each case cites its thread).

Each case keeps the poster's layer types, the sizes that matter (scaled down where they were large), their
argument names and their call order; the code and the sentences are written afresh. ``truth`` says what the
thread found the cause to be (or, where the thread left it open, what running the reconstruction shows).

Cause ids and finding kinds marked ``# new cause`` / ``# new kind`` are not yet known to the doctor: they
name what the real cause is, so that the catalogue says what the doctor should learn.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from . import Asked, drawn_ids

_asked = Asked()
CASES, SILENT, CORRECT = _asked.raising, _asked.silent_cases, _asked.correct_models
raises, silent, correct = _asked.raises, _asked.silent, _asked.correct


def _ids(shape, vocab, low=2, seed=0):
    """Word ids from 2 up (0 and 1 are kept for padding and <unk> here)."""
    return drawn_ids(shape, vocab, low, seed)


# -- recurrent layers: input_size ----------------------------------------------------------------

class BertBiLSTM(nn.Module):
    """W2NER's word encoder: BERT's token vectors into a BiLSTM whose input_size comes from the config."""

    def __init__(self, vocab=30, bert_hid_size=1024, lstm_hid_size=16):
        super().__init__()
        self.bert = nn.Embedding(vocab, 768)                  # stands in for bert-base: 768 features a token
        self.encoder = nn.LSTM(bert_hid_size, lstm_hid_size // 2, batch_first=True, bidirectional=True)

    def forward(self, ids):                                   # (B, T)
        word_reps = self.bert(ids)                            # (B, T, 768)
        out, _ = self.encoder(word_reps)                      # built for bert_hid_size=1024 (bert-large)
        return out


@raises("https://github.com/ljynlp/W2NER/issues/23", "model.encoder", "rnn_input_size", sizes=(1024, 768),
        truth="The config sized the LSTM for a 1024-wide BERT (large) while the BERT actually loaded (base) gives "
              "768 features per token; the maintainer said the BERT width did not match the other modules.")
def bert_base_vectors_into_an_lstm_sized_for_bert_large():
    model = BertBiLSTM()
    model(_ids((2, 6), 30))


# -- recurrent layers: initial states ------------------------------------------------------------

class EncoderRNN(nn.Module):
    def __init__(self, vocab=20, hidden_size=256, bidirectional=False):
        super().__init__()
        self.embedding = nn.Embedding(vocab, 8)
        self.rnn = nn.GRU(8, hidden_size, batch_first=True, bidirectional=bidirectional)

    def forward(self, src):                                   # (B, S)
        return self.rnn(self.embedding(src))                  # (B, S, H), h_n (1, B, H)


class DecoderRNN(nn.Module):
    def __init__(self, vocab=20, hidden_size=256, bidirectional=False):
        super().__init__()
        self.hidden_size = hidden_size * 2 if bidirectional else 1    # meant hidden_size * (2 if bidirectional else 1)
        self.embedding = nn.Embedding(vocab, 8)
        self.rnn = nn.GRU(8, self.hidden_size, batch_first=True)

    def forward(self, tgt, hidden):                           # (B, T), (1, B, H)
        return self.rnn(self.embedding(tgt), hidden)


class Seq2seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = EncoderRNN()
        self.decoder = DecoderRNN()

    def forward(self, src, tgt):
        _, encoder_hidden = self.encoder(src)                 # (1, B, 256)
        return self.decoder(tgt, encoder_hidden)


@raises("https://github.com/IBM/pytorch-seq2seq/pull/184", "model.decoder.rnn", "state_hidden", sizes=(1, 256),
        truth="`hidden_size * 2 if bidirectional else 1` parses as (hidden_size * 2) if bidirectional else 1, so a "
              "unidirectional decoder was built with hidden_size=1 and could not take the encoder's 256-wide state; "
              "the merged fix is hidden_size * (2 if bidirectional else 1).")
def decoder_width_lost_to_operator_precedence():
    model = Seq2seq()
    model(_ids((16, 7), 20), _ids((16, 5), 20))


class SentimentRNN(nn.Module):
    def __init__(self, vocab_size=50, output_size=1, embedding_dim=8, hidden_dim=256, n_layers=2):
        super().__init__()
        self.n_layers, self.hidden_dim = n_layers, hidden_dim
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, n_layers, dropout=0.5, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_size)

    def forward(self, x, hidden):                             # (B, T)
        lstm_out, hidden = self.lstm(self.embedding(x), hidden)
        return torch.sigmoid(self.fc(lstm_out[:, -1])), hidden

    def init_hidden(self, batch_size):
        return (torch.zeros(self.n_layers, batch_size, self.hidden_dim),
                torch.zeros(self.n_layers, batch_size, self.hidden_dim))


@raises("https://github.com/udacity/deep-learning-v2-pytorch/pull/398", "net.lstm", "state_batch", sizes=(4, 64),
        truth="The hidden state is made once with init_hidden(batch_size=64), but 2500 validation reviews leave a "
              "last batch of 4; the PR adds drop_last=True so every batch has 64 reviews.")
def state_for_64_reviews_on_a_last_batch_of_4():
    batch_size = 64
    net = SentimentRNN()
    h = net.init_hidden(batch_size)
    reviews = _ids((2500 % batch_size, 10), 50)               # the validation loader's last batch: 4 reviews
    h = tuple(each.data for each in h)
    net(reviews, h)


class BiLSTM(nn.Module):
    def __init__(self, input_size=300, hidden_size=100, num_layers=2):
        super().__init__()
        self.num_layers, self.hidden_size = num_layers, hidden_size
        self.bilstm = nn.LSTM(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers,
                              bidirectional=True, bias=True)  # batch_first not given: (seq_len, batch, input)

    def forward(self, x):                                     # (batch=4, seq_len=10, 300)
        batch = x.size(0)
        h0 = torch.zeros(self.num_layers * 2, batch, self.hidden_size)
        c0 = torch.zeros(self.num_layers * 2, batch, self.hidden_size)
        output, (hn, cn) = self.bilstm(x, (h0, c0))
        return output


@raises("https://programmerah.com/runtimeerror-expected-hidden0-size-x-x-x-gotx-x-x-39265/", "model.bilstm",
        "state_batch", sizes=(10, 4),
        truth="The data was (batch, seq_len, features) but the LSTM was built without batch_first=True, so it took "
              "the sequence length 10 for the batch; the author found that batch_first was the missing setting.")
def batch_first_data_with_states_for_the_real_batch():
    model = BiLSTM()
    model(torch.randn(4, 10, 300))


class AttnEncoder(nn.Module):
    def __init__(self, vocab=30, emb=8, hidden=32, num_layers=1):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.rnn = nn.LSTM(emb, hidden, num_layers, bidirectional=True)
        self.fc_hidden = nn.Linear(hidden * 2, hidden)
        self.fc_cell = nn.Linear(hidden * 2, hidden)

    def forward(self, src):                                   # (S, B)
        states, (h, c) = self.rnn(self.embedding(src))        # (S, B, 2H), (2, B, H)
        hidden = self.fc_hidden(torch.cat((h[0:1], h[1:2]), dim=2))     # (1, B, H)
        cell = self.fc_cell(torch.cat((c[0:1], c[1:2]), dim=2))
        return states, hidden, cell


class AttnDecoder(nn.Module):
    def __init__(self, vocab=30, emb=8, hidden=32, num_layers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.rnn = nn.LSTM(hidden * 2 + emb, hidden, num_layers)
        self.energy = nn.Linear(hidden * 3, 1)
        self.fc = nn.Linear(hidden, vocab)

    def forward(self, token, states, hidden, cell):          # (B,), (S, B, 2H), (L, B, H)
        x = self.embedding(token.unsqueeze(0))                # (1, B, E)
        h = hidden.repeat(states.shape[0], 1, 1)              # (S, B, H)
        attention = torch.relu(self.energy(torch.cat((h, states), dim=2))).softmax(dim=0)    # (S, B, 1)
        context = torch.einsum("sbk,sbh->kbh", attention, states)                           # (1, B, 2H)
        out, (hidden, cell) = self.rnn(torch.cat((context, x), dim=2), (hidden, cell))
        return self.fc(out.squeeze(0)), hidden, cell


class AttnSeq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = AttnEncoder()
        self.decoder = AttnDecoder(num_layers=2)              # num_layers raised from 1 to 2

    def forward(self, src, first_token):
        states, hidden, cell = self.encoder(src)
        return self.decoder(first_token, states, hidden, cell)


@raises("https://github.com/aladdinpersson/Machine-Learning-Collection/issues/110", "model.decoder.rnn",
        "state_rows", sizes=(2, 1),
        truth="The encoder hands the decoder one layer's state (its two directions merged by a Linear into shape "
              "(1, B, H)), so a decoder built with num_layers=2 gets 1 row where it needs 2.")
def one_layer_state_into_a_two_layer_decoder():
    model = AttnSeq2Seq()
    sentence = _ids((9, 1), 30)                               # translate_sentence: one sentence, (S, 1)
    model(sentence, torch.tensor([1]))                        # <sos>


class CourteousSeq2Seq(nn.Module):
    def __init__(self, vocab=40, emb=8, hidden=16):
        super().__init__()
        self.src_embedding = nn.Embedding(vocab, emb)
        self.trg_embedding = nn.Embedding(vocab, emb)
        self.encoder = nn.LSTM(emb, hidden, batch_first=True)
        self.decoder = nn.LSTM(emb, hidden, batch_first=True)

    def forward(self, input_src, input_trg):
        src_emb = self.src_embedding(input_src)               # (B, S, E)
        trg_emb = self.trg_embedding(input_trg)               # (B, T, E)
        _, (src_h_t, src_c_t) = self.encoder(src_emb)         # (1, B, H)
        h_t, c_t = src_h_t[-1], src_c_t[-1]                   # (B, H): the layer axis indexed away
        trg_h, _ = self.decoder(trg_emb, (h_t, c_t))
        return trg_h


@raises("https://github.com/pytorch/pytorch/pull/3925", "model.decoder", "state_dims",
        truth="The decoder's initial state was the encoder's last layer taken as (B, H), but an LSTM's states are "
              "(num_layers * num_directions, B, H) even for one layer; it needs h_t.unsqueeze(0) (old message: "
              "'Expected hidden[0] size (1, 64, 256), got (64, 256)').")
def decoder_state_without_its_layer_axis():
    model = CourteousSeq2Seq()
    model(_ids((64, 6), 40), _ids((64, 5), 40))


# -- recurrent layers: results used wrongly ------------------------------------------------------

@raises("https://github.com/pytorch/pytorch/issues/3349", "model.1", "rnn_tuple_output",
        truth="nn.Sequential hands each module's whole result to the next, and an LSTM returns (output, (h_n, "
              "c_n)), so the Linear gets a tuple; maintainers answered that Sequential is deliberately simple and "
              "such a model needs its own forward.")
def an_lstm_then_a_linear_in_nn_sequential():
    model = nn.Sequential(nn.LSTM(8, 16), nn.Linear(16, 3))
    model(torch.randn(7, 4, 8))                               # (T, B, E)


class CharRNN(nn.Module):
    def __init__(self, input_size=20, hidden_size=16, output_size=20, model="gru", n_layers=1):
        super().__init__()
        self.model, self.hidden_size, self.n_layers = model.lower(), hidden_size, n_layers
        self.encoder = nn.Embedding(input_size, hidden_size)
        if self.model == "gru":
            self.rnn = nn.GRU(hidden_size, hidden_size, n_layers)
        elif self.model == "lstm":
            self.rnn = nn.LSTM(hidden_size, hidden_size, n_layers)
        self.decoder = nn.Linear(hidden_size, output_size)

    def forward(self, input, hidden):                         # (B,)
        encoded = self.encoder(input)
        output, hidden = self.rnn(encoded.view(1, input.size(0), -1), hidden)
        return self.decoder(output.view(input.size(0), -1)), hidden

    def init_hidden(self, batch_size):
        if self.model == "lstm":
            return (torch.zeros(self.n_layers, batch_size, self.hidden_size),
                    torch.zeros(self.n_layers, batch_size, self.hidden_size))
        return torch.zeros(self.n_layers, batch_size, self.hidden_size)


@raises("https://github.com/spro/char-rnn.pytorch/issues/2", "", "lstm_state_pair",    # new cause
        truth="The training script moves the state with hidden.cuda(), written for the GRU's single tensor; with "
              "--model lstm init_hidden returns the pair (h, c), so each of the two must be moved.")
def the_lstm_state_pair_moved_as_one_tensor():
    device = "cpu"                                            # the script's --cuda: hidden.cuda()
    decoder = CharRNN(model="lstm")
    hidden = decoder.init_hidden(100)
    hidden = hidden.to(device)


class EncoderLSTM(nn.Module):
    def __init__(self, input_size=1000, hidden_size=128, n_layers=2):
        super().__init__()
        self.n_layers, self.hidden_size = n_layers, hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.lstm = nn.LSTM(hidden_size, hidden_size, n_layers, batch_first=True)

    def forward(self, inputs, hidden):
        return self.lstm(self.embedding(inputs), hidden)

    def init_hidden(self, batch_size=1):
        return (torch.zeros(self.n_layers, batch_size, self.hidden_size),
                torch.zeros(self.n_layers, batch_size, self.hidden_size))


class BahdanauDecoder(nn.Module):
    def __init__(self, hidden_size=128, output_size=64):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.fc_hidden = nn.Linear(hidden_size, hidden_size, bias=False)
        self.fc_encoder = nn.Linear(hidden_size, hidden_size, bias=False)
        self.weight = nn.Parameter(torch.rand(hidden_size, 1))
        self.lstm = nn.LSTM(hidden_size * 2, hidden_size, batch_first=True)
        self.classifier = nn.Linear(hidden_size, output_size)

    def forward(self, inputs, hidden, encoder_outputs):      # (B, T), (h_n, c_n), (B, S, H)
        embedded = self.embedding(inputs)
        x = torch.tanh(self.fc_hidden(hidden[0]) + self.fc_encoder(encoder_outputs))   # h_n is (layers, B, H)
        alignment_scores = x @ self.weight
        weights = F.softmax(alignment_scores.squeeze(-1), dim=1)
        context = torch.bmm(weights.unsqueeze(1), encoder_outputs)
        output, hidden = self.lstm(torch.cat((embedded[:, :1], context), -1), hidden)
        return self.classifier(output), hidden, weights


@raises("https://github.com/gabrielloye/Attention_Seq2seq-Translation/issues/6", "attn", "state_leading_axis",   # new cause
        truth="hidden[0] is h_n, laid out (num_layers, B, H), and adding its projection to the batch-first encoder "
              "outputs (B, S, H) only lines up for one layer and a batch of one; the poster found hidden[0] was not "
              "the (batch, hidden) state they assumed.")
def stacked_final_state_added_to_batch_first_outputs():
    encoder = EncoderLSTM(input_size=1000, hidden_size=128, n_layers=2)
    inputs = _ids((3, 5), 8, low=0)                           # (batch, seq) = (3, 5)
    target = _ids((3, 9), 20, low=1)
    hidden = encoder.init_hidden(3)
    encoder_output, hidden = encoder(inputs, hidden)
    attn = BahdanauDecoder(hidden_size=128, output_size=64)
    attn(target, hidden, encoder_output)


# -- embeddings: dtype, rows, positions ----------------------------------------------------------

class IncomeModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedded_layer = nn.Sequential(
            nn.Embedding(num_embeddings=4, embedding_dim=8),
            nn.Embedding(num_embeddings=4, embedding_dim=8),
            nn.Embedding(num_embeddings=4, embedding_dim=8))
        self.stacked_layer = nn.Sequential(nn.Linear(24, 16), nn.ReLU(), nn.Linear(16, 1))

    def forward(self, x):                                     # (B, 3): three categorical columns
        x = self.embedded_layer(x)
        return self.stacked_layer(x.flatten(1))


@raises("https://github.com/pytorch/pytorch/issues/116598", "model.embedded_layer.1", "embedding_dtype",
        truth="nn.Sequential chains the three Embeddings, so the second one is looked up with the first one's float "
              "vectors instead of a column of ids; each column needs its own Embedding and the three results joined.")
def three_embeddings_chained_in_nn_sequential():
    model = IncomeModel()
    model(_ids((8, 3), 4, low=0))


class CaptionDecoder(nn.Module):
    def __init__(self, vocab_size=40, embed_dim=8, decoder_dim=16):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, decoder_dim, batch_first=True)
        self.fc = nn.Linear(decoder_dim, vocab_size)

    def forward(self, encoded_captions):                      # (B, T) ids
        embeddings = self.embedding(encoded_captions)
        out, _ = self.lstm(embeddings)
        return self.fc(out)


def summary_like(model, input_size, batch_size=2):
    """What torchsummary.summary does to run a model: an example of random floats of ``input_size``."""
    x = torch.rand(batch_size, *input_size)
    return model(x)


@raises("https://github.com/sksq96/pytorch-summary/issues/64", "model.embedding", "embedding_dtype",
        truth="torchsummary builds its example input with torch.rand, floats, and an Embedding looks rows up by "
              "integer id; a model that starts with an Embedding has to be run on long ids instead.")
def torchsummary_feeds_floats_to_an_embedding():
    model = CaptionDecoder()
    summary_like(model, (12,))


class BigramLanguageModel(nn.Module):
    def __init__(self, vocab_size=65, n_embd=128):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, n_embd)   # the lecture's (vocab_size, vocab_size)

    def forward(self, idx):                                   # (B, T)
        return self.token_embedding_table(idx)                # (B, T, n_embd), read as logits over the vocabulary

    def generate(self, idx, max_new_tokens, generator):
        for _ in range(max_new_tokens):
            logits = self(idx)[:, -1, :]                      # (B, n_embd)
            probs = F.softmax(logits, dim=-1)
            idx_next = torch.multinomial(probs, num_samples=1, generator=generator)   # an id below n_embd
            idx = torch.cat((idx, idx_next), dim=1)
        return idx


@raises("https://github.com/karpathy/ng-video-lecture/issues/20", "m.token_embedding_table", "logits_not_vocab",  # new cause
        truth="The bigram model reads its embedding rows directly as logits over the vocabulary, so with "
              "embedding_dim=128 generate() samples ids up to 127 from a table of 65 rows; the width of the logits "
              "must be vocab_size (or a Linear to vocab_size added).")
def embedding_width_sampled_as_token_ids():
    m = BigramLanguageModel(vocab_size=65, n_embd=128)
    m.generate(torch.zeros((1, 1), dtype=torch.long), max_new_tokens=100, generator=torch.Generator().manual_seed(0))


class TransformerEncoderStub(nn.Module):
    """The tutorial's encoder front: token and learned position embeddings, max_length=100."""

    def __init__(self, input_dim=50, hid_dim=16, max_length=100):
        super().__init__()
        self.tok_embedding = nn.Embedding(input_dim, hid_dim)
        self.pos_embedding = nn.Embedding(max_length, hid_dim)
        self.scale = math.sqrt(hid_dim)

    def forward(self, src):                                   # (B, src_len)
        batch_size, src_len = src.shape
        pos = torch.arange(0, src_len).unsqueeze(0).repeat(batch_size, 1)    # (B, src_len)
        return self.tok_embedding(src) * self.scale + self.pos_embedding(pos)


@raises("https://github.com/bentrevett/pytorch-seq2seq/issues/89", "model.pos_embedding", "position_table_short",  # new cause
        sizes=(100, 128),
        truth="The position embedding has max_length=100 rows, and the poster's batches held sentences of 128 "
              "tokens; sentences must be cut to 100 tokens or max_length raised.")
def sentences_longer_than_the_position_table():
    model = TransformerEncoderStub()
    model(_ids((33, 128), 50))                                # (batch, src_len) as printed in the thread


class LearnedPositionalEmbedding(nn.Embedding):
    """ESM's: positions count up from padding_idx + 1, so the table has max_positions + padding_idx + 1 rows."""

    def __init__(self, max_positions, embedding_dim, padding_idx):
        super().__init__(max_positions + padding_idx + 1, embedding_dim, padding_idx)
        self.max_positions = max_positions

    def forward(self, tokens):                                # (B, T)
        mask = tokens.ne(self.padding_idx).int()
        positions = (torch.cumsum(mask, dim=1) * mask).long() + self.padding_idx
        return F.embedding(positions, self.weight, self.padding_idx)


class ProteinLM(nn.Module):
    def __init__(self, alphabet=33, embed_dim=8, max_positions=1024, padding_idx=1):
        super().__init__()
        self.embed_tokens = nn.Embedding(alphabet, embed_dim, padding_idx=padding_idx)
        self.embed_positions = LearnedPositionalEmbedding(max_positions, embed_dim, padding_idx)

    def forward(self, tokens):
        return self.embed_tokens(tokens) + self.embed_positions(tokens)


@raises("https://github.com/facebookresearch/esm/issues/49", "model.embed_positions", "position_table_short",  # new cause
        sizes=(1026, 1102),
        truth="ESM-1b learned positions for 1024 tokens (1022 residues with the start and end tokens; 1026 rows with "
              "the padding offset), so a longer protein asks for rows past the table; it must be cropped or split.")
def protein_longer_than_the_learned_positions():
    model = ProteinLM()
    model(_ids((1, 1100), 24, low=4))                         # 1100 tokens


class GOPTNoPhn(nn.Module):
    """GOPT without phone input: a learned position table fixed at 50 + 5 positions."""

    def __init__(self, embed_dim=41, num_heads=1, depth=1, input_dim=84, seq_len=50):
        super().__init__()
        self.in_proj = nn.Linear(input_dim, embed_dim)
        self.pos_embed = nn.Parameter(torch.zeros(1, seq_len + 5, embed_dim))     # (1, 55, E)
        self.blocks = nn.ModuleList(nn.TransformerEncoderLayer(embed_dim, num_heads, 64, batch_first=True)
                                    for _ in range(depth))

    def forward(self, x):                                     # (B, T, 84)
        x = self.in_proj(x)                                   # (B, T, E)
        x = x + self.pos_embed                                # T must be 55
        for block in self.blocks:
            x = block(x)
        return x


@raises("https://github.com/YuanGongND/gopt/issues/4", "model", "position_length_fixed", sizes=(55, 4),   # new cause
        truth="The model hard-codes the sequence length (50, plus 5 extra positions) in its learned position table, "
              "so inputs of 4 steps cannot be added to it; the author said to give 50-step inputs or build the "
              "table for the real length.")
def learned_positions_for_a_fixed_length():
    model = GOPTNoPhn()
    model(torch.randn(2, 4, 84))


class PositionalEncoder(nn.Module):
    """Adapted from the PyTorch transformer tutorial to accept batch-first input: only the slice was changed."""

    def __init__(self, dropout=0.1, max_seq_len=5000, d_model=512, batch_first=False):
        super().__init__()
        self.d_model, self.dropout = d_model, nn.Dropout(p=dropout)
        self.x_dim = 1 if batch_first else 0
        position = torch.arange(max_seq_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_seq_len, 1, d_model)             # the tutorial's (max_len, 1, d_model): seq-first
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):                                     # (B, T, D) with batch_first
        x = x + self.pe[:x.size(self.x_dim)]                  # (T, 1, D) against (B, T, D)
        return self.dropout(x)


@raises("https://github.com/KasperGroesLudvigsen/influenza_transformer/issues/9", "encoder", "positions_layout",  # new cause
        truth="The encoding table kept the tutorial's seq-first layout (max_len, 1, d_model) while x is batch-first, "
              "so pe[:T] is (T, 1, D) against (B, T, D); for batch-first input the table must be (1, max_len, "
              "d_model), sliced on axis 1 (the poster's PR #10 fixed the encoder).")
def seq_first_position_table_on_batch_first_input():
    encoder = PositionalEncoder(d_model=16, max_seq_len=50, batch_first=True)
    encoder(torch.randn(4, 10, 16))


# -- packing -----------------------------------------------------------------------------------

class PackedLSTM(nn.Module):
    def __init__(self, input_size=16, hidden_size=8):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, batch_first=True, bidirectional=True)

    def forward(self, x, lens):                               # (B, T, C), a Python list of B lengths
        lens = torch.tensor(lens, dtype=torch.int64, device=torch.device("cpu"))
        x = pack_padded_sequence(x, lens, batch_first=True)
        out, _ = self.lstm(x)
        return pad_packed_sequence(out, batch_first=True)


@raises("https://github.com/pytorch/pytorch/issues/13214", "model", "pack_lengths_count", sizes=(4, 8),  # new cause
        truth="Under nn.DataParallel the padded batch is split across the GPUs but a Python list of lengths is "
              "copied whole to every replica, so each replica packs half the batch with all the lengths; the "
              "lengths must travel as a tensor that is split with the batch.")
def each_replica_gets_the_whole_list_of_lengths():
    model = PackedLSTM()
    inputs = torch.randn(8, 12, 16)                           # (B, T, C)
    lens = list(range(12, 4, -1))                             # 8 lengths, longest first
    replica_inputs = inputs.chunk(2)[0]                       # what DataParallel gives the first of two replicas
    model(replica_inputs, lens)


class GRUEncoder(nn.Module):
    def __init__(self, input_size=30, hidden_size=16):
        super().__init__()
        self.embedding = nn.Embedding(input_size, 8)
        self.gru = nn.GRU(8, hidden_size)

    def forward(self, input_seqs, input_lengths):            # (T, B), lengths in dataset order
        embedded = self.embedding(input_seqs)
        packed = pack_padded_sequence(embedded, input_lengths)
        outputs, hidden = self.gru(packed)
        outputs, _ = pad_packed_sequence(outputs)
        return outputs, hidden


@raises("https://github.com/pytorch/pytorch/issues/8026", "encoder", "pack_sorted",
        truth="pack_padded_sequence was given lengths in the order of the data, and it needs them longest first; "
              "the answer was to sort the batch by length (today enforce_sorted=False does it).")
def batch_not_sorted_by_length_before_packing():
    encoder = GRUEncoder()
    ids = _ids((7, 3), 30)                                    # (T, B)
    encoder(ids, [4, 7, 5])


# -- attention: masks ----------------------------------------------------------------------------

def length_to_mask(length, max_len=None):
    """speechbrain's: a (B, max_len) mask, True inside each length; max_len defaults to the longest length."""
    if max_len is None:
        max_len = int(length.max().item())
    return torch.arange(max_len)[None, :] < length[:, None]


class ASREncoder(nn.Module):
    def __init__(self, d_model=16, nhead=2):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model, nhead, 32, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)

    def forward(self, src, wav_len):                          # (B, T, D), lengths relative to T
        abs_len = torch.round(wav_len * src.shape[1])
        src_key_padding_mask = ~length_to_mask(abs_len)       # (B, abs_len.max()), not (B, T)
        return self.encoder(src, src_key_padding_mask=src_key_padding_mask)


@raises("https://github.com/speechbrain/speechbrain/issues/2344", "model.encoder.layers.0.self_attn",
        "padding_mask_shape", sizes=((3, 10), (3, 8)),
        truth="The padding mask is as wide as the longest relative length, and when a batch is padded past its "
              "longest utterance (every wav_len < 1) it is narrower than src; the fix passes max_len=src.shape[1].")
def padding_mask_as_wide_as_the_longest_length_only():
    model = ASREncoder()
    model(torch.randn(3, 10, 16), torch.tensor([0.8, 0.6, 0.5]))   # padded to 10 steps, longest is 8


@raises("https://github.com/pytorch/pytorch/issues/25129", "model.layers.0.self_attn", "padding_mask_layout",
        sizes=((1, 2), (2, 1)),
        truth="The padding mask was made (S, N) = (2, 1), laid out like the seq-first input, while "
              "src_key_padding_mask is (N, S); the same poster's next issue (#25132) asked for the two layouts "
              "to agree.")
def padding_mask_laid_out_like_the_seq_first_input():
    model = nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model=10, nhead=1, dim_feedforward=50), 3,
                                  enable_nested_tensor=False)
    x = torch.randn(2, 1, 10)                                 # (S, N, E)
    mask = torch.zeros(2, 1).bool()                           # (S, N)
    model(x, src_key_padding_mask=mask)


class ForecastTransformer(nn.Module):
    def __init__(self, hidden_dim=10):
        super().__init__()
        self.transformer = nn.Transformer(hidden_dim * 2, 4, num_encoder_layers=1, num_decoder_layers=1,
                                          dim_feedforward=32, batch_first=True)

    def forward(self, x):                                     # (B, T, 2 * hidden_dim)
        attention_mask = nn.Transformer.generate_square_subsequent_mask(x.shape[0])    # built from the batch axis
        return self.transformer(x, x, src_mask=attention_mask, tgt_mask=attention_mask,
                                src_is_causal=True, tgt_is_causal=True)


@raises("https://github.com/pytorch/pytorch/issues/115472", "model.transformer.encoder.layers.0",
        "attn_mask_shape", sizes=((5, 5), (8, 8)),
        truth="With batch_first=True, x.shape[0] is the batch, so the (B, B) mask has the wrong size for (T, T) "
              "attention; training let it through, and prediction (eval, no_grad) raised. The maintainer pointed to "
              "src_mask being (S, S) with S = src.shape[1].")
def causal_mask_sized_by_the_batch_at_prediction():
    model = ForecastTransformer()
    model.eval()
    with torch.no_grad():
        model(torch.randn(8, 5, 20))                          # (B, T, 20); the poster's was (64, 52, 20)


@raises("https://openillumi.com/en/en-pytorch-transformer-attention-mask-fix", "decoder.layers.0.self_attn",
        "attn_mask_shape", sizes=((16, 16), (4, 16)),
        truth="The tokenizer's attention_mask is a (batch, seq) padding mask, and tgt_mask is the (seq, seq) "
              "attention mask; the padding mask belongs in tgt_key_padding_mask, as (attention_mask == 0).")
def tokenizer_padding_mask_given_as_tgt_mask():
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(d_model=8, nhead=2, dim_feedforward=16,
                                                               batch_first=True), num_layers=1)
    attention_mask = torch.ones(4, 16, dtype=torch.long)      # from the tokenizer: 1 for words, 0 for padding
    attention_mask[1, 12:] = 0
    tgt, memory = torch.randn(4, 16, 8), torch.randn(4, 16, 8)
    decoder(tgt, memory, tgt_mask=attention_mask.float())


@raises("https://github.com/pytorch/pytorch/issues/64706", "attention", "attn_mask_shape",
        sizes=((6, 5, 5), (3, 5, 5)),
        truth="A 3-D attn_mask holds one (L, S) mask per batch element per head, (N * num_heads, L, S); one per "
              "example, (N, L, S), has to be repeated for the heads (repeat_interleave(num_heads, 0)).")
def one_mask_per_example_without_the_heads():
    attention = nn.MultiheadAttention(8, 2, batch_first=True)
    x = torch.randn(3, 5, 8)                                  # (N, L, E)
    mask = torch.zeros(3, 5, 5, dtype=torch.bool)            # (N, L, S)
    attention(x, x, x, attn_mask=mask)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d_model, n_head, attn_mask):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_head)
        self.ln_1 = nn.LayerNorm(d_model)
        self.attn_mask = attn_mask

    def forward(self, x):                                     # (L, N, D)
        y = self.ln_1(x)
        return x + self.attn(y, y, y, need_weights=False, attn_mask=self.attn_mask)[0]


class TextEncoder(nn.Module):
    """CLIP's text tower: the causal mask is built once, for the configured word_len."""

    def __init__(self, vocab=100, width=8, heads=2, layers=1, word_len=17, context_length=77):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.positional_embedding = nn.Parameter(torch.zeros(context_length, width))
        mask = torch.full((word_len, word_len), float("-inf")).triu(1)
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads, mask) for _ in range(layers)])

    def forward(self, text):                                  # (N, 77)
        x = self.token_embedding(text) + self.positional_embedding
        x = x.permute(1, 0, 2)                                # (77, N, D)
        return self.resblocks(x)


@raises("https://github.com/kkakkkka/ETRIS/issues/8", "model.resblocks.0.attn", "attn_mask_shape",
        sizes=((77, 77), (17, 17)),
        truth="The causal mask was built for word_len=17 from the config while the text was tokenized to 77 "
              "tokens; setting word_len to 77 made the mask match.")
def causal_mask_built_for_another_length():
    model = TextEncoder()
    model(_ids((2, 77), 100))


# -- attention: sizes and layout -----------------------------------------------------------------

class DividedTemporalAttention(nn.Module):
    def __init__(self, embed_dims=1024, num_heads=12):
        super().__init__()
        self.norm = nn.LayerNorm(embed_dims)
        self.attn = nn.MultiheadAttention(embed_dims, num_heads)


@raises("https://github.com/open-mmlab/mmaction2/issues/1271", "", "heads_divide",   # new cause
        truth="embed_dims=1024 was set while TimeSformer keeps num_heads=12, and 1024 is not divisible by 12; the "
              "maintainer suggested 16 or 32 heads.")
def embed_dims_not_divisible_by_the_heads():
    DividedTemporalAttention(embed_dims=1024, num_heads=12)


class PointAttention(nn.Module):
    """Point-MAE's (timm-style) attention: the heads are split with one reshape."""

    def __init__(self, dim, num_heads=6):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=False)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):                                     # (B, N, C)
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))


class PointBlock(nn.Module):
    def __init__(self, dim=512, num_heads=6):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = PointAttention(dim, num_heads)

    def forward(self, x):
        return x + self.attn(self.norm1(x))


@raises("https://github.com/Pang-Yatian/Point-MAE/issues/24", "block.attn", "heads_divide",   # new cause
        truth="With trans_dim=512 and 6 heads each head gets 512 // 6 = 85 features, and 3 * 6 * 85 does not "
              "cover the 3 * 512 projections; the dimension must be divisible by the number of heads.")
def encoder_width_not_divisible_by_the_heads():
    block = PointBlock(dim=512, num_heads=6)
    block(torch.randn(2, 4, 512))                             # (B, groups, trans_dim)


@raises("https://github.com/pytorch/pytorch/issues/41070", "multihead_attn", "attn_vdim", sizes=(4, 10),   # new cause
        truth="vdim=4 tells the layer the values have 4 features, but the values passed had emb_dim=10; vdim must "
              "be the values' own last size (here leave it out, or pass 4-feature values).")
def vdim_set_but_values_of_embed_dim():
    emb_dim, num_heads, v_dim = 10, 1, 4
    multihead_attn = nn.MultiheadAttention(emb_dim, num_heads=num_heads, vdim=v_dim)
    query = torch.rand(10, 2, emb_dim)
    key = torch.rand(10, 2, emb_dim)
    values = torch.rand(10, 2, emb_dim)
    multihead_attn(query, key, values)


@raises("https://github.com/pytorch/pytorch/issues/122959", "attention", "attn_batch_first",   # new cause
        truth="The tensors are (batch, seq, embed) but the layer was built without batch_first=True, so it read "
              "axis 1 as the batch: 1 for the query and 23 for the keys; a later commenter confirmed batch_first "
              "was the fix.")
def batch_first_query_and_keys_into_seq_first_attention():
    attention = nn.MultiheadAttention(embed_dim=16, num_heads=4)   # the poster's was 1536 wide
    query = torch.randn(1, 1, 16)                             # one video's embedding
    key = value = torch.randn(1, 23, 16)                      # its 23 most similar videos
    attention(query, key, value)


# == silent ======================================================================================

class BidirectionalLSTM(nn.Module):
    def __init__(self, nIn, nHidden, nOut):
        super().__init__()
        self.rnn = nn.LSTM(nIn, nHidden, bidirectional=True, batch_first=True)   # switched on for TensorRT
        self.embedding = nn.Linear(nHidden * 2, nOut)

    def forward(self, input):                                 # still given (w, b, c)
        recurrent, _ = self.rnn(input)
        T, b, h = recurrent.size()
        output = self.embedding(recurrent.reshape(T * b, h))    # view() in the thread: on the GPU (cuDNN) the
        # batch-first output is contiguous; on the CPU it is a transposed view, and view() would raise
        return output.view(T, b, -1)


class CRNN(nn.Module):
    def __init__(self, nc=1, nclass=5, nh=16):
        super().__init__()
        self.cnn = nn.Sequential(nn.Conv2d(nc, 8, 3, 1, 1), nn.ReLU(True), nn.MaxPool2d(2, 2),
                                 nn.Conv2d(8, 16, 3, 1, 1), nn.ReLU(True), nn.AdaptiveMaxPool2d((1, None)))
        self.rnn = BidirectionalLSTM(16, nh, nclass)

    def forward(self, input):                                 # (b, nc, H, W)
        conv = self.cnn(input)                                # (b, c, 1, w)
        conv = conv.squeeze(2).permute(2, 0, 1)               # [w, b, c]: seq-first, as before the change
        return self.rnn(conv)                                 # (w, b, nclass) for CTC


@silent("https://discuss.pytorch.org/t/lstm-change-batch-first-true-loss-does-not-decrease/62364", "model.rnn.rnn",
        "batch_on_time_axis samples_mix",
        truth="Only the LSTM was switched to batch_first=True; the thread's CRNN still permutes its features to "
              "(width, batch, channels), so (as running it shows) the image columns are read as the batch and the "
              "batch as time, and the loss stops falling.")
def crnn_lstm_switched_to_batch_first_alone():
    return dict(model=CRNN(), example_input=torch.randn(3, 1, 8, 32))


class BiRNN(nn.Module):
    def __init__(self, input_size=28, hidden_size=16, num_layers=2, num_classes=10):
        super().__init__()
        self.hidden_size, self.num_layers = hidden_size, num_layers
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(hidden_size * 2, num_classes)

    def forward(self, x):                                     # (B, 28, 28): image rows as steps
        h0 = torch.zeros(self.num_layers * 2, x.size(0), self.hidden_size)
        c0 = torch.zeros(self.num_layers * 2, x.size(0), self.hidden_size)
        out, _ = self.lstm(x, (h0, c0))                       # (B, T, 2H)
        return self.fc(out[:, -1, :])                         # the backward half has read one row


@silent("https://github.com/yunjey/pytorch-tutorial/issues/149", "model.fc", "bidirectional_half",
        truth="out[:, -1, :] of a bidirectional LSTM joins the forward direction's last state with the backward "
              "direction's first step, which has seen only the last row; the thread proposes the forward's last "
              "and the backward's first output (h_n of both directions).")
def last_step_of_a_bidirectional_lstm_as_the_image_vector():
    return dict(model=BiRNN(), example_input=torch.randn(4, 28, 28))


class UpdatedSentimentRNN(nn.Module):
    """The 'updated sentiment analysis' model run without packing: padding goes through both directions."""

    def __init__(self, vocab_size=30, embedding_dim=8, hidden_dim=16, output_dim=1, n_layers=2, pad_idx=1):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim, num_layers=n_layers, bidirectional=True)
        self.fc = nn.Linear(hidden_dim * 2, output_dim)

    def forward(self, text):                                  # (T, B), padded with <pad> = 1
        embedded = self.embedding(text)
        output, (hidden, cell) = self.rnn(embedded)
        hidden = torch.cat((hidden[-2], hidden[-1]), dim=1)
        return self.fc(hidden)


def _padded_time_first(lengths, vocab=30, pad=1):
    ids = torch.full((len(lengths), max(lengths)), pad)
    g = torch.Generator().manual_seed(0)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(2, vocab, (n,), generator=g)
    return ids.T.contiguous()                                 # (T, B), as torchtext gives it


@silent("https://github.com/bentrevett/pytorch-sentiment-analysis/issues/86", "model.rnn",
        "padding_unpacked padding_read",
        truth="Without packing, the final hidden state of a padded sentence comes after its <pad> tokens (and the "
              "backward direction starts in them); the LSTM has to learn to ignore them, which packing avoids.")
def padded_reviews_through_an_unpacked_lstm():
    return dict(model=UpdatedSentimentRNN(), example_input=_padded_time_first([7, 4, 5, 3]), batch_dim=1)


class AttentionSubBlock(nn.Module):
    def __init__(self, dim=16, num_heads=2):
        super().__init__()
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.attn = nn.MultiheadAttention(dim, num_heads)     # batch_first left at False

    def forward(self, x):                                     # (N, L, E) from the patch embedding
        x = self.norm(x)
        out, _ = self.attn(x, x, x)
        return out


@silent("https://github.com/karttikeya/minREV/issues/4", "model.attn", "samples_mix batch_on_time_axis",
        truth="nn.MultiheadAttention defaults to (L, N, E), and the ViT block gave it (N, L, E), so attention ran "
              "across the images of the batch; the author confirmed and fixed it.")
def batch_first_patches_into_seq_first_attention():
    return dict(model=AttentionSubBlock(), example_input=torch.randn(3, 5, 16))


class SeqFirstPositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=256):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):                                     # documented (T, B, d); given (B, T, d)
        x = x + self.pe[:x.size(0)]                           # row b of the table added to every step of example b
        return self.dropout(x)


class AttnModule(nn.Module):
    def __init__(self, hidden=16, layers=1, heads=2):
        super().__init__()
        self.pos_encoder = SeqFirstPositionalEncoding(hidden, dropout=0.1)
        layer = nn.TransformerEncoderLayer(hidden, heads, hidden * 2, dropout=0.1, batch_first=True)
        self.module = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)

    def forward(self, x):                                     # (B, L, D)
        x = self.pos_encoder(x)
        return self.module(x)


@silent("https://github.com/tanjimin/C.Origami/issues/42", "model.pos_encoder", "positions_wrong_axis",  # new kind
        truth="The encoding expects (seq_len, batch, d) but receives (batch, seq_len, d), so pe[:x.size(0)] gives "
              "each example one position's code for all its steps; the maintainer agreed the PE is wrong.")
def positions_taken_from_the_batch_axis():
    return dict(model=AttnModule(), example_input=torch.randn(3, 7, 16))


# == correct (asked about, but right) ==========================================================

class TutorialPositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):                                     # (seq_len, batch, d_model)
        return self.dropout(x + self.pe[:x.size(0)])


class TransformerModel(nn.Module):
    def __init__(self, ntoken=30, d_model=16, nhead=2, d_hid=32, nlayers=1, dropout=0.2):
        super().__init__()
        self.d_model = d_model
        self.pos_encoder = TutorialPositionalEncoding(d_model, dropout)
        self.transformer_encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout),
                                                         nlayers, enable_nested_tensor=False)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.linear = nn.Linear(d_model, ntoken)

    def forward(self, src, src_mask):                         # (seq_len, batch), (seq_len, seq_len)
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        return self.linear(self.transformer_encoder(src, src_mask))


@correct("https://github.com/pytorch/tutorials/issues/1547")
def transformer_tutorial_batches_are_seq_first():
    bptt, batch_size = 5, 4
    data = _ids((bptt, batch_size), 30, low=0)               # get_batch(): (seq_len, batch)
    src_mask = nn.Transformer.generate_square_subsequent_mask(bptt)
    return dict(model=TransformerModel(), example_input=(data, src_mask), batch_dim=1)


@correct("https://github.com/pytorch/pytorch/issues/27623")
def values_narrower_than_queries_with_vdim():
    batch_size, seq_len, embed_dim, value_dim = 5, 10, 24, 12
    query = torch.randn(seq_len, batch_size, embed_dim)
    key = torch.randn(seq_len, batch_size, embed_dim)
    value = torch.randn(seq_len, batch_size, value_dim)
    mha = nn.MultiheadAttention(embed_dim, 1, vdim=value_dim)
    return dict(model=mha, example_input=(query, key, value), batch_dim=1)


class BertLSTM(nn.Module):
    def __init__(self, vocab=30, rnn_hidden_size=16, num_layers=2, num_labels=3):
        super().__init__()
        self.bert = nn.Embedding(vocab, 768)                  # stands in for BERT's encoded layers
        self.rnn = nn.LSTM(768, rnn_hidden_size, num_layers, bidirectional=True, batch_first=True)
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(rnn_hidden_size * 2, num_labels)

    def forward(self, input_ids):                             # (B, T)
        encoded_layers = self.bert(input_ids)                 # (B, T, 768)
        _, (hidden, cell) = self.rnn(encoded_layers)          # (layers * 2, B, H): batch_first does not apply
        hidden = self.dropout(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1))
        return self.classifier(hidden)


@correct("https://github.com/songyingxin/Bert-TextClassification/issues/16")
def final_states_of_a_batch_first_bilstm_indexed_on_axis_0():
    return dict(model=BertLSTM(), example_input=_ids((4, 9), 30))


class GPT(nn.Module):
    def __init__(self, vocab_size=40, n_embd=16, block_size=12):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
        self.position_embedding_table = nn.Embedding(block_size, n_embd)
        self.ln_final = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size)

    def forward(self, idx):                                   # (B, T)
        batch, seq_len = idx.size()
        token_emb = self.token_embedding_table(idx)           # (B, T, E)
        pos_emb = self.position_embedding_table(torch.arange(seq_len, device=idx.device))   # (T, E), broadcast
        return self.lm_head(self.ln_final(token_emb + pos_emb))


@correct("https://github.com/bbruceyuan/LLMs-Zero-to-Hero/issues/3")
def position_embeddings_broadcast_over_the_batch():
    return dict(model=GPT(), example_input=_ids((3, 10), 40, low=0))
