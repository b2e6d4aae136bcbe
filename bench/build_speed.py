"""Build speed: brokerlearn vs MkDocs vs a bare markdown-it-py loop, on one generated corpus.

    .venv/bin/python bench/build_speed.py            # N = 100 and 2000, about 10 minutes
    .venv/bin/python bench/build_speed.py --sizes 100 --mkdocs

Each measurement runs in its own process, so peak memory is that run's alone: the main process's
maximum RSS, the largest build worker's (RUSAGE_CHILDREN), and the peak of all of them together as
proportional set size (PSS: pages the forked workers share with the main process counted once).
All runs happen in the same invocation on the same machine, the bare loop and the full build
interleaved and repeated (the fastest run of each counts), and the report prints ratios of
wall-clock time and of CPU time (on a shared machine the CPU time is the steadier of the two).
"""
from __future__ import annotations

import argparse
import json
import os
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


IMAGES = 12  # shared images under media/, each with its credit sidecar


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(8, 20)) for _ in range(sentences))


def lesson_words(rng: random.Random) -> int:
    """800 to 1,500 words, median about 1,100 (a triangular distribution)."""
    return round(rng.triangular(835, 1480, 1100))  # as generated below: 800 to 1,500 split on spaces


def lesson_text(rng: random.Random, index: int, links: list[str], code: bool) -> str:
    """A lesson of the size and shape of a real one (issue 20): sections with paragraphs, lists,
    a table, an image with its alt text, a blockquote, a tip, about six links to other lessons
    and, on one page in three, a code block."""
    target = lesson_words(rng)
    parts = [f"---\ntitle: Lesson {index} - {sentence(rng, 4)[:-1]}\noutcomes: []\n---\n",
             paragraph(rng, 4) + "\n"]
    extras = ["| Step | What to do | Who |\n|---|---|---|\n" + "".join(
                  f"| {i} | {sentence(rng, 7)} | {rng.choice(WORDS)} |\n" for i in range(1, 6)),
              f"![{sentence(rng, 6)[:-1]}](../../media/diagram-{index % IMAGES}.svg)\n",
              "> " + paragraph(rng, 2) + "\n",
              "::: tip\n" + sentence(rng, 15) + "\n:::\n"]
    if code:
        extras.append("```python\n" + "".join(f"score_{i} = weight * fit({rng.choice(WORDS)!r})\n"
                                              for i in range(6)) + "```\n")
    link_lines = [f"See [{sentence(rng, 3)[:-1].lower()}]({target_name}) for more." for target_name in links]
    section = 0
    while len(" ".join(parts).split()) < target - 70:  # the last section and the extras add some
        section += 1
        parts.append(f"## Section {section} {rng.choice(WORDS)}\n")
        parts.append(paragraph(rng, rng.randint(3, 5)) + (" " + link_lines.pop() if link_lines else "") + "\n")
        if section % 2 == 0:
            parts.append("".join(f"- {sentence(rng, rng.randint(6, 12))}\n" for _ in range(4)))
        else:
            parts.append("".join(f"{i}. **{sentence(rng, 3)}** {sentence(rng, 9)}\n" for i in range(1, 4)))
        if section % 2 == 1 and extras:
            parts.append(extras.pop(0))
        if section % 3 == 0:
            parts.append(f"### Detail {section} {rng.choice(WORDS)}\n")
            parts.append(paragraph(rng, 3) + "\n")
    parts.extend(extras)
    parts.extend(line + "\n" for line in link_lines)
    return "\n".join(parts)


def _svg(n: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 160" role="img"><title>Diagram {n}</title>'
            f'<rect x="10" y="30" width="580" height="100" rx="10" fill="#dce8f6"/></svg>\n')


def generate(root: Path, pages: int) -> Path:
    """A course of `pages` lessons in modules of 20; returns the courses folder."""
    rng = random.Random(pages)
    course = root / "courses" / "bench"
    media = course / "media"
    media.mkdir(parents=True)
    for n in range(IMAGES):
        (media / f"diagram-{n}.svg").write_text(_svg(n))
        (media / f"diagram-{n}.svg.yml").write_text(f"title: Diagram {n}\nlicense: CC-BY-4.0\nattribution: bench\n")
    modules = (pages + LESSONS_PER_MODULE - 1) // LESSONS_PER_MODULE
    paths = [(m, i) for m in range(modules) for i in range(min(LESSONS_PER_MODULE, pages - m * LESSONS_PER_MODULE))]

    def folder(m: int) -> str:
        return f"{m + 1:03d}-module-{m + 1}"

    for m in range(modules):
        (course / "modules" / folder(m)).mkdir(parents=True)
        (course / "modules" / folder(m) / "module.yml").write_text(f"title: Module {m + 1}\nsummary: {sentence(rng, 12)}\n")
    for number, (m, i) in enumerate(paths):
        others = [paths[(number + step) % len(paths)] for step in (1, 2, 3, 7, 40, 311) if len(paths) > 1]
        links = [f"{i2 + 1:02d}-lesson-{i2 + 1}.md" if m2 == m else f"../{folder(m2)}/{i2 + 1:02d}-lesson-{i2 + 1}.md"
                 for m2, i2 in others if (m2, i2) != (m, i)]
        text = lesson_text(rng, number + 1, links, code=number % 3 == 0)
        (course / "modules" / folder(m) / f"{i + 1:02d}-lesson-{i + 1}.md").write_text(text)
    (course / "course.yml").write_text("id: bench\ntitle: Benchmark course\nlanguage: en\nsummary: Generated.\n")
    past = time.time() - 3600  # written an hour ago, as an author's files are (see fs.StatMemo)
    for path in course.rglob("*"):
        os.utime(path, (past, past))
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
    jobs = os.environ.get("BENCH_BUILD_JOBS")  # --jobs, passed to the measuring process
    result = build(courses, out, show_progress=False, jobs=int(jobs) if jobs else None)
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


