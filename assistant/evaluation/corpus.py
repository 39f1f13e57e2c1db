"""`make eval`: score both corpora with the rules of the shared eval README, beside vanilla LlamaIndex.

    python -m assistant.evaluation.corpus [--data DIR] [--only seed|general|conventions-N] [--no-vanilla]
        [--no-check-sets] [--json FILE]
    python -m assistant.evaluation.corpus --corpus DIR --dev QUESTIONS.jsonl [...]   # any other corpus

The seed corpus (corpus/ with its articles.toml, questions eval/dev.jsonl, and the held-out check
sets), the general corpus (eval/corpus-general/ indexed as a user drops it in, with no
articles.toml; questions eval/general.jsonl) and four small corpora of other layouts
(eval/corpus-conventions-N/, questions eval/conventions-N.jsonl) are scored the same way and printed
side by side, with the prose each file keeps through cleaning.

Rules (implemented exactly, in small functions below):
- text is normalised (`assistant.citations.normalize`) before comparing;
- a gold span is covered by a passage that contains it or, for spans of six words or
  more, contains its first half or its second half (a span cut by a chunk boundary);
- recall@5: share of a question's gold spans covered by the union of the top five
  passages of search, averaged over answerable questions; MRR@5: reciprocal rank of
  the first passage covering any gold span;
- attribution: for position questions about one named author, whether the first
  passage covering a gold span has that person as its `author`;
- gold spans attributed: for every gold span with its person given (`authors`), whether the
  index's first passage covering it is that person's words (ingestion's attribution, whatever
  the question's type and whatever retrieval finds);
- citation validity: share of `ask` citations whose quote is in its article's cleaned text;
- gold spans quoted in answers: share of gold spans covered by the quotes of `ask`'s citations
  (the words shown to the user, not the passages behind them);
- grounded accuracy: `grounded` is false for unanswerable questions, true otherwise.

Jobs (issue 6): the share of gold spans covered by the passages each job cites, on the
questions of the matching type (answers: every answerable question; positions: contrast;
summaries: summary; counterpoints: counterpoint). A job the Assistant lacks prints "n/a".
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean
from typing import Any

from assistant.citations import normalize
from assistant.core import Assistant
from assistant.models import Citation, Passage, voices_of
from assistant.retrieval.grounding import CONFIDENT_SD, FLOOR_SD
from assistant.settings import PROJECT_ROOT, Settings

DEV_SET = PROJECT_ROOT / "eval" / "dev.jsonl"
GENERAL_SET = PROJECT_ROOT / "eval" / "general.jsonl"
GENERAL_CORPUS = PROJECT_ROOT / "eval" / "corpus-general"
# Check sets: questions in the dev set's format, written apart from it and from the code (a
# separate pass over the corpus). They are not tuned on; a retrieval change that lifts the dev
# set but not these fits those 20 questions, not questions in general, and is rejected.
CHECK_SETS = tuple(PROJECT_ROOT / "eval" / f"{name}.jsonl" for name in ("heldout", "heldout2", "heldout3"))
# The general corpus's check set: 24 questions written blind from its texts (not from the code or general.jsonl).
GENERAL_CHECK_SET = PROJECT_ROOT / "eval" / "general_heldout.jsonl"
K = 5
HALF_SPAN_MIN_WORDS = 6
Metric = float | None

Targets = dict[str, tuple[str, float]]  # metric -> (comparison, bound)
# Issue 2's acceptance thresholds, for the seed corpus.
THRESHOLDS: Targets = {
    "recall@5": (">=", 0.95),
    "MRR@5": (">=", 0.90),
    "attribution": (">=", 1.0),
    "mean passage words": ("<=", 150.0),
    "citation validity": (">=", 1.0),
    "grounded accuracy": (">=", 1.0),
}
# Issue 12's, for any corpus a user brings (the general corpus, `--corpus DIR`).
ANY_CORPUS_THRESHOLDS: Targets = THRESHOLDS | {
    "recall@5": (">=", 0.90),
    "MRR@5": (">=", 0.80),
    "gold spans quoted in answers": (">=", 0.80),
}


# -- the coverage rules ---------------------------------------------------------------------
def span_variants(span: str) -> list[str]:
    """The normalised strings whose presence covers `span`: itself, and its halves when long."""
    words = normalize(span).split()
    whole = " ".join(words)
    if len(words) < HALF_SPAN_MIN_WORDS:
        return [whole]
    mid = len(words) // 2
    return [whole, " ".join(words[:mid]), " ".join(words[mid:])]


def covers(passage_text: str, span: str) -> bool:
    """True when the passage covers the gold span (whole, or either half of a long span)."""
    text = normalize(passage_text)
    return any(v and v in text for v in span_variants(span))


def recall(gold: Sequence[str], texts: Sequence[str]) -> float:
    """Share of gold spans covered by the union of `texts`."""
    if not gold:
        return 0.0
    return sum(any(covers(t, g) for t in texts) for g in gold) / len(gold)


def first_covering(gold: Sequence[str], texts: Sequence[str]) -> int | None:
    """0-based rank of the first text covering any gold span, or None."""
    return next((i for i, t in enumerate(texts) if any(covers(t, g) for g in gold)), None)


def reciprocal_rank(gold: Sequence[str], texts: Sequence[str]) -> float:
    rank = first_covering(gold, texts)
    return 0.0 if rank is None else 1.0 / (rank + 1)


def attributed(gold: Sequence[str], passages: Sequence[Passage], person: str) -> bool:
    """Whether the first passage covering a gold span is `person`'s words."""
    rank = first_covering(gold, [p.text for p in passages])
    return rank is not None and person in passages[rank].voices


