"""Deciding whether the corpus holds evidence for a question at all.

Two signals, both judged against the corpus at hand rather than thresholds fitted on one corpus:
- semantic: the best passage's similarity to the question, compared with the corpus's own best
  similarities for generic off-topic probe questions (`calibrate`). What counts as a high cosine
  depends on the corpus (its size, its topics, its style), so a fixed cutoff fitted on five
  articles does not transfer; how far a question's best passage stands above questions the corpus
  certainly cannot answer does. A question is grounded when its best passage beats the probes'
  median by FLOOR_SD (robust) standard deviations, and certainly grounded from CONFIDENT_SD above
  their mean;
- lexical: between the two, the share of the question's content words that never occur in the
  corpus. A question about "the Paris climate agreement" shares a vague topic with a war corpus
  but its key words are simply absent; an answerable question, however vaguely worded, is phrased
  mostly in words the corpus uses.
"""

from __future__ import annotations

import re
from statistics import mean, median, pstdev
from typing import TYPE_CHECKING

from assistant.models import GroundingCalibration, voiced_by
from assistant.retrieval.lexical import tokenize
from index.quotations import full_names
from index.turns import is_title

if TYPE_CHECKING:
    from assistant.retrieval.hybrid import Hit, HybridRetriever

# Everyday questions from many domains that no corpus of articles on one subject answers; a corpus
# about one of these domains raises a probe or two, which the mean and spread absorb.
OFF_TOPIC_PROBES = (
    "What is a good recipe for chocolate chip cookies?",
    "How do I reset the password on my wifi router?",
    "Which team won the football match last night?",
    "What will the weather be like tomorrow morning?",
    "How many moons does Jupiter have?",
    "What is the best way to learn to play the guitar?",
    "How do I fix a flat tyre on my bicycle?",
    "What are the symptoms of a vitamin D deficiency?",
    "Which smartphone has the best camera this year?",
    "How long should I boil an egg?",
    "How do I train my puppy to sit?",
    "What time does the supermarket close on Sundays?",
    "How do black holes form?",
    "What happens in the latest superhero movie?",
    "How often should I water my houseplants?",
    "Which programming language should a beginner learn first?",
    "What are the rules for castling in chess?",
    "How much does a flight to Tokyo cost?",
    "What is the healthiest breakfast cereal?",
    "How do I remove a red wine stain from a carpet?",
    "What is the best exercise for lower back pain?",
    "How do I make my laptop battery last longer?",
    "Where can I buy cheap concert tickets?",
    "How do bees make honey?",
)
# Over the eleven corpora in eval/ and their check sets, the floor at 3 robust spreads above the probes'
# median left 6 of 257 answerable questions below it, where 3 spreads above their mean left 17 (6 of one
# corpus whose dog-park and bus debates drew the puppy and flight probes); unanswerable questions
# are mostly refused by the word and silent-person checks, which look past the floor.
FLOOR_SD = 3.0
CONFIDENT_SD = 5.5
# A person the question names is heard from this many spreads above the probes' median (a lower bar than
# FLOOR_SD: the question is about them).
NAMED_SD = 2.0
MIN_SD = 0.03  # a near-constant probe distribution (a tiny corpus) would make any question "clearly above"
MAD_TO_SD = 1.4826  # the median absolute deviation of normal scores times this is their standard deviation
MAX_UNKNOWN_SHARE = 0.34  # more than a third of the content words unknown: off-topic

# Words of the question's form, not its topic ("what does X argue in the article", "the Gazette op-ed", "how
# do they disagree": a debate need not say "disagree" to hold the disagreement; over the 16 sets this
# grounded one more answerable question and refused nothing more).
_FORM_WORDS = """about according after again against all also an any are argue argues argued argument article
articles as author authors be because been before being between both but by can claim corpus could counter
counterpoints debate did do does doing during each few for from give has have having how if in into is it its
just more most much my no nor not now of off on once only or other our out over own piece same say says said
should so some such than that the their them then there these they think thinks this those through to too under
until up very view views was were what when where which while who whom why will with would you your summarize
summary position positions stance op ed oped editorial column essay commentary opinion interview transcript
podcast broadcast newsletter blog letter letters compare compares compared comparison contrast contrasts differ
differs differed difference differences disagree disagrees disagreed disagreement agree agrees agreed agreement
versus""".split()
FORM_TOKENS = set(tokenize([" ".join(_FORM_WORDS)])[0])


