"""Tagged English sentences, made by code: the data Chapter 6's part-of-speech tagger trains on.

No download and no data file: a small grammar of English writes the sentences, seeded, so every
learner and every grading kernel gets the same corpus. Its tags are the Universal Dependencies
part-of-speech tags. Many of its words are ambiguous the way English words are ("the *watch*
stopped" against "they *watch* the game", "*her* dog" against "saw *her*"): a word's tag can only
be told from its neighbours, so a tagger that reads context beats one that looks each word up.
Some sentences cannot be told even from their neighbours, as in real text: "we saw her watch."
is a woman watching or the watch she owns, and the grammar tags it either way, so no tagger
reaches 100%. Rare names are invented afresh, so the held-out sentences hold words a tagger has
never seen, and it must tag them from context alone.

    train, test = split(sentences(600, seed=0), held_out=0.2)
    train[0]   # [("the", "DET"), ("old", "ADJ"), ("watch", "NOUN"), ("stopped", "VERB"), (".", "PUNCT")]
"""
import random
from collections import Counter

from .errors import ShapeSchoolError

TAGS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT", "VERB")

# Words that are both a noun and a verb, in the forms the grammar uses: (noun, plural, verb
# after a plural subject, verb after a singular subject, past tense).
NOUN_VERBS = (
    ("watch", "watches", "watch", "watches", "watched"), ("book", "books", "book", "books", "booked"),
    ("plant", "plants", "plant", "plants", "planted"), ("paint", "paints", "paint", "paints", "painted"),
    ("ship", "ships", "ship", "ships", "shipped"), ("train", "trains", "train", "trains", "trained"),
    ("light", "lights", "light", "lights", "lit"), ("fish", "fish", "fish", "fishes", "fished"),
    ("water", "waters", "water", "waters", "watered"), ("park", "parks", "park", "parks", "parked"),
    ("record", "records", "record", "records", "recorded"), ("sign", "signs", "sign", "signs", "signed"),
    ("place", "places", "place", "places", "placed"), ("point", "points", "point", "points", "pointed"),
    ("play", "plays", "play", "plays", "played"), ("ring", "rings", "ring", "rings", "rang"),
)
# "can" and "well" are nouns here too, as in "a can of water" against "we can go"
NOUNS = (("can", "cans"), ("well", "wells"), ("dog", "dogs"), ("river", "rivers"), ("teacher", "teachers"), ("city", "cities"),
         ("garden", "gardens"), ("letter", "letters"), ("window", "windows"), ("student", "students"),
         ("machine", "machines"), ("song", "songs"), ("door", "doors"), ("child", "children"))
VERBS = (("see", "sees", "saw"), ("find", "finds", "found"), ("open", "opens", "opened"),
         ("like", "likes", "liked"), ("carry", "carries", "carried"), ("need", "needs", "needed"),
         ("want", "wants", "wanted"), ("keep", "keeps", "kept"))
ADJECTIVES = ("old", "new", "small", "quiet", "green", "broken", "early", "bright", "heavy", "empty")
ADVERBS = ("quickly", "often", "slowly", "today", "again", "well")
NAMES = ("Ada", "Turing", "Lovelace", "Noether", "Hopper", "Oslo", "Kyoto", "Lagos")
NUMBERS = ("two", "three", "four", "seven", "ten")
PREPOSITIONS = ("in", "near", "with", "under", "by", "for")
SUBJECT_PRONOUNS = (("I", "plural"), ("you", "plural"), ("we", "plural"), ("they", "plural"),
                    ("he", "singular"), ("she", "singular"), ("it", "singular"))
OBJECT_PRONOUNS = ("me", "you", "us", "them", "him", "her", "it")
AUXILIARIES = ("can", "will", "must", "should")
PERCEPTION = ("saw", "watched", "heard", "noticed")
SYLLABLES = ("ka", "lo", "mi", "ren", "to", "sa", "vi", "dor", "an", "el", "mu", "zi")


