"""Turn the benchmark results into targets (met / not met), a Markdown table and a PNG plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# (label, how to read the value from results, comparison, bound, unit)
TARGETS: list[tuple[str, tuple[str, ...], str, float, str]] = [
    ("search p50, seed corpus", ("seed", "search_ms", "p50"), "<=", 15, "ms"),
    ("search p50, 100k passages", ("scale", -1, "search_ms", "p50"), "<=", 40, "ms"),
    ("extractive ask p50, seed corpus", ("seed", "ask_ms", "p50"), "<=", 50, "ms"),
    ("build throughput / raw encode", ("build", "ratio"), ">=", 0.9, "x"),
    ("add one article to 100k, beyond its encoding", ("add_article", "cost_beyond_encoding_s"), "<=", 2, "s"),
    ("UI ready: app.py to first answer", ("cold_start", "first_answer_s"), "<=", 8, "s"),
    ("serving peak RSS", ("cold_start", "peak_rss_mb"), "<=", 1536, "MB"),
    ("built-in model: time to sources", ("local_model", "product", "sources_s"), "<=", 0.5, "s"),
    ("built-in model: first token", ("local_model", "product", "first_token_s"), "<=", 10, "s"),
    ("built-in model: whole answer", ("local_model", "product", "total_s"), "<=", 25, "s"),
    ("prompt tokens / CitationQueryEngine's", ("local_model", "ratios", "prompt_tokens"), "<=", 0.5, "x"),
    ("built-in model: 6-author positions table", ("local_model", "positions_table", "seconds"), "<=", 30, "s"),
]


def lookup(results: dict[str, Any], path: tuple) -> Any:
    value: Any = results
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for label, path, op, bound, unit in TARGETS:
        value = lookup(results, path)
        met = value is not None and (value <= bound if op == "<=" else value >= bound)
        rows.append({"target": label, "value": value, "bound": f"{op} {bound:g} {unit}", "met": met})
    return rows


def _ms(latency: dict[str, float] | None) -> str:
    return "n/a" if not latency else f"{latency['p50']:.1f} / {latency['p95']:.1f}"


def _latency_rows(r: dict[str, Any]) -> list[str]:
    seed = r["seed"]
    rows = [
        f"| query encoding alone (the model) | {seed['passages']} | {_ms(seed['query_encode_ms'])} |",
        f"| query encoding alone, torch 1 thread | {seed['passages']} | {_ms(seed['query_encode_one_thread_ms'])} |",
        f"| search (hybrid, top 5) | {seed['passages']} | {_ms(seed['search_ms'])} |",
        f"| ask (extractive) | {seed['passages']} | {_ms(seed['ask_ms'])} |",
        f"| vanilla LlamaIndex retrieve (top 5) | {seed['vanilla_chunks']} chunks | {_ms(seed['vanilla_search_ms'])} |",
    ]
    rows += [
        f"| search at {s['synthetic']:,} synthetic + seed | {s['passages']:,} | {_ms(s['search_ms'])} |"
        for s in r["scale"]
    ]
    return rows


def _sentence_ratio(build: dict[str, Any]) -> list[str]:
    if "ratio_with_sentences" not in build:
        return []
    return [
        f"| build / raw encode of the passages and their sentences (all the build encodes) | "
        f"{build['ratio_with_sentences']:.2f} |"
    ]


def _local_model_rows(local: dict[str, Any] | None) -> list[str]:
    if not local:
        return []
    product, engine, ratios = local["product"], local["citation_engine"], local["ratios"]
    rows = [
        f"Built-in model ({local['model']}, llama.cpp), median of {len(local['answers'])} dev questions, "
        "each answered by the product and by LlamaIndex's CitationQueryEngine through the same server:",
        "",
        "| built-in model | product | CitationQueryEngine | ratio |",
        "|---|---:|---:|---:|",
    ]
    for label, key in (("time to sources, s", "sources_s"), ("time to first token, s", "first_token_s"),
                       ("whole answer, s", "total_s"), ("generated tokens/s", "tokens_per_s"),
                       ("prompt tokens per answer", "prompt_tokens"),
                       ("... of which evaluated (the rest from the prompt cache)", "prompt_tokens_evaluated")):
        ratio = ratios.get(key)
        rows.append(f"| {label} | {product.get(key)} | {engine.get(key)} | {'' if ratio is None else f'{ratio:.2f}'} |")
    table = local.get("positions_table")
    if table:
        rows += ["", f"Positions table with the model's sides (\"{table['question']}\"): {table['seconds']} s for "
                 f"{table['rows']} rows and {table['quotes']} quotes in a new server process, which restores the "
                 f"stance prompt's saved state ({table.get('first_ever_seconds')} s the first time ever, when the "
                 f"server reads it and saves it; {table['seconds_per_quote']} s per quote shown: the model reads a "
                 f"row's quotes until one shows a side), mode {table['mode']}."]
    return [*rows, ""]


def markdown(r: dict[str, Any]) -> str:
    m, seed, build, add, cold = r["machine"], r["seed"], r["build"], r["add_article"], r["cold_start"]
    lines = [
        f"Measured {r['date']} on {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, {m['os']}, "
        f"Python {m['python']}, torch {m['torch']} ({m['torch_threads']} threads, OMP_WAIT_POLICY="
        f"{m['OMP_WAIT_POLICY']}), chromadb {m['chromadb']}; load average at start "
        f"{', '.join(map(str, m['load_average_at_start']))}, at end "
        f"{', '.join(map(str, m.get('load_average_at_end', [])))}. Commit {r.get('commit', '?')}; "
        f"`make bench` took {r['duration_s']:.0f} s.",
        "",
        "| latency | passages | p50 / p95 ms |",
        "|---|---:|---:|",
        *_latency_rows(r),
        "",
        "| ratio | value |",
        "|---|---:|",
        f"| search p50 / vanilla LlamaIndex retrieve p50 | {seed['search_vs_vanilla_p50']:.2f} |",
        f"| search p50 / query encoding p50 (the limit is 1.0) | {seed['search_vs_encode_p50']:.2f} |",
        f"| search p50 beyond query encoding | {seed['search_over_encode_p50_ms']:.1f} ms |",
        f"| build throughput {build['build_passages_per_s']:.0f} passages/s / raw encode "
        f"{build['raw_encode_passages_per_s']:.0f} passages/s (same passages) | {build['ratio']:.2f} |",
        *_sentence_ratio(build),
        "",
        "| cost | value |",
        "|---|---:|",
        f"| add one article ({add['article_passages']} passages, {add.get('encoded_texts', '?')} texts encoded) "
        f"to {add['index_passages']:,} passages: total "
        f"| {add['index_s']:.2f} s |",
        f"| ... of which its own encoding | {add['own_encoding_s']:.2f} s |",
        f"| ... first search after it (derived BM25 rebuilt) | {add['first_search_after_s']:.2f} s |",
        *[
            f"| first search at {s['passages']:,} passages (snapshot built) | {s['first_search_s']:.2f} s |"
            for s in r["scale"]
        ],
        f"| cold start ({cold['what']}) | {cold['first_answer_s']} s |",
        f"| ... UI answering HTTP | {cold.get('ui_ready_s')} s |",
        f"| peak RSS serving | {cold['peak_rss_mb']:.0f} MB |",
        "",
        *_local_model_rows(r.get("local_model")),
        "| target | measured | bound | |",
        "|---|---:|---|---|",
        *[
            f"| {t['target']} | {t['value']} | {t['bound']} | {'met' if t['met'] else '**not met**'} |"
            for t in r["targets"]
        ],
    ]
    return "\n".join(lines) + "\n"


def plot(r: dict[str, Any], path: Path) -> None:
    """Search latency (p50, p95) against index size, with the seed point, vanilla and the limits."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seed = r["seed"]
    sizes = [seed["passages"], *[s["passages"] for s in r["scale"]]]
    p50 = [seed["search_ms"]["p50"], *[s["search_ms"]["p50"] for s in r["scale"]]]
    p95 = [seed["search_ms"]["p95"], *[s["search_ms"]["p95"] for s in r["scale"]]]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(sizes, p50, "o-", label="search p50")
    ax.plot(sizes, p95, "s--", label="search p95")
    ax.plot([seed["passages"]], [seed["vanilla_search_ms"]["p50"]], "x", ms=10, label="vanilla LlamaIndex p50 (seed)")
    ax.axhline(seed["query_encode_ms"]["p50"], color="grey", ls=":", label="query encoding alone p50")
    ax.axhline(40, color="red", ls="-.", lw=0.8, label="target at 100k: 40 ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("passages in the index")
    ax.set_ylabel("latency (ms)")
    ax.set_title(f"Search latency vs index size ({r['date'][:10]}, {r['machine']['cores']} cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