def span_attribution(questions: list[Question], passages: Sequence[Passage], report: Report) -> Metric:
    """Share of gold spans found in the index as their person's words: some passage covering the span
    is theirs (a phrase may recur in other articles; a span labelled "A and B", written jointly, is
    the passage's of a joint label naming both). Questions whose `authors` do not give one person
    per span (the seed sets list a question's authors) are left out."""
    found = []
    for q in questions:
        if len(q.authors) != len(q.gold):
            continue
        for span, person in zip(q.gold, q.authors):
            owners = [p.author for p in passages if covers(p.text, span)]
            wanted = set(re.split(r"\s+(?:and|&)\s+", person))
            found.append(any(wanted <= set(voices_of(owner)) for owner in owners))
            if not found[-1]:
                report.misses.append(f"{q.id} span of {person} attributed to {owners or 'no passage'}: {span[:60]}")
    return average(found)


def citation_valid(citation: Citation, article_texts: dict[str, str]) -> bool:
    """The quote is a (normalised) substring of its article's cleaned text."""
    quote = normalize(citation.quote)
    return bool(quote) and quote in normalize(article_texts.get(citation.passage.article_id, ""))


def average(values: Iterable[float]) -> Metric:
    values = list(values)
    return mean(values) if values else None


# -- the dev set ----------------------------------------------------------------------------
@dataclass
class Question:
    id: str
    type: str
    question: str
    gold: list[str]
    authors: list[str]
    articles: list[str]

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"

    @property
    def single_author_position(self) -> bool:
        return self.type == "position" and len(set(self.authors)) == 1

    def files(self, folder: Path) -> list[Path]:
        """The files of `folder` its spans come from: `articles` holds file names (general.jsonl)
        or the seed corpus's three-digit prefixes (dev.jsonl, `000` for `000_<hash>.txt`)."""
        return [p for p in sorted(Path(folder).iterdir())
                if p.name in self.articles or p.name.split("_", 1)[0] in self.articles]


def load_dev(path: Path = DEV_SET) -> list[Question]:
    fields = set(Question.__dataclass_fields__)
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Question(**{k: v for k, v in row.items() if k in fields}) for row in rows]