def calibrate(generation: str, probe_tops: list[float]) -> GroundingCalibration:
    """The floor and confident bounds from the probes' best-passage similarities.

    The floor stands on the probes' median and median absolute deviation: a probe the corpus happens
    to be about ("How do I train my puppy to sit?" beside a dog-park debate) is an outlier they
    ignore, where it would raise the mean and the spread by itself and put answerable questions
    below the floor. The confident bound keeps the mean and spread, outliers included: above it a
    question skips the word checks, so no probe of the corpus's own topics may reach it.
    """
    centre, spread = mean(probe_tops), max(pstdev(probe_tops), MIN_SD)
    typical = median(probe_tops)
    robust_spread = max(MAD_TO_SD * median(abs(top - typical) for top in probe_tops), MIN_SD)
    return GroundingCalibration(
        generation=generation,
        probes=len(probe_tops),
        probe_mean=round(centre, 4),
        probe_sd=round(spread, 4),
        probe_max=round(max(probe_tops), 4),
        floor=round(typical + FLOOR_SD * robust_spread, 4),
        named=round(typical + NAMED_SD * robust_spread, 4),
        confident=round(centre + CONFIDENT_SD * spread, 4),
    )


def calibration(retriever: HybridRetriever) -> GroundingCalibration | None:
    """This generation's calibration: from the snapshot, else from the store (another process may
    have measured it), else measured now (one batch encode and one search per probe) and stored.
    None for an empty index."""
    snap = retriever.snapshot()
    if snap.grounding is None and snap.passages:
        stored = retriever.store.grounding_calibration(snap.generation)
        if stored is None:
            vectors = retriever.embedder.encode(list(OFF_TOPIC_PROBES))
            tops = [max((h.dense for h in retriever.search(probe, 3, vector=vector)), default=0.0)
                    for probe, vector in zip(OFF_TOPIC_PROBES, vectors)]
            stored = calibrate(snap.generation, tops)
            retriever.store.save_grounding_calibration(stored)
        snap.grounding = stored
    return snap.grounding




def topic_floor(retriever: HybridRetriever, named: bool = False) -> float:
    """The similarity a passage must reach to be a voice on a question in this corpus (the jobs'
    quotes, and which passages diversification may promote): FLOOR_SD spreads above the probes'
    mean, NAMED_SD for the passages of a person the question names; 1.0 on an empty index, where
    nothing is on any topic. Higher than the grounding floor where a probe hits the corpus's own
    topics: whether a question can be answered at all is judged robustly (`calibrate`), but a
    passage must stand clear of every probe to be quoted as a view (a lower bar let weak passages
    of other voices displace strong ones: corpus-general recall@5 0.76 -> 0.67)."""
    bounds = calibration(retriever)
    if bounds is None:
        return 1.0
    return bounds.probe_mean + (NAMED_SD if named else FLOOR_SD) * bounds.probe_sd


def unknown_share(question: str, vocabulary: dict, names: list[str]) -> float:
    """Share of the question's content words (minus names) absent from the corpus vocabulary."""
    name_tokens = set(tokenize([" ".join(names)])[0]) if names else set()
    terms = [t for t in dict.fromkeys(tokenize([question])[0]) if t not in FORM_TOKENS | name_tokens]
    if not terms:
        return 0.0
    return sum(t not in vocabulary for t in terms) / len(terms)


# A capitalised word inside a question (not its first word) names something: a place, a group, a law.
_NAME_WORD = re.compile(r"(?<=[\w,;:'\"\u2019] )[A-Z][\w'\u2019-]+")


def unknown_names(question: str, vocabulary: dict) -> list[str]:
    """The names in the question that the corpus never uses ("Sabbatarian", "Wagner", "Finland")."""
    return [t for word in _NAME_WORD.findall(question) for t in tokenize([word])[0] if t not in vocabulary]


