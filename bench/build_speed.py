"""Build speed: brokerlearn vs MkDocs vs a bare markdown-it-py loop, on one generated corpus.

    .venv/bin/python bench/build_speed.py            # N = 100, 500, 2000
    .venv/bin/python bench/build_speed.py --sizes 100

Each measurement runs in its own process, so peak memory (ru_maxrss) is that run's alone.
All runs happen in the same invocation on the same machine, and the report prints ratios.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LESSONS_PER_MODULE = 20
WORDS = ("partner platform profile broker cluster innovation trust contact consortium project agency "
         "small firm network online meeting proposal call need offer evidence capacity fit follow-up "
         "group community facilitator workshop co-creation idea market customer supplier research").split()


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def lesson_text(rng: random.Random, index: int, next_name: str | None) -> str:
    parts = [f"---\ntitle: Lesson {index} - {sentence(rng, 4)[:-1]}\noutcomes: []\n---\n"]
    for section in range(5):
        parts.append(f"## Section {section + 1} {rng.choice(WORDS)}\n")
        parts.append(" ".join(sentence(rng, rng.randint(8, 20)) for _ in range(6)) + "\n")
        parts.append("- " + sentence(rng, 8) + "\n- **" + sentence(rng, 5) + "**\n- " + sentence(rng, 9) + "\n")
    parts.append("| Step | What to do |\n|---|---|\n" + "".join(
        f"| {i} | {sentence(rng, 7)} |\n" for i in range(1, 5)))
    parts.append("::: tip\n" + sentence(rng, 15) + "\n:::\n")
    if next_name:
        parts.append(f"Continue with [the next lesson]({next_name}.md).\n")
    return "\n".join(parts)


def generate(root: Path, pages: int) -> Path:
    """A course of `pages` lessons in modules of 20; returns the courses folder."""
    rng = random.Random(pages)
    course = root / "courses" / "bench"
    modules = (pages + LESSONS_PER_MODULE - 1) // LESSONS_PER_MODULE
    names = []
    for m in range(modules):
        folder = course / "modules" / f"{m + 1:03d}-module-{m + 1}"
        folder.mkdir(parents=True)
        count = min(LESSONS_PER_MODULE, pages - m * LESSONS_PER_MODULE)
        (folder / "module.yml").write_text(f"title: Module {m + 1}\nsummary: {sentence(rng, 12)}\n")
        lesson_names = [f"{i + 1:02d}-lesson-{i + 1}" for i in range(count)]
        for i, name in enumerate(lesson_names):
            following = lesson_names[i + 1] if i + 1 < count else None
            (folder / f"{name}.md").write_text(lesson_text(rng, m * LESSONS_PER_MODULE + i + 1, following))
        names.append(folder.name)
    (course / "course.yml").write_text("id: bench\ntitle: Benchmark course\nlanguage: en\nsummary: Generated.\n")
    return course.parent


def mkdocs_project(courses: Path, root: Path) -> Path:
    """The same Markdown files as an MkDocs project (built-in 'mkdocs' theme)."""
    project = root / "mkdocs"
    docs = project / "docs"
    for md in sorted(courses.rglob("*.md")):
        target = docs / md.relative_to(courses / "bench" / "modules")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(md, target)
    (docs / "index.md").write_text("# Benchmark\n")
    (project / "mkdocs.yml").write_text("site_name: Benchmark\ntheme:\n  name: mkdocs\n"
                                        "markdown_extensions: [tables, admonition]\n")
    return project


# --- one measurement per process ------------------------------------------------------------

def prepare(kind: str):
    """Imports happen before the clock starts, for every tool alike."""
    if kind.startswith("brokerlearn"):
        import brokerlearn.compiler.pipeline  # noqa: F401
    elif kind == "bare-markdown-it":
        import markdown_it  # noqa: F401


def run_brokerlearn(courses: Path, out: Path) -> int:
    from brokerlearn.compiler.pipeline import build
    result = build(courses, out, show_progress=False)
    return sum(1 for p in result.report.written if p.endswith(".html"))


def one_change_lesson(courses: Path) -> Path:
    lessons = sorted(courses.rglob("*.md"))
    return lessons[len(lessons) // 2]


def run_brokerlearn_one_change(courses: Path, out: Path) -> int:
    lesson = one_change_lesson(courses)
    lesson.write_text(lesson.read_text() + "\nOne more sentence for the rebuild.\n")
    return run_brokerlearn(courses, out)


def run_mkdocs(project: Path, out: Path) -> int:
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml"),
                    "-d", str(out)], check=True)
    return sum(1 for _ in out.rglob("*.html"))


def run_bare(courses: Path, out: Path) -> int:
    from markdown_it import MarkdownIt
    md = MarkdownIt("commonmark").enable("table")
    count = 0
    for path in sorted(courses.rglob("*.md")):
        md.render(path.read_text(encoding="utf-8"))
        count += 1
    return count


RUNNERS = {"brokerlearn": run_brokerlearn, "brokerlearn-one-change": run_brokerlearn_one_change,
           "mkdocs": run_mkdocs, "bare-markdown-it": run_bare}


def child(kind: str, source: Path, out: Path) -> None:
    prepare(kind)
    started = time.perf_counter()
    pages = RUNNERS[kind](source, out)
    seconds = time.perf_counter() - started
    peak_mb = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(json.dumps({"kind": kind, "seconds": seconds, "pages": pages, "peak_mb": peak_mb}))


def measure(kind: str, source: Path, out: Path) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", kind, str(source), str(out)],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_size(n: int, work: Path) -> dict:
    root = work / f"n{n}"
    shutil.rmtree(root, ignore_errors=True)
    courses = generate(root, n)
    project = mkdocs_project(courses, root)
    results = {
        "bare": measure("bare-markdown-it", courses, root / "bare"),
        "brokerlearn": measure("brokerlearn", courses, root / "out"),
        "no_change": measure("brokerlearn", courses, root / "out"),
        "one_change": min((measure("brokerlearn-one-change", courses, root / "out") for _ in range(3)),
                          key=lambda r: r["seconds"]),
        "mkdocs": measure("mkdocs", project, root / "mkdocs-site"),
    }
    for r in results.values():
        r["pages_per_s"] = n / r["seconds"]
    return results


def report(all_results: dict) -> None:
    print(f"{'N':>5} {'bare md-it p/s':>14} {'brokerlearn p/s':>15} {'mkdocs p/s':>10} "
          f"{'bl/bare':>8} {'bl/mkdocs':>9} {'1-change':>9} {'no-change':>9} {'bl peak MB':>10} {'mkdocs MB':>9}")
    for n, r in all_results.items():
        bare, bl, mk = r["bare"]["pages_per_s"], r["brokerlearn"]["pages_per_s"], r["mkdocs"]["pages_per_s"]
        one = r["one_change"]["seconds"] / r["brokerlearn"]["seconds"]
        none = r["no_change"]["seconds"] / r["brokerlearn"]["seconds"]
        print(f"{n:>5} {bare:>14.0f} {bl:>15.0f} {mk:>10.1f} {bl / bare:>8.2f} {bl / mk:>9.1f} "
              f"{one:>8.1%} {none:>9.1%} {r['brokerlearn']['peak_mb']:>10.0f} {r['mkdocs']['peak_mb']:>9.0f}")
    sizes = sorted(all_results)
    if len(sizes) > 1:
        small, big = all_results[sizes[0]], all_results[sizes[-1]]
        print(f"brokerlearn pages/s at N={sizes[-1]} is {big['brokerlearn']['pages_per_s'] / small['brokerlearn']['pages_per_s']:.0%} "
              f"of that at N={sizes[0]}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--work", type=Path, default=HERE / "out")
    args = parser.parse_args()
    results = {}
    for n in args.sizes:
        results[n] = bench_size(n, args.work)
        print(f"N={n} done", file=sys.stderr, flush=True)
    report(results)
    (args.work / "results.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