# -- retrieval metrics, for any retriever -----------------------------------------------------
Retrieve = Callable[[str], list[Passage]]


@dataclass
class Report:
    metrics: dict[str, Metric] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)  # per-question notes for whoever tunes retrieval


def retrieval_metrics(
    retrieve: Retrieve, questions: list[Question], report: Report, label: str = "", authors: bool = True
) -> None:
    """recall@5, MRR@5 and (when passages carry `authors`) attribution of `retrieve`, answerable questions."""
    recalls, ranks, attributions = [], [], []
    for q in (q for q in questions if q.answerable):
        passages = retrieve(q.question)[:K]
        texts = [p.text for p in passages]
        recalls.append(recall(q.gold, texts))
        ranks.append(reciprocal_rank(q.gold, texts))
        scored = authors and q.single_author_position
        if scored:
            attributions.append(float(attributed(q.gold, passages, q.authors[0])))
        if recalls[-1] < 1 or ranks[-1] < 1 or (scored and not attributions[-1]):
            note = f" attributed {bool(attributions[-1])}" if scored else ""
            report.misses.append(f"{label}{q.id} recall {recalls[-1]:.2f} rr {ranks[-1]:.2f}{note}: {q.question}")
    report.metrics.update({"recall@5": average(recalls), "MRR@5": average(ranks), "attribution": average(attributions)})


def passage_words(texts: Iterable[str]) -> Metric:
    return average(len(t.split()) for t in texts)


# -- the assistant's answers and jobs ---------------------------------------------------------
def answer_metrics(assistant: Assistant, questions: list[Question], report: Report) -> None:
    """Citation validity, grounded accuracy, answer coverage and the grounding margin, from `ask`."""
    texts = assistant.article_texts()
    valid, grounded_ok, coverage, quoted = [], [], [], []
    for q in questions:
        answer = assistant.ask(q.question)
        valid += [citation_valid(c, texts) for c in answer.citations]
        grounded_ok.append(answer.grounded == q.answerable)
        if q.answerable:
            coverage.append(recall(q.gold, [c.passage.text for c in answer.citations]))
            quoted.append(recall(q.gold, [c.quote for c in answer.citations]))
        if answer.grounded != q.answerable:
            report.misses.append(f"{q.id} grounded={answer.grounded}: {q.question}")
    report.metrics.update(
        {
            "citation validity": average(valid),
            "citations checked": float(len(valid)),
            "grounded accuracy": average(grounded_ok),
            "answers: gold covered": average(coverage),
            "gold spans quoted in answers": average(quoted),
        }
    )
    report.metrics.update(grounding_margin(assistant, questions))


def top_similarity(assistant: Assistant, question: str) -> float:
    hits = assistant.search_hits(question, K)
    return max((h.dense for h in hits), default=0.0)


def grounding_margin(assistant: Assistant, questions: list[Question]) -> dict[str, Metric]:
    """Lowest top dense similarity of answerable questions vs highest of unanswerable ones."""
    answerable = [top_similarity(assistant, q.question) for q in questions if q.answerable]
    unanswerable = [top_similarity(assistant, q.question) for q in questions if not q.answerable]
    return {
        "min top similarity, answerable": min(answerable, default=None),
        "max top similarity, unanswerable": max(unanswerable, default=None),
    }


def cited_texts(result: Any) -> list[str]:
    """Passage texts a job's result cites, whatever its shape (positions, summary, counterpoints)."""
    if isinstance(result, list):
        return [t for item in result for t in cited_texts(item)]
    if hasattr(result, "counterpoints"):  # offline the cards' side is not determined: all of them count
        return [card.passage.text for card in result.counterpoints + result.undetermined]
    return [c.passage.text for c in getattr(result, "citations", [])]


def _positions(assistant: Assistant, q: Question) -> Any:
    return assistant.positions(q.question)