def is_grounded(
    hits: list[Hit], question: str, vocabulary: dict, names: list[str], bounds: GroundingCalibration | None
) -> bool:
    """Between the floor and the confident bound, a question is grounded when most of its words and
    every name it asks about occur in the corpus: a question about something the corpus never names
    ("the Maine liquor law" of a chapter that stops before it) cannot be answered from it, however
    close its other words come."""
    best = max((h.dense for h in hits), default=0.0)
    if bounds is None:  # an empty index grounds nothing
        return False
    if best >= bounds.confident:
        return True
    # A question about a person is on topic from the lower bar the jobs use for a named person's
    # passages, when the best of that person's own passages clears it.
    named_best = max((h.dense for h in hits if voiced_by(h.passage.author, names)), default=0.0)
    on_topic = best >= bounds.floor or named_best >= bounds.named
    return (on_topic and unknown_share(question, vocabulary, names) < MAX_UNKNOWN_SHARE
            and not unknown_names(question, vocabulary))


# A question about what someone said or thinks: "What has Health Minister Rosalind Akers said ...",
# "What argument does former mayor Tessa Lindgren make", "Colin Abernethy's view on ...".
_SPEECH_ACT = (r"(?:say|said|says|think|thinks|argue|argues|argued|propose|proposes|proposed|suggest|suggests|"
               r"suggested|recommend|recommends|claim|claims|claimed|believe|believes|want|wants|make|makes|"
               r"write|writes|wrote|tell|told|respond|responded|reply|replied|answer|answered|predict|predicted)")
_QUESTION_WORD = re.compile(r"^(?:Is|Was|Are|Were|Does|Did|Do|Has|Had|Would|Will|Can|Could|Should)\s+(?=\S+\s)")
_SIDE = r"(?:for or against|in favou?r|against|support|oppose|opposed)"
_VIEW_NOUN = r"(?:view|views|position|stance|argument|opinion|case|answer|response|reply|objection|proposal|verdict)"


def silent_people(question: str, voices: list[str], article_names: str, vocabulary: dict) -> list[str]:
    """The people a question asks the words or views of whom the corpus mentions but never hears: no
    passage is theirs, nor a quotation (a mayor copied on an email, the author of a foreword a
    review names). Their words are not in the corpus, however close its passages come to the topic.
    `article_names`: the articles' titles and outlets, lower case. A form of someone the index hears
    (a surname, a pen name), an article's title or outlet ("the
    Common Sense excerpt") and an office alone ("Which Justice") are no such person."""
    heard = {v.split()[-1] for v in voices}
    bare = re.sub(r"['\u2019]s\b", "", question)
    silent = []
    # A question's first word is capitalised whatever it is: "Was Howard Lim ..." asks about Howard Lim.
    for name in (_QUESTION_WORD.sub("", n) for n in full_names(bare)):
        asked = (re.search(rf"{re.escape(name)},?\s+(?:\w+\s+)?{_SPEECH_ACT}\b", bare)
                 or re.search(rf"{re.escape(name)}\s+(?:\w+\s+){{0,2}}{_VIEW_NOUN}\b", bare)
                 or re.search(rf"according to (?:\w+\s+){{0,3}}{re.escape(name)}", bare)
                 # "What does Sally Penhale, who runs the B&B, think of ...": a clause between them
                 or re.search(rf"{re.escape(name)},[^,?]{{1,80}},\s+{_SPEECH_ACT}\b", bare)
                 # "Was Howard Lim for or against ...", "Is Ann Lee in favour of ..."
                 or re.search(rf"\b(?:is|was|are|were)\s+{re.escape(name)}\b[^?]{{0,60}}\b{_SIDE}\b", bare,
                              re.IGNORECASE))
        if (asked and name.split()[-1] not in heard and name.lower() not in article_names
                and not is_title(name.split()[-1])
                and all(t in vocabulary for t in tokenize([name])[0])):
            silent.append(name)
    return silent