class _Writer:
    """One seeded grammar: each method returns a phrase as [(word, tag), ...]."""

    def __init__(self, rng):
        self.rng = rng

    def pick(self, options):
        return self.rng.choice(options)

    def noun(self, number):
        if self.rng.random() < 0.8:   # the ambiguous nouns are common: context must decide
            forms = self.pick(NOUN_VERBS)
            return [(forms[0] if number == "singular" else forms[1], "NOUN")]
        forms = self.pick(NOUNS)
        return [(forms[0] if number == "singular" else forms[1], "NOUN")]

    def noun_phrase(self, number=None, depth=0):
        """A subject or an object, and whether it is singular or plural."""
        number = number or self.pick(("singular", "plural"))
        roll = self.rng.random()
        if roll < 0.12:
            return [(self.name(), "PROPN")], "singular"
        words = []
        if number == "plural" and roll < 0.25:
            words.append((self.pick(NUMBERS), "NUM"))
        elif number == "plural":
            words.append((self.pick(("the", "these", "some", "those")), "DET"))
        else:
            # "her" as a determiner ("her book"), against the object pronoun ("saw her")
            words.append((self.pick(("the", "a", "this", "her", "his", "every")), "DET"))
        if self.rng.random() < 0.45:
            words.append((self.pick(ADJECTIVES), "ADJ"))
        words += self.noun(number)
        if depth == 0 and self.rng.random() < 0.2:
            words += [(self.pick(PREPOSITIONS), "ADP")] + self.noun_phrase(depth=1)[0]
        return words, number

    def name(self):
        """A known name, or now and then one invented here, met perhaps once in the corpus."""
        if self.rng.random() < 0.7:
            return self.pick(NAMES)
        invented = "".join(self.pick(SYLLABLES) for _ in range(self.rng.randint(2, 3)))
        return invented[:1].upper() + invented[1:]

    def ambiguous(self):
        """ "We saw her watch.": her watch (DET NOUN) or her watching (PRON VERB), a coin toss."""
        words, _ = self.subject()
        forms = self.pick(NOUN_VERBS)
        words.append((self.pick(PERCEPTION), "VERB"))
        if self.rng.random() < 0.5:
            return words + [("her", "DET"), (forms[0], "NOUN")]
        return words + [("her", "PRON"), (forms[2], "VERB")]

    def object(self):
        if self.rng.random() < 0.25:
            return [(self.pick(OBJECT_PRONOUNS), "PRON")]
        return self.noun_phrase()[0]

    def verb(self, number, tense):
        forms = self.pick(NOUN_VERBS) if self.rng.random() < 0.8 else self.pick(VERBS)
        if tense == "past":
            return [(forms[-1], "VERB")]
        if tense == "aux":   # "can book", "will watch": the bare form after an auxiliary
            return [(self.pick(AUXILIARIES), "AUX"), (forms[-3], "VERB")]
        if tense == "to":    # "want to play": "to" marks an infinitive
            return [(self.pick(("want", "need", "like")) + ("s" if number == "singular" else ""), "VERB"),
                    ("to", "PART"), (forms[-3], "VERB")]
        return [(forms[-2] if number == "singular" else forms[-3], "VERB")]

    def subject(self):
        """A pronoun or a noun phrase, and whether it is singular or plural."""
        if self.rng.random() < 0.3:
            word, number = self.pick(SUBJECT_PRONOUNS)
            return [(word, "PRON")], number
        return self.noun_phrase()

    def clause(self):
        words, number = self.subject()
        words += self.verb(number, self.pick(("present", "past", "aux", "to")))
        roll = self.rng.random()
        if roll < 0.75:
            words += self.object()
        if roll > 0.6:
            words.append((self.pick(ADVERBS), "ADV"))
        elif roll > 0.45:   # "like" as a preposition, against the verb "like"
            words += [("like", "ADP")] + self.noun_phrase()[0]
        return words

    def sentence(self):
        if self.rng.random() < 0.08:
            words = self.ambiguous()
            words[0] = (words[0][0][:1].upper() + words[0][0][1:], words[0][1])
            return words + [(".", "PUNCT")]
        words = self.clause()
        if self.rng.random() < 0.2:
            words += [(self.pick(("and", "but", "or")), "CCONJ")] + self.clause()
        words[0] = (words[0][0][:1].upper() + words[0][0][1:], words[0][1])
        return words + [(self.pick((".", ".", ".", "!")), "PUNCT")]


def sentences(n, seed=0):
    """``n`` tagged sentences, each a list of (word, tag); the same ones for the same ``seed``."""
    if not isinstance(n, int) or n < 1:
        raise ShapeSchoolError(f"sentences(n) needs a whole number of sentences, at least 1; got {n!r}")
    writer = _Writer(random.Random(seed))
    return [writer.sentence() for _ in range(n)]


def split(tagged, held_out=0.2):
    """(train, test): the last ``held_out`` share of ``tagged`` is kept for testing."""
    if not 0 < held_out < 1:
        raise ShapeSchoolError(f"held_out is the share of sentences kept for testing, between 0 and 1; got {held_out!r}")
    cut = len(tagged) - max(1, round(len(tagged) * held_out))
    if cut < 1:
        raise ShapeSchoolError(f"{len(tagged)} sentences are too few to split: give at least 2")
    return tagged[:cut], tagged[cut:]


def most_frequent_tag_accuracy(train, test):
    """The baseline a tagger must beat: each word gets the tag it had most often in ``train``
    (a word never seen there, the most common tag of all). Returns the share of ``test``'s words
    tagged right."""
    by_word, overall = {}, Counter()
    for sentence in train:
        for word, tag in sentence:
            by_word.setdefault(word.lower(), Counter())[tag] += 1
            overall[tag] += 1
    fallback = overall.most_common(1)[0][0]
    right = total = 0
    for sentence in test:
        for word, tag in sentence:
            seen = by_word.get(word.lower())
            right += (seen.most_common(1)[0][0] if seen else fallback) == tag
            total += 1
    return right / total