def _summary(assistant: Assistant, q: Question) -> Any:
    plan = assistant.plan(q.question)
    topic = plan.text if plan.topic else None  # "Summarize Mill's test for ...": a topic within the scope
    if len(plan.authors) == 1:
        return assistant.summarize(author=plan.authors[0], topic=topic)
    if len(plan.article_ids) == 1:
        return assistant.summarize(article=plan.article_ids[0], topic=topic)
    return assistant.summarize(topic=topic)


def _counter(assistant: Assistant, q: Question) -> Any:
    return assistant.counter(assistant.plan(q.question).text)  # the plan strips "Counter the claim that"


# metric name -> (Assistant method, question type, how to call it)
JOBS: dict[str, tuple[str, str, Callable[[Assistant, Question], Any]]] = {
    "positions: gold covered": ("positions", "contrast", _positions),
    "summaries: gold covered": ("summarize", "summary", _summary),
    "counterpoints: gold covered": ("counter", "counterpoint", _counter),
}


def job_metrics(assistant: Assistant, questions: list[Question], report: Report) -> None:
    """Gold coverage of each job's cited passages; None (printed n/a) when the job is missing."""
    for name, (method, qtype, call) in JOBS.items():
        if not callable(getattr(assistant, method, None)):
            report.metrics[name] = None
            continue
        scores = []
        for q in (q for q in questions if q.type == qtype):
            try:
                scores.append(recall(q.gold, cited_texts(call(assistant, q))))
            except NotImplementedError:
                break
        report.metrics[name] = average(scores)


def evaluate(assistant: Assistant, questions: list[Question], jobs: bool = True) -> Report:
    """Every metric of the assistant on `questions`."""
    report = Report()
    retrieval_metrics(lambda q: assistant.search(q, K), questions, report)
    passages = assistant.retriever.snapshot().passages
    report.metrics["mean passage words"] = passage_words(p.text for p in passages)
    report.metrics["gold spans attributed"] = span_attribution(questions, passages, report)
    answer_metrics(assistant, questions, report)
    if jobs:
        job_metrics(assistant, questions, report)
    return report


# -- vanilla LlamaIndex, same corpus, same embeddings ------------------------------------------
def corpus_files(folder: Path) -> list[Path]:
    """The files the product would index in `folder` (what `index.builder.discover` skips stays out)."""
    from index.builder import SKIPPED_NAMES

    return [p for p in sorted(Path(folder).iterdir())
            if p.is_file() and p.name not in SKIPPED_NAMES and not p.name.startswith(".")]


class VanillaLlamaIndex:
    """SimpleDirectoryReader + default SentenceSplitter + the same MiniLM + Chroma, top 5.

    SimpleDirectoryReader's default readers (llama-index-readers-file) read .pdf (pypdf) and
    .docx (docx2txt) and Markdown by its sections; any other extension (.txt, and .html, for which it has
    no default reader) is read as plain text, so an HTML page reaches vanilla's chunks with its tags.
    """

    def __init__(self, corpus: Path) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from llama_index.vector_stores.chroma import ChromaVectorStore

        from index.embeddings import bundled_model_path

        documents = SimpleDirectoryReader(input_files=corpus_files(corpus)).load_data()
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))
        collection = client.get_or_create_collection(f"vanilla_{time.time_ns()}")
        storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
        self.embed_model = HuggingFaceEmbedding(model_name=bundled_model_path(), device="cpu")
        self.nodes = SentenceSplitter().get_nodes_from_documents(documents)
        self.index = VectorStoreIndex(self.nodes, storage_context=storage, embed_model=self.embed_model)
        self.retriever = self.index.as_retriever(similarity_top_k=K)

    def texts(self, query: str) -> list[str]:
        return [n.node.get_content() for n in self.retriever.retrieve(query)]

    def search(self, query: str) -> list[Passage]:
        return [Passage(id=str(i), article_id="", text=t, start=0, end=len(t)) for i, t in enumerate(self.texts(query))]


