"""Readable benchmark reports: JSON of every answer, a Markdown summary, a PNG plot."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

DEFINITIONS = {
    "recall@1": "Part des questions répondables dont un passage contenant la preuve de référence est classé 1er.",
    "recall@5": "Idem dans les 5 premiers passages (Recall@5).",
    "recall@10": "Idem dans les 10 premiers passages.",
    "mrr": "Moyenne de 1/rang du premier passage contenant la preuve (0 si absent du top 10).",
    "correctness": "Part des questions répondables dont la réponse contient tous les faits requis (sans casse ni accents).",
    "citation_precision": "Part des passages cités qui contiennent une preuve de référence.",
    "citation_recall": "Part des preuves de référence couvertes par au moins une citation.",
    "faithfulness": "Part des phrases de la réponse retrouvées mot pour mot dans le passage qu'elles citent.",
    "abstention": "Part des questions sans réponse dans le corpus pour lesquelles l'assistant s'abstient.",
    "false_refusals": "Part des questions répondables pour lesquelles l'assistant s'abstient à tort.",
    "latency_p50_ms": "Latence médiane d'une question (ms), modèle et index chargés.",
    "latency_p95_ms": "95e centile de la latence (ms).",
    "sentences_kept": "Mode génératif : phrases générées retenues par le vérificateur.",
    "sentences_removed": "Mode génératif : phrases générées retirées (sans citation, citation inexistante, nombre, nom ou contenu absent du passage cité).",
    "fallbacks": "Mode génératif : part des questions où la réponse extractive a été donnée (modèle en échec ou aucune phrase appuyée).",
}


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else str(value)


def _table(summaries: dict[str, dict[str, Any]], columns: list[str]) -> list[str]:
    lines = ["| système | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, summary in summaries.items():
        lines.append(f"| {name} | " + " | ".join(_fmt(summary.get(c)) for c in columns) + " |")
    return lines


def write_reports(
    out_dir: Path,
    split: str,
    systems: dict[str, list[dict[str, Any]]],
    summaries: dict[str, dict[str, Any]],
    thresholds: dict[str, float],
    failures: list[str],
    by_kind: dict[str, dict[str, Any]],
    by_document: dict[str, dict[str, Any]],
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    json_path = out_dir / f"eval-{stamp}.json"
    json_path.write_text(
        json.dumps(
            {
                "split": split,
                "summaries": summaries,
                "by_kind": by_kind,
                "by_document": by_document,
                "systems": systems,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    png_path = out_dir / "latest.png"
    _plot(by_kind, png_path)
    main_cols = [
        "recall@1",
        "recall@5",
        "recall@10",
        "mrr",
        "correctness",
        "citation_precision",
        "citation_recall",
        "faithfulness",
        "abstention",
        "false_refusals",
        "latency_p50_ms",
        "latency_p95_ms",
    ]
    if "sentences_removed" in summaries["assistant"]:  # generative mode
        main_cols += ["sentences_kept", "sentences_removed", "fallbacks"]
    md = [
        "# Banc d'évaluation de l'assistant",
        "",
        f"Jeu : `evals/questions.jsonl`, partie **{split}**, {summaries['assistant']['questions']} questions. "
        f"Généré le {time.strftime('%Y-%m-%d %H:%M')}. Détail de chaque réponse : `{json_path.name}`.",
        "",
        "Mode : **génératif** (réponses rédigées par un modèle de langue, phrases vérifiées)."
        if "sentences_removed" in summaries["assistant"]
        else "Mode : **extractif** (phrases citées mot pour mot).",
        "",
        "## Résultats",
        "",
        *_table(summaries, main_cols),
        "",
        "Les lignes de référence (hybride sans l'étape de réponse, BM25 seul, dense seul, LangChain simple) ne mesurent que la recherche de passages ; la ligne de l'assistant classe en tête les passages que sa réponse cite.",
        "",
        "Seuils (`evals/thresholds.json`) : "
        + (
            ", ".join(
                f"{k} {'≤' if k == 'false_refusals' else '≥'} {v}" for k, v in thresholds.items()
            )
            or "aucun"
        ),
        "",
        ("**Seuils non atteints :** " + "; ".join(failures))
        if failures
        else "Tous les seuils sont atteints.",
        "",
        "## Définitions",
        "",
        *[f"- **{k}** : {v}" for k, v in DEFINITIONS.items()],
        "",
        "## Par type de question",
        "",
        *_table(
            {k: v for k, v in by_kind.items()},
            [
                "n",
                "recall@5",
                "mrr",
                "correctness",
                "citation_precision",
                "abstention",
                "false_refusals",
            ],
        ),
        "",
        f"![Exactitude et rappel par type]({png_path.name})",
        "",
        "## Par document",
        "",
        *_table(by_document, ["n", "recall@5", "mrr", "correctness", "citation_precision"]),
        "",
        "## Échecs",
        "",
    ]
    for row in systems["assistant"]:
        failed = (row["answerable"] and not row.get("correct")) or (
            not row["answerable"] and not row.get("abstained_ok")
        )
        if not failed:
            continue
        md += [
            f"### {row['id']} ({row['kind']}) — {row['question']}",
            "",
            f"- Attendu : {row['expected']}"
            + (
                f" (faits : {' ; '.join('/'.join(f) for f in row['facts'])})"
                if row["facts"]
                else ""
            ),
            f"- Réponse : {row['answer']}",
            f"- Rang de la preuve : {row.get('rank', '—')}",
        ]
        for c in row["citations"]:
            md.append(f"- [{c['n']}] `{c['id']}` — {c['text'][:200]}")
        md.append("")
    md_path = out_dir / f"eval-{stamp}.md"
    md_path.write_text("\n".join(md), encoding="utf-8")
    (out_dir / "latest.md").write_text("\n".join(md), encoding="utf-8")
    return [md_path, json_path, png_path]


def _plot(by_kind: dict[str, dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(by_kind)
    recall = [by_kind[k].get("recall@5") or 0 for k in kinds]
    correct = [by_kind[k].get("correctness") or 0 for k in kinds]
    abstain = [by_kind[k].get("abstention") or 0 for k in kinds]
    fig, ax = plt.subplots(figsize=(10, 4))
    x = range(len(kinds))
    ax.bar([i - 0.25 for i in x], recall, width=0.25, label="Recall@5")
    ax.bar(list(x), correct, width=0.25, label="Exactitude")
    ax.bar([i + 0.25 for i in x], abstain, width=0.25, label="Abstention")
    ax.set_xticks(list(x), kinds, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title("Par type de question")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
