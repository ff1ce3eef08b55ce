"""The `assistant` command: index, glossary, ask, show, serve, eval, report.

User errors print one French line on stderr and exit non-zero (2 for usage errors);
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from indexer.errors import AssistantError, BatchFileError, UsageError


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from assistant.settings import get_settings

    return get_settings(
        index_dir=getattr(args, "index_dir", None),
        corpus_dir=getattr(args, "corpus", None),
        embedding_model=getattr(args, "model", None),
    )


def _load(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant

    return Assistant.load(settings=_settings(args))


def cmd_index(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from indexer.build import build_index, parse_report
    from indexer.embeddings import load_embedder

    settings = _settings(args)
    warn = lambda m: print(f"avertissement : {m}", file=sys.stderr)  # noqa: E731
    if args.report:
        print(parse_report(settings.corpus_dir, warn))
        return 0
    embedder = load_embedder(settings.embedding_model, settings.cache_dir, settings.batch_size)
    bar = tqdm(total=0, unit="passage", desc="Embeddings", disable=args.quiet, file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    report = build_index(
        settings.corpus_dir,
        settings.index_dir,
        embedder,
        force=args.rebuild,
        warn=warn,
        progress=progress,
    )
    bar.close()
    if report.up_to_date:
        print(
            f"Index à jour ({report.chunks} passages, {report.documents} documents) : rien à refaire."
        )
    else:
        print(
            f"Index construit dans {report.index_dir} : {report.documents} documents, "
            f"{report.chunks} passages ({report.embedded} encodés, {report.reused} réutilisés) "
            f"en {report.seconds:.1f} s."
        )
    return 0


def cmd_glossary(args: argparse.Namespace) -> int:
    assistant = _load(args)
    entries = assistant.glossary(args.term)
    if args.term and not entries:
        print(f"« {args.term} » n'est pas dans le glossaire du corpus.", file=sys.stderr)
        return 1
    for entry in entries:
        print(f"{entry['term']} : {' ; '.join(entry['expansions'])}")
        print(f"    documents : {', '.join(entry['documents'])}")
    return 0


def _print_answer(data: dict[str, Any]) -> None:
    generation = data.get("generation")
    if generation and generation.get("fallback"):
        print(f"(mode génératif : {generation['fallback']})\n")
    print(data["answer"])
    print()
    if data["citations"]:
        print("Sources :")
        for c in data["citations"]:
            page = f", p. {c['page']}" if c.get("page") else ""
            print(f"  [{c['n']}] {c['document']} › {c['locator']}{page}")
            print(f"      id : {c['id']}")
            print(f"      « {c['text']} »")
    else:
        print("Voir aussi :")
        for p in data["passages"][:3]:
            print(f"  - {p['document']} › {p['locator']}  ({p['id']})")
    if generation:
        print(f"\nRédigé par {generation['model']} (gabarit {generation['prompt']}).")
        for removed in generation["removed"]:
            print(f"  Phrase retirée ({removed['reason']}) : « {removed['sentence']} »")


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "documents": args.document or (),
        "kinds": args.kind or (),
        "territories": args.territory or (),
    }


def cmd_ask(args: argparse.Namespace) -> int:
    if args.batch:
        return _batch(args)
    if not args.question:
        raise UsageError('Donnez une question (assistant ask "…") ou --batch FICHIER.')
    assistant = _load(args)
    answer = assistant.ask(args.question, k=args.k, mode=args.mode, **_filters(args))
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        _print_answer(answer.to_dict())
    return 0


def _batch(args: argparse.Namespace) -> int:
    path = Path(args.batch)
    if not path.exists():
        raise BatchFileError(f"Le fichier « {path} » n'existe pas.")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BatchFileError(f"{path}, ligne {n} : JSON invalide ({exc.msg}).") from exc
        if not isinstance(item, dict) or "question" not in item:
            raise BatchFileError(
                f"{path}, ligne {n} : chaque ligne doit être un objet avec « question »."
            )
        items.append(item)
    assistant = _load(args)
    for item in items:
        try:
            out = assistant.ask(
                item["question"], k=args.k, mode=args.mode, **_filters(args)
            ).to_dict()
        except UsageError as exc:
            out = {"question": item["question"], "error": str(exc)}
        print(json.dumps({**item, **out}, ensure_ascii=False), flush=True)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    assistant = _load(args)
    data = assistant.passage(args.citation_id, context=args.context)
    for before in data["before"]:
        print(f"  … {before['locator']}\n    {before['text']}\n")
    page = f", p. {data['page']}" if data.get("page") else ""
    print(f"» {data['document']} › {data['locator']}{page}\n  [{data['id']}]\n  {data['text']}\n")
    for after in data["after"]:
        print(f"  … {after['locator']}\n    {after['text']}\n")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings(args)
    uvicorn.run(
        "assistant.server:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level="info",
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from assistant.report import write_report

    path = Path(args.questions)
    if not path.exists():
        raise BatchFileError(f"Le fichier de questions « {path} » n'existe pas.")
    questions = [q.strip() for q in path.read_text(encoding="utf-8").splitlines() if q.strip()]
    if not questions:
        raise BatchFileError(f"Le fichier « {path} » ne contient aucune question.")
    from tqdm import tqdm

    assistant = _load(args)
    answers = [
        assistant.ask(q, mode=args.mode) for q in tqdm(questions, desc="Questions", file=sys.stderr)
    ]
    write_report(answers, args.format, Path(args.output), args.title)
    print(f"Rapport écrit dans {args.output}")
    return 0


class FrenchParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # type: ignore[override]
        raise UsageError(f"Usage incorrect : {message}. Voir « assistant --help ».")


def _mode_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mode",
        choices=["extractive", "generative"],
        default="extractive",
        help="extractive (défaut : phrases citées telles quelles) ou generative (rédigé par "
        "le modèle de langue d'ASSISTANT_LLM_BASE_URL, chaque phrase vérifiée)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchParser(
        prog="assistant",
        description="Assistant de questions-réponses sourcées sur les documents de "
        "planification en santé publique (Normandie).",
    )
    common = FrenchParser(add_help=False)
    common.add_argument("--index-dir", help="dossier de l'index (défaut : var/index)")
    common.add_argument("--model", help="modèle d'embeddings (nom ou chemin sentence-transformers)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=FrenchParser)

    p = sub.add_parser("index", parents=[common], help="construire ou mettre à jour l'index")
    p.add_argument("--corpus", help="dossier du corpus (défaut : corpus/)")
    p.add_argument("--rebuild", action="store_true", help="tout réencoder")
    p.add_argument("--report", action="store_true", help="afficher la structure reconnue")
    p.add_argument("--quiet", action="store_true", help="sans barre de progression")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("glossary", parents=[common], help="sigles du corpus et leur développé")
    p.add_argument("term", nargs="?", help="sigle ou mot à chercher (ex. EMAS)")
    p.set_defaults(func=cmd_glossary)

    p = sub.add_parser("ask", parents=[common], help="poser une question")
    p.add_argument("question", nargs="?", help="la question, en français")
    p.add_argument("--json", action="store_true", help="sortie JSON (un objet)")
    p.add_argument("--batch", help="fichier JSON lines, un objet avec « question » par ligne")
    p.add_argument(
        "-k",
        type=int,
        default=5,
        choices=range(1, 21),
        metavar="K",
        help="passages utilisés (1-20)",
    )
    p.add_argument("--document", action="append", help="filtrer par document (id)")
    p.add_argument("--kind", action="append", help="filtrer par type de document")
    p.add_argument("--territory", action="append", help="filtrer par territoire")
    _mode_option(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("show", parents=[common], help="afficher un passage et son contexte")
    p.add_argument("citation_id")
    p.add_argument("--context", type=int, default=2)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("serve", parents=[common], help="lancer l'API et la page web")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(func=cmd_serve)

    sub.add_parser("eval", help="lancer le banc d'évaluation (assistant eval --help)")

    p = sub.add_parser(
        "report", parents=[common], help="rapport sourcé pour une liste de questions"
    )
    p.add_argument("questions", help="fichier texte, une question par ligne")
    p.add_argument("--format", choices=["md", "docx"], default="md")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--title", default="Réponses sourcées")
    _mode_option(p)
    p.set_defaults(func=cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["eval"]:
        # The benchmark has its own options: hand them over untouched.
        from evals.runner import main as eval_main

        return eval_main(argv[1:])
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args))
    except AssistantError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