def evaluate_vanilla(vanilla: VanillaLlamaIndex, questions: list[Question]) -> Report:
    report = Report()
    retrieval_metrics(vanilla.search, questions, report, label="vanilla ", authors=False)  # no author per chunk
    report.metrics["mean passage words"] = passage_words(n.get_content() for n in vanilla.nodes)
    return report


# -- prose retention ----------------------------------------------------------------------------
# Dropped text that is not the body's prose: a running header or footer repeated on every page with
# only its number changing, and the headline and byline lines, which become the article's title and
# authors (shown with every passage; in a 700-word op-ed they alone are 3% of the words). Everything
# else cleaning drops counts against retention.
NOT_PROSE = {"page furniture", "title", "byline"}


@dataclass
class Retention:
    file: str
    read_words: int = 0  # the words the file's reader gave
    kept_words: int = 0  # the words of the indexed article's cleaned text
    furniture_words: int = 0  # words dropped as NOT_PROSE: running page headers and footers, title, byline
    note: str = ""  # why there is no figure (the file could not be read or was not indexed)

    @property
    def share(self) -> Metric:
        """Kept words / the body's words (the read words less NOT_PROSE)."""
        body = self.read_words - self.furniture_words
        return min(1.0, self.kept_words / body) if body > 0 and not self.note else None


def prose_retention(assistant: Assistant, folder: Path) -> list[Retention]:
    """Per file: how much of the text its reader gives survives in the indexed article."""
    from index.readers import ReadError, read_file

    by_source = {Path(a.source).resolve(): a for a in assistant.articles() if a.source}
    rows = []
    for path in corpus_files(folder):
        row = Retention(path.name)
        try:
            row.read_words = len(read_file(path).split())
        except ReadError as exc:
            row.note = f"not read: {exc}"
        article = by_source.get(path.resolve())
        if article is None:
            row.note = row.note or "not indexed"
        else:
            row.kept_words = len(article.text.split())
            row.furniture_words = sum(len(d.text.split()) for d in article.dropped if d.reason in NOT_PROSE)
        rows.append(row)
    return rows


# -- the corpora --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Corpus:
    name: str
    folder: Path
    questions: Path
    check_sets: tuple[Path, ...] = ()
    targets: Targets = field(default_factory=lambda: ANY_CORPUS_THRESHOLDS)


CORPORA = {
    "seed": Corpus("seed", PROJECT_ROOT / "corpus", DEV_SET, CHECK_SETS, THRESHOLDS),
    # Indexed exactly as a user drops it in: no articles.toml in the folder.
    "general": Corpus("general", GENERAL_CORPUS, GENERAL_SET, (GENERAL_CHECK_SET,)),
    # Layouts the first two corpora lack (an unlabelled interview, letters pages, a point/counterpoint,
    # a forum thread, a one-label speech, block quotations), written blind by separate sessions.
    **{name: Corpus(name, PROJECT_ROOT / "eval" / f"corpus-{name}", PROJECT_ROOT / "eval" / f"{name}.jsonl")
       for name in ("conventions-1", "conventions-2", "conventions-3", "conventions-4", "conventions-5",
                    "conventions-6", "conventions-7", "conventions-8", "conventions-9", "conventions-10")},
}


@dataclass
class CorpusResult:
    corpus: Corpus
    questions: int
    ours: Report
    vanilla: Report | None
    retention: list[Retention]
    check_table: str
    calibration: str
    seconds: float


