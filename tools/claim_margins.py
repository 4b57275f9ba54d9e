"""Run chapters under several training runs and print every claim's margin.

A chapter checks each number, ranking or direction its text states with
``helpers.claim`` (helpers/claims.py). A claim that holds in one run with a thin margin
fails on another processor or with another random initialisation. This script executes
each chapter several times, each time with a different argument to the chapter's
``helpers.seed_everything(...)`` call (the random initialisation, shuffling and dropout
of training; the data sets keep their own fixed generators), and prints, for every
claim, the values it saw beside the bound the text states::

    python tools/claim_margins.py 07 08                    # runs 0-4, profile test
    python tools/claim_margins.py 07 --runs 0 1 --profile cpu
    python tools/claim_margins.py 12 --roundoff avx2       # another CPU's kernels
    python tools/claim_margins.py all --jobs 2 --json margins.json

``--roundoff avx2`` sets ``ONEDNN_MAX_CPU_ISA=AVX2`` (oneDNN's kernels of a processor
without AVX-512); ``--roundoff reference`` sets ``TF_ENABLE_ONEDNN_OPTS=0``
(TensorFlow's own kernels). Claims run in ``report`` mode, so that one claim that does
not hold does not hide the ones after it; a cell that raises is listed as an error.

The margin of a claim is how far inside its bound the value lies (``value - bound``
for ">", ``bound - value`` for "<", the distance to the nearer end for "between");
"relative" divides it by the bound's size. The last table gives each chapter's
smallest relative margin: the guard to widen, or the sentence to soften, first.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from notebooks import ROOT

SEED_CALL = re.compile(r"helpers\.seed_everything\(\s*(\d+)\s*\)")
ROUNDOFFS = {"default": {}, "avx2": {"ONEDNN_MAX_CPU_ISA": "AVX2"},
             "reference": {"TF_ENABLE_ONEDNN_OPTS": "0"}}


def chapters(names: list[str], root: Path = ROOT) -> list[Path]:
    """Notebook paths from chapter numbers ("07"), file names, or "all" (chapters only)."""
    book = sorted((root / "book").glob("[0-9][0-9]_*.ipynb"))
    if names == ["all"]:
        return book
    found = []
    for name in names:
        matches = [p for p in book if p.name.startswith(name.zfill(2) + "_")
                   or p.name == name or str(p) == str(Path(name).resolve())]
        if not matches and Path(name).is_file():
            matches = [Path(name).resolve()]
        if len(matches) != 1:
            raise SystemExit(f"no single chapter matches {name!r}; "
                             f"give a number (07), a file name, or 'all'")
        found += matches
    return found


def with_run(source: str, run: int) -> str:
    """The notebook's text with its one ``helpers.seed_everything(k)`` set to ``run``."""
    calls = SEED_CALL.findall(source)
    if len(calls) != 1:
        raise ValueError(f"expected one helpers.seed_everything(...) call, found "
                         f"{len(calls)}")
    return SEED_CALL.sub(f"helpers.seed_everything({run})", source)