class PssSampler:
    """The peak of this process's proportional set size plus its children's, sampled every
    0.1 s: forked build workers share most of their pages with the main process, so adding
    their RSS would count those pages twice, and ru_maxrss of the children is only the largest."""

    def __init__(self):
        import threading
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in _process_tree(os.getpid())))
            if self._stop.wait(0.1):
                return


def _process_tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            pids += [p for child in (task / "children").read_text().split() for p in _process_tree(int(child))]
        except OSError:
            pass  # a child that just ended
    return pids


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def child(kind: str, source: Path, out: Path) -> None:
    prepare(kind)
    with PssSampler() as pss:
        started, cpu = time.perf_counter(), time.process_time()
        pages = RUNNERS[kind](source, out)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"kind": kind, "seconds": seconds, "cpu": cpu + children.ru_utime + children.ru_stime,
                      "pages": pages, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "workers_peak_mb": children.ru_maxrss / 1024, "total_pss_mb": pss.peak_kb / 1024}))


def measure(kind: str, source: Path, out: Path) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", kind, str(source), str(out)],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def best(runs: list[dict]) -> dict:
    """The fastest of repeated runs (the least disturbed by other work), with the largest peak."""
    fastest = dict(min(runs, key=lambda r: r["seconds"]))
    fastest["cpu"] = min(r["cpu"] for r in runs)
    for peak in ("peak_mb", "workers_peak_mb", "total_pss_mb"):
        fastest[peak] = max(r[peak] for r in runs)
    fastest["runs"] = len(runs)
    return fastest


def bench_size(n: int, work: Path, repeat: int, with_mkdocs: bool) -> dict:
    """The bare loop and full builds interleaved, so both see the same load on the machine."""
    root = work / f"n{n}"
    shutil.rmtree(root, ignore_errors=True)
    courses = generate(root, n)
    bare, full = [], []
    for _ in range(repeat):
        bare.append(measure("bare-markdown-it", courses, root / "bare"))
        shutil.rmtree(root / "out", ignore_errors=True)
        full.append(measure("brokerlearn", courses, root / "out"))
    results = {"bare": best(bare), "brokerlearn": best(full),
               "no_change": best([measure("brokerlearn", courses, root / "out") for _ in range(3)]),
               "one_change": best([measure("brokerlearn-one-change", courses, root / "out") for _ in range(3)])}
    if with_mkdocs:
        results["mkdocs"] = measure("mkdocs", mkdocs_project(courses, root), root / "mkdocs-site")
    for r in results.values():
        r["pages_per_s"] = n / r["seconds"]
        r["pages_per_cpu_s"] = n / r["cpu"]
    return results


def report(all_results: dict) -> None:
    print(f"{'N':>5} {'bare p/s':>9} {'bl p/s':>7} {'bl/bare':>8} {'(cpu)':>6} {'full s':>7} {'1-change s':>10} "
          f"{'/full':>6} {'no-change s':>11} {'/full':>6} {'main MB':>8} {'worker MB':>9} {'total PSS MB':>12} "
          f"{'mkdocs p/s':>10}")
    for n, r in all_results.items():
        bare, bl, full = r["bare"], r["brokerlearn"], r["brokerlearn"]["seconds"]
        mkdocs = f"{r['mkdocs']['pages_per_s']:.1f}" if "mkdocs" in r else "-"
        print(f"{n:>5} {bare['pages_per_s']:>9.0f} {bl['pages_per_s']:>7.0f} {bl['pages_per_s'] / bare['pages_per_s']:>8.0%} "
              f"{bl['pages_per_cpu_s'] / bare['pages_per_cpu_s']:>6.0%} {full:>7.2f} {r['one_change']['seconds']:>10.2f} "
              f"{r['one_change']['seconds'] / full:>6.1%} {r['no_change']['seconds']:>11.2f} "
              f"{r['no_change']['seconds'] / full:>6.1%} {_peak(r, 'peak_mb'):>8.0f} {_peak(r, 'workers_peak_mb'):>9.0f} "
              f"{_peak(r, 'total_pss_mb'):>12.0f} {mkdocs:>10}")
    sizes = sorted(all_results)
    if len(sizes) > 1:
        small, big = all_results[sizes[0]]["brokerlearn"], all_results[sizes[-1]]["brokerlearn"]
        print(f"brokerlearn pages/s at N={sizes[-1]} is {big['pages_per_s'] / small['pages_per_s']:.0%} of that at "
              f"N={sizes[0]} (per CPU second: {big['pages_per_cpu_s'] / small['pages_per_cpu_s']:.0%})")


def _peak(results: dict, which: str) -> float:
    """The largest of the full build and the rebuilds."""
    return max(results[kind][which] for kind in ("brokerlearn", "one_change", "no_change"))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 2000])
    parser.add_argument("--repeat", type=int, default=2, help="bare loop and full build runs, interleaved")
    parser.add_argument("--mkdocs", action="store_true", help="also build the corpus with MkDocs")
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--jobs", type=int, default=None, help="brokerlearn's build processes (default: its own)")
    args = parser.parse_args()
    if args.jobs:
        os.environ["BENCH_BUILD_JOBS"] = str(args.jobs)
    results = {}
    for n in args.sizes:
        results[n] = bench_size(n, args.work, args.repeat, args.mkdocs)
        print(f"N={n} done", file=sys.stderr, flush=True)
    report(results)
    (args.work / "results.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