def evaluate_corpus(corpus: Corpus, data: Path | None, vanilla: bool, check_sets: bool) -> CorpusResult:
    started = time.perf_counter()
    questions = load_dev(corpus.questions)
    assistant = open_assistant(data, corpus.folder)
    ours = evaluate(assistant, questions)
    baseline = VanillaLlamaIndex(corpus.folder) if vanilla else None
    theirs = evaluate_vanilla(baseline, questions) if baseline else None
    checks = [p for p in corpus.check_sets if p.exists()] if check_sets else []
    return CorpusResult(
        corpus=corpus,
        questions=len(questions),
        ours=ours,
        vanilla=theirs,
        retention=prose_retention(assistant, corpus.folder),
        check_table=check_sets_table(assistant, baseline, checks) if checks else "",
        calibration=grounding_calibration(assistant),
        seconds=time.perf_counter() - started,
    )


def grounding_calibration(assistant: Assistant) -> str:
    """The grounding bounds measured on this corpus, in one line."""
    c = assistant.grounding_calibration()
    if c is None:
        return "none (empty index)"
    return (f"{c.probes} off-topic probes, best-passage similarity mean {c.probe_mean:.3f}, sd {c.probe_sd:.3f}, "
            f"max {c.probe_max:.3f}; grounded from {c.floor:.3f} (median + {FLOOR_SD:g} robust sd)"
            f" when at most a third of the question's words are unknown, from {c.confident:.3f}"
            f" (mean + {CONFIDENT_SD:g} sd) whatever")


# -- output -----------------------------------------------------------------------------------
ROWS = [
    "recall@5",
    "MRR@5",
    "attribution",
    "gold spans attributed",
    "mean passage words",
    "citation validity",
    "grounded accuracy",
    "answers: gold covered",
    "gold spans quoted in answers",
    "positions: gold covered",
    "summaries: gold covered",
    "counterpoints: gold covered",
    "citations checked",
    "min top similarity, answerable",
    "max top similarity, unanswerable",
]


def fmt(value: Metric) -> str:
    if value is None:
        return "n/a"
    value = float(value)
    return f"{value:.1f}" if value >= 10 or (value.is_integer() and value > 1) else f"{value:.3f}"


def meets(name: str, value: Metric, targets: Targets = THRESHOLDS) -> bool:
    """Whether `value` meets the target for metric `name`."""
    op, bound = targets[name]
    return value is not None and (value >= bound if op == ">=" else value <= bound)


def failures(report: Report, targets: Targets = THRESHOLDS) -> dict[str, Metric]:
    """The targeted metrics of `report` that miss their target."""
    return {name: report.metrics.get(name) for name in targets if not meets(name, report.metrics.get(name), targets)}


def shown(name: str, value: Metric, targets: Targets) -> str:
    """The value, marked with `!` when it misses its target."""
    miss = name in targets and not meets(name, value, targets)
    return fmt(value) + (" !" if miss else "")


def target(name: str, targets: Targets) -> str:
    return f"{targets[name][0]} {targets[name][1]:g}" if name in targets else ""


def table(results: Sequence[CorpusResult]) -> str:
    """One Markdown table: per corpus the assistant, vanilla LlamaIndex and the corpus's target."""
    header = ["metric"] + [f"{r.corpus.name}: {who}" for r in results for who in ("assistant", "vanilla", "target")]
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:|---:|---" * len(results) + "|"]
    for name in ROWS:
        cells = [name]
        for r in results:
            cells.append(shown(name, r.ours.metrics.get(name), r.corpus.targets))
            cells.append(fmt(r.vanilla.metrics.get(name)) if r.vanilla and name in r.vanilla.metrics else "")
            cells.append(target(name, r.corpus.targets))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def retention_table(result: CorpusResult) -> str:
    lines = [f"| {result.corpus.name} file | words read | title, byline, page furniture | words kept | kept |",
             "|---|---:|---:|---:|---:|"]
    for row in result.retention:
        kept = fmt(row.share) if row.share is not None else row.note
        lines.append(f"| {row.file} | {row.read_words} | {row.furniture_words} | {row.kept_words} | {kept} |")
    return "\n".join(lines)