def execute(path: Path, run: int, profile: str, roundoff: str,
            timeout: int = 3600) -> dict:
    """Execute one chapter with one training run; its claims and its errors."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    calls = [c for c in nb.cells if c.cell_type == "code"
             and SEED_CALL.search(c.source)]
    if len(calls) != 1:
        raise ValueError(f"{path.name}: expected one cell calling "
                         f"helpers.seed_everything, found {len(calls)}")
    calls[0].source = with_run(calls[0].source, run)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "claims.jsonl"
        env = dict(os.environ, HELPERS_PROFILE=profile, HELPERS_CLAIMS="report",
                   HELPERS_CLAIMS_LOG=str(log), MPLBACKEND="Agg",
                   TF_CPP_MIN_LOG_LEVEL="3", **ROUNDOFFS[roundoff])
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                allow_errors=True,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute(env=env)
        seconds = time.perf_counter() - start
        claims = ([json.loads(line) for line in log.read_text().splitlines()]
                  if log.exists() else [])
    errors = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(f"cell {index}: {output['ename']}: "
                              f"{output['evalue'][:200]}")
    return {"chapter": path.name, "run": run, "profile": profile,
            "roundoff": roundoff, "seconds": round(seconds, 1),
            "claims": claims, "errors": errors}


def relative(margin: float | None, bound) -> float | None:
    if margin is None:
        return None
    if isinstance(bound, list):
        size = abs(bound[1] - bound[0]) / 2 or max(abs(bound[0]), abs(bound[1]))
    else:
        size = abs(bound) if isinstance(bound, (int, float)) else 0.0
    return margin / size if size > 0 else margin


def report(results: list[dict]) -> str:
    """The margin report: per chapter, every claim's values over the runs."""
    lines = []
    smallest = {}
    by_chapter = defaultdict(list)
    for result in results:
        by_chapter[result["chapter"]].append(result)
    for chapter, runs in sorted(by_chapter.items()):
        lines.append(f"\n== {chapter} ({len(runs)} runs: "
                     + ", ".join(f"{r['run']}/{r['roundoff']} {r['seconds']:.0f} s"
                                 for r in runs) + ")")
        table = defaultdict(list)          # (what, k-th occurrence) -> records
        order = []
        for result in runs:
            seen = defaultdict(int)
            for record in result["claims"]:
                key = (record["what"], seen[record["what"]])
                seen[record["what"]] += 1
                if key not in table:
                    order.append(key)
                table[key].append(record)
            for error in result["errors"]:
                lines.append(f"   run {result['run']}/{result['roundoff']}: ERROR {error}")
        worst = None
        for key in order:
            records = table[key]
            held = sum(r["held"] for r in records)
            what = key[0] + (f" #{key[1] + 1}" if key[1] else "")
            numeric = [r for r in records if r["margin"] is not None]
            if numeric:
                values = [r["value"] for r in numeric]
                rel = [relative(r["margin"], r["bound"]) for r in numeric]
                low = min(range(len(rel)), key=rel.__getitem__)
                bound = numeric[low]["bound"]
                op = numeric[low]["op"]
                lines.append(
                    f" {'ok ' if held == len(records) else 'NO '}{held}/{len(records)} "
                    f"{what[:58]:58s} {min(values):9.4g}..{max(values):<9.4g} "
                    f"{op} {bound if isinstance(bound, list) else f'{bound:.4g}'}"
                    f"  margin {numeric[low]['margin']:+.3g} ({rel[low]:+.0%})")
                if worst is None or rel[low] < worst[0]:
                    worst = (rel[low], what, numeric[low]["margin"])
            else:
                lines.append(f" {'ok ' if held == len(records) else 'NO '}"
                             f"{held}/{len(records)} {what[:58]}")
                if held < len(records) and (worst is None or worst[0] > -1):
                    worst = (-1.0, what, None)
        smallest[chapter] = worst
    lines.append("\n== smallest relative margin per chapter")
    for chapter, worst in sorted(smallest.items()):
        if worst is None:
            lines.append(f" {chapter:40s} (no numeric claim)")
        else:
            lines.append(f" {chapter:40s} {worst[0]:+7.0%}  {worst[1][:60]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="+", help="chapter numbers (07), files, or all")
    parser.add_argument("--runs", nargs="+", type=int, default=[0, 1, 2, 3, 4],
                        help="arguments for helpers.seed_everything (default 0-4)")
    parser.add_argument("--profile", default="test", choices=("test", "cpu", "gpu"))
    parser.add_argument("--roundoff", nargs="+", default=["default"],
                        choices=sorted(ROUNDOFFS))
    parser.add_argument("--jobs", type=int, default=1, help="chapters run at once")
    parser.add_argument("--json", help="also write every run's claims to this file")
    args = parser.parse_args(argv)
    jobs = [(path, run, args.profile, roundoff)
            for path in chapters(args.chapters)
            for roundoff in args.roundoff for run in args.runs]
    print(f"{len(jobs)} executions, {args.jobs} at a time", file=sys.stderr)

    def one(job):
        result = execute(*job)
        failed = sum(not c["held"] for c in result["claims"])
        print(f"  {result['chapter']} run {result['run']} ({result['roundoff']}): "
              f"{result['seconds']:.0f} s, {len(result['claims'])} claims, "
              f"{failed} not held, {len(result['errors'])} errors", file=sys.stderr)
        for claim in result["claims"]:
            if not claim["held"]:
                print(f"    not held: {claim['what']}: {claim['value']} {claim['op'] or ''} "
                      f"{claim['bound'] if claim['bound'] is not None else ''}",
                      file=sys.stderr)
        return result

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(one, jobs))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(report(results))
    bad = any(not c["held"] for r in results for c in r["claims"]) or any(
        r["errors"] for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
