"""Are Chapter 6's sentences the same for everyone, tagged consistently, and hard enough that context matters?"""
from collections import Counter, defaultdict

import pytest

from shapeschool import ShapeSchoolError
from shapeschool import tagged_text as corpus


def test_the_same_seed_writes_the_same_sentences_and_another_seed_others():
    assert corpus.sentences(50, seed=3) == corpus.sentences(50, seed=3)
    assert corpus.sentences(50, seed=3) != corpus.sentences(50, seed=4)


def test_every_token_is_a_word_and_a_known_tag_and_every_sentence_ends_in_punctuation():
    for sentence in corpus.sentences(300):
        assert sentence[-1][1] == "PUNCT" and sentence[0][0][0].isupper()
        for word, tag in sentence:
            assert tag in corpus.TAGS and word and " " not in word


def test_the_sentences_vary_in_length_as_padding_needs():
    lengths = Counter(len(s) for s in corpus.sentences(300))
    assert len(lengths) >= 8 and min(lengths) <= 5 and max(lengths) >= 14


def test_many_words_carry_more_than_one_tag_so_a_lookup_cannot_tag_them():
    tags = defaultdict(set)
    for sentence in corpus.sentences(600):
        for word, tag in sentence:
            tags[word.lower()].add(tag)
    ambiguous = {w for w, t in tags.items() if len(t) > 1}
    assert {"watch", "book", "her", "like", "can", "well"} <= ambiguous
    assert len(ambiguous) >= 25


def test_the_baseline_is_far_from_perfect():
    train, test = corpus.split(corpus.sentences(600))
    assert 0.8 < corpus.most_frequent_tag_accuracy(train, test) < 0.95


def test_the_baseline_counts_a_word_it_never_saw_as_the_commonest_tag():
    train = [[("the", "DET"), ("dog", "NOUN"), ("dog", "NOUN"), ("runs", "VERB")]]
    assert corpus.most_frequent_tag_accuracy(train, [[("cat", "NOUN"), ("the", "DET")]]) == 1.0
    assert corpus.most_frequent_tag_accuracy(train, [[("cat", "VERB")]]) == 0.0


def test_split_keeps_the_last_share_for_testing():
    tagged = corpus.sentences(10)
    train, test = corpus.split(tagged, held_out=0.3)
    assert train == tagged[:7] and test == tagged[7:]


@pytest.mark.parametrize("n", [0, -3, 2.5, "10"])
def test_a_bad_number_of_sentences_is_named(n):
    with pytest.raises(ShapeSchoolError, match="whole number of sentences"):
        corpus.sentences(n)


@pytest.mark.parametrize("held_out", [0, 1, 1.5, -0.1])
def test_a_bad_held_out_share_is_named(held_out):
    with pytest.raises(ShapeSchoolError, match="between 0 and 1"):
        corpus.split(corpus.sentences(10), held_out=held_out)


def test_too_few_sentences_to_split_is_named():
    with pytest.raises(ShapeSchoolError, match="too few to split"):
        corpus.split(corpus.sentences(1))


def test_the_held_out_part_has_names_the_training_part_never_had():
    train, test = corpus.split(corpus.sentences(600))
    seen = {word.lower() for sentence in train for word, _ in sentence}
    unseen = [(word, tag) for sentence in test for word, tag in sentence if word.lower() not in seen]
    assert len(unseen) >= 5
    assert {tag for _, tag in unseen} == {"PROPN"}


def test_the_same_words_end_sentences_tagged_two_ways_so_no_tagger_reaches_every_word():
    endings = defaultdict(set)   # "saw her watch ." -> {(DET, NOUN), (PRON, VERB)}
    for sentence in corpus.sentences(600):
        if len(sentence) >= 4 and sentence[-3][0] == "her":
            words = tuple(word.lower() for word, _ in sentence[-4:])
            endings[words].add(tuple(tag for _, tag in sentence[-4:]))
    both = {words: tags for words, tags in endings.items() if len(tags) > 1}
    assert len(both) >= 2
    for tags in both.values():
        assert {t[1:3] for t in tags} == {("DET", "NOUN"), ("PRON", "VERB")}