def check_sets_table(assistant: Assistant, vanilla: VanillaLlamaIndex | None, paths: Sequence[Path]) -> str:
    """recall@5 / MRR@5 and grounded accuracy on each check set, beside vanilla LlamaIndex."""
    lines = ["| check set | questions | assistant recall@5 / MRR@5 | grounded accuracy | vanilla LlamaIndex |",
             "|---|---:|---:|---:|---:|"]
    for path in paths:
        questions = load_dev(path)
        ours, theirs = Report(), Report()
        retrieval_metrics(lambda q: assistant.search(q, K), questions, ours)
        grounded = average(float(assistant.ask(q.question).grounded == q.answerable) for q in questions)
        if vanilla:
            retrieval_metrics(vanilla.search, questions, theirs, authors=False)
        pair = [f"{fmt(r.metrics.get('recall@5'))} / {fmt(r.metrics.get('MRR@5'))}" if r.metrics else ""
                for r in (ours, theirs)]
        lines.append(f"| {path.name} | {len(questions)} | {pair[0]} | {fmt(grounded)} | {pair[1]} |")
    return "\n".join(lines)


def open_assistant(data: Path | None, corpus: Path) -> Assistant:
    """An Assistant over `data` (a temp dir by default), indexed from `corpus`."""
    data = Path(data) if data else Path(tempfile.mkdtemp(prefix="assistant-eval-"))
    assistant = Assistant(Settings(ASSISTANT_DATA=str(data), ASSISTANT_CORPUS=str(corpus)))
    assistant.index([corpus])
    return assistant


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.corpus", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="parent of one data dir per corpus (default: temp dirs)")
    parser.add_argument("--only", choices=sorted(CORPORA), action="append", help="score only this corpus")
    parser.add_argument("--corpus", type=Path, help="score this folder instead (with --dev's questions)")
    parser.add_argument("--dev", type=Path, default=DEV_SET, help="questions for --corpus (JSON lines)")
    parser.add_argument("--no-vanilla", action="store_true", help="skip the vanilla LlamaIndex baseline")
    parser.add_argument("--no-check-sets", action="store_true", help="skip the held-out check sets")
    parser.add_argument("--json", type=Path, help="also write the metrics as JSON here")
    return parser.parse_args(argv)


def print_results(results: Sequence[CorpusResult]) -> None:
    print(
        "; ".join(f"{r.corpus.name}: {r.questions} questions ({r.corpus.questions.name}), {r.seconds:.0f} s"
                  for r in results)
        + f"; top {K}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}\n"
    )
    print(table(results))
    print("\n`!`: misses its target.")
    for r in results:
        misses = r.ours.misses + (r.vanilla.misses if r.vanilla else [])
        if misses:
            print(f"\nMisses, {r.corpus.name}:\n" + "\n".join(f"- {m}" for m in misses))
    print("\nProse retention (words of the article's cleaned text / words its reader read, less its"
          " title and byline lines and running page headers and footers):")
    for r in results:
        print("\n" + retention_table(r))
    for r in results:
        if r.calibration:
            print(f"\nGrounding calibration, {r.corpus.name}: {r.calibration}")
    for r in results:
        if r.check_table:
            print(f"\nHeld-out check sets, {r.corpus.name} (written apart from the dev questions and the code; "
                  "no weight is fitted to them):\n\n" + r.check_table)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    corpora = [Corpus(args.corpus.name, args.corpus, args.dev)] if args.corpus else [
        CORPORA[name] for name in (args.only or list(CORPORA))]
    results = [
        evaluate_corpus(corpus, args.data / corpus.name if args.data else None,
                        vanilla=not args.no_vanilla, check_sets=not args.no_check_sets)
        for corpus in corpora
    ]
    print_results(results)
    if args.json:
        payload = {
            r.corpus.name: {
                "assistant": r.ours.metrics,
                "vanilla_llamaindex": r.vanilla.metrics if r.vanilla else None,
                "retention": {row.file: row.share for row in r.retention},
            }
            for r in results
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
