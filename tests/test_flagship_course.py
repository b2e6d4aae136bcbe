"""The flagship course cannot silently shrink: it builds in strict mode, and its size and
alignment are counted here (modules, lessons, words, outcomes, questions per outcome, videos)."""
import re
from pathlib import Path

import pytest
import yaml

from brokerlearn.compiler.pipeline import build
from brokerlearn.course.alignment import align
from brokerlearn.course.webvtt import read_captions

COURSE = Path(__file__).resolve().parents[1] / "courses" / "online-collaboration"
QUIZ_BLOCK = re.compile(r"^```quiz\n.*?^```\n", re.S | re.M)


@pytest.fixture(scope="module")
def loaded():
    """The course as the loader reads it: enough for counting its items (no videos converted)."""
    from brokerlearn.course.loader import load_course
    from brokerlearn.errors import Diagnostics
    diags = Diagnostics()
    course = load_course(COURSE, diags)
    assert not diags.errors
    return course


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("flagship")
    result = build(COURSE, out, strict=True, show_progress=False)  # a warning would fail it
    assert result.diagnostics.warnings == []
    return result.courses[0], out


def prose_words(lesson) -> int:
    """Words of the lesson text, leaving out the inline quiz blocks."""
    return len(re.findall(r"\w+", QUIZ_BLOCK.sub("", lesson.body)))


# How a lesson's minutes are estimated (stated in the course's first lesson, "Time"): reading at
# about 180 words a minute, 2 minutes per practice question, a video case study's running time
# rounded up to the minute plus 2 minutes per decision point in it, 12 per activity done as a
# first draft with one's own client, and 15 more to finish it as a portfolio piece (an assignment).
READING_WORDS_PER_MINUTE, PER_PRACTICE, PER_DECISION, PER_ACTIVITY, PER_ASSIGNMENT = 180, 2, 2, 12, 15


def video_minutes(name: str) -> int:
    """A video's running time (the rendered MP4's, as ffmpeg reads it) rounded up, and its decisions."""
    import math
    from brokerlearn.mediatools import probe
    sidecar = yaml.safe_load((COURSE / "media" / f"{name}.yml").read_text(encoding="utf-8"))
    return math.ceil(probe(COURSE / "media" / f"{name}.mp4").duration / 60) + PER_DECISION * len(
        sidecar.get("decisions") or [])


def estimated_minutes(lesson) -> int:
    body = lesson.body
    return (round(prose_words(lesson) / READING_WORDS_PER_MINUTE) + PER_PRACTICE * body.count("```quiz")
            + sum(video_minutes(name) for name in re.findall(r"^::: video (\S+)", body, re.M))
            + PER_ACTIVITY * body.count("::: activity") + PER_ASSIGNMENT * body.count("::: assignment "))


def test_study_time_is_what_the_lessons_and_activities_add_up_to(loaded):
    """Issue 21 item 7: the lesson minutes added up to 9 h against "12 to 15 hours", and lessons of
    the same length were rated 9 or 32 minutes. Now each lesson's minutes follow one stated rule,
    and the lessons with the graded questions add up to the total the course states."""
    course = loaded
    for _, lesson in course.lessons():
        assert lesson.minutes == estimated_minutes(lesson), (lesson.slug, lesson.minutes, estimated_minutes(lesson))
    assert "15 to 16 hours" in course.summary and 15 * 60 <= course.minutes <= 16 * 60, course.minutes


def test_size(built):
    course, _ = built
    lessons = list(course.lessons())
    assert len(course.modules) >= 7
    assert len(lessons) >= 28
    assert sum(prose_words(lesson) for _, lesson in lessons) >= 25_000
    units = course.profile.units
    assert 5 <= len(units) <= 7
    assert 15 <= len(course.outcome_index()) <= 25
    # Issue 21: "EQF 6" was self-assigned; the profile now says what level it was written for
    # and that no competent body has referenced it, and claims none.
    assert course.profile.level is None and "states no level" in course.profile.summary


def test_every_outcome_taught_and_assessed_twice(built):
    course, _ = built
    for oid, row in align(course).items():
        assert row.lessons, f"{oid} is taught by no lesson"
        assert len(row.questions) >= 2, f"{oid} is assessed by {len(row.questions)} graded question(s)"


# What a graded item asks of the learner: every scored graded item carries exactly one of these
# tags (`tags:` in the quiz file, docs/format-reference.md). Issue 21: at most 10% of the items may
# be recall, arithmetic or details of a video, and none may be answerable from a video alone.
KINDS = {"scenario", "recall", "arithmetic", "video-detail"}
# Types that can only check a remembered fact, a term or a sum: never counted as a scenario,
# whatever their tag says, so the share below cannot be lowered by tagging alone.
RECALL_TYPES = {"truefalse", "numeric", "text", "cloze"}


def graded_items(course):
    return [(quiz, q) for module in course.modules for quiz in module.quizzes if quiz.graded
            for q in quiz.questions if q.scored]


def kind_of(question) -> str:
    kinds = KINDS.intersection(question.tags)
    assert len(kinds) == 1, f"{question.id}: tag it with exactly one of {sorted(KINDS)}, not {question.tags}"
    (kind,) = kinds
    return "recall" if kind == "scenario" and question.type in RECALL_TYPES else kind


def right_is_longest(question) -> bool:
    """The cue test-wise learners use: a right option at least as long as every wrong one."""
    right = [len(o.text) for o in question.options if o.correct]
    wrong = [len(o.text) for o in question.options if not o.correct]
    return bool(wrong) and max(right) >= max(wrong)


def test_graded_items_ask_for_judgements(loaded):
    """Issue 21 item 1: the review counted 42 of 106 scored items (40%) as true/false, term recall,
    arithmetic or video details; now every item is a situation that asks for a decision."""
    course = loaded
    items = graded_items(course)
    kinds = [kind_of(q) for _, q in items]
    assert len(items) >= 100, len(items)  # 105 at the rewrite
    assert kinds.count("video-detail") == 0
    assert (len(kinds) - kinds.count("scenario")) / len(kinds) <= 0.10, kinds


def test_the_right_option_is_rarely_the_longest(loaded):
    """The review found the right option longest in 26 of 32 single-choice items; at most 40% now,
    counted from the options' texts (28 of 92 choice items at the rewrite)."""
    course = loaded
    choice = [q for _, q in graded_items(course) if q.type in ("single", "multiple")]
    longest = [f"{q.id}" for q in choice if right_is_longest(q)]
    assert len(choice) >= 80
    assert len(longest) / len(choice) <= 0.40, longest
    single = [q for q in choice if q.type == "single"]
    assert sum(map(right_is_longest, single)) / len(single) <= 0.40


def test_every_outcome_is_assessed_by_scenarios(loaded):
    course = loaded
    per_outcome: dict[str, int] = {}
    for _, q in graded_items(course):
        if kind_of(q) == "scenario":
            for oid in q.outcomes:
                per_outcome[oid] = per_outcome.get(oid, 0) + 1
    for oid in course.outcome_index():
        assert per_outcome.get(oid, 0) >= 2, f"{oid}: {per_outcome.get(oid, 0)} scenario item(s)"


def test_every_outcome_is_evidenced_by_a_portfolio_piece(loaded):
    """Issue 21 item 1: a capstone portfolio with rubrics, peer review of the profile, every
    outcome evidenced by an assessed task a trainer reviews."""
    course = loaded
    pieces = course.assignments.values()
    assert len(pieces) >= 5 and all(piece.trainer for piece in pieces)
    assert course.assignments["capstone-profile"].peer_reviews >= 2
    evidenced = {oid for piece in pieces for criterion in piece.rubric.criteria for oid in criterion.outcomes}
    assert evidenced >= set(course.outcome_index()), sorted(set(course.outcome_index()) - evidenced)
    placed = [aid for _, lesson in course.lessons() for aid in re.findall(r"^::: assignment (\S+)", lesson.body, re.M)]
    assert sorted(placed) == sorted(course.assignments)


def test_every_module_has_a_graded_assessment_and_practice(built):
    course, out = built
    for module in course.modules:
        graded = [q for q in module.quizzes if q.graded]
        assert graded, f"{module.slug} has no graded assessment"
        scored = [q for quiz in graded for q in quiz.questions if q.scored]
        assert len(scored) >= 6 and len({q.type for q in scored}) >= 3, module.slug
        pages = [(out / "site" / course.id / module.slug / lesson.slug / "index.html").read_text()
                 for lesson in module.lessons]
        assert sum(page.count('class="quiz quiz-practice"') for page in pages) >= len(module.lessons) - 1


# Storyboards whose text was corrected (issue 21, item 7: the Keller owner is Petra Keller and her
# adviser Samira Haddad everywhere; the firm, not the adviser, sends the follow-up note; the
# search's half-day time box) and whose videos are still the old renders. Rendering them again
# (`brokerlearn video render`) is a separate job; until then the videos say the old names.
AWAITING_RENDER = {"case-partner-search"}


def test_videos_are_complete_case_studies(built):
    course, out = built
    assert len(course.videos) >= 4
    for name, video in course.videos.items():
        output = course.video_outputs[name]
        side = video.sidecar
        if side.get("decisions"):  # remade as a case worth watching (issue 21 item 6)
            assert 240 <= output.duration <= 480, f"{name} lasts {output.duration:.0f} s, not 4 to 8 minutes"
            assert 2 <= len(side["decisions"]) <= 3 and any(d.get("branch") for d in side["decisions"]), name
        else:
            assert 60 <= output.duration <= 180, f"{name} lasts {output.duration:.0f} s"
        assert side["license"] == "CC-BY-4.0" and side["attribution"] and side["transcript"]
        assert len(video.chapters) >= 2 and read_captions(video.captions["en"])
        storyboard = yaml.safe_load((COURSE / "storyboards" / f"{name}.yml").read_text())
        narration = " ".join(" ".join(s["narration"].split()) for s in storyboard["scenes"])
        rendered = " ".join(side["transcript"].split()) == narration
        if name in AWAITING_RENDER:
            assert not rendered, f"{name} has been rendered again: take it out of AWAITING_RENDER"
        else:
            assert rendered, f"{name}: render the storyboard again"
        using = [lesson for _, lesson in course.lessons() if f"::: video {name}" in lesson.body]
        assert len(using) == 1 and "```quiz" in using[0].body, f"{name} needs one lesson with questions on it"


def test_home_and_glossary(built):
    course, out = built
    home = (out / "site" / course.id / "index.html").read_text()
    for needed in ("For whom", "How long", "The certificate", "CC BY 4.0", "Qualification"):
        assert needed in home
    glossary = [lesson for _, lesson in course.lessons() if lesson.slug == "glossary"]
    assert glossary and glossary[0].body.count("\n: ") >= 30  # definition-list entries


def test_every_image_and_video_is_credited(built):
    from test_credits import assert_every_medium_credited
    course, out = built
    assert_every_medium_credited(course, out / "site" / course.id)


def test_the_security_reviews_attacks_read_no_answers_from_the_built_pages(built):
    """Issue 14 / F1: the review's scripts (tests/tools/) against the freshly built site. They
    recovered all 22 order and match answers and 30 of 32 by 'pick the author's first option';
    now they may get what guessing gets. (Since the rewrite of issue 21: 13 order and match
    items, 71 single-choice items.)"""
    import json
    import sys
    tools = str(Path(__file__).parent / "tools")
    sys.path.insert(0, tools)
    try:
        import crack_quiz
        import crack_single
    finally:
        sys.path.remove(tools)
    course, out = built
    truth = json.loads((out / "server" / f"{course.id}.json").read_text())
    keys = {f"{quiz_id}/{q['id']}": q for quiz_id, quiz in truth["quizzes"].items() if quiz["mode"] == "graded"
            for q in quiz["questions"] if q["type"] in ("order", "match")}
    cracked = {}
    for page in sorted((out / "site" / course.id).rglob("index.html")):
        cracked.update(crack_quiz.crack(str(page)))
    assert set(cracked) == set(keys) and len(keys) == 13  # 12 match, 1 order
    exact = 0
    for scope, found in cracked.items():
        q = keys[scope]
        answer = [i["text"] for i in q["items"]] if q["type"] == "order" else {p["left"]: p["right"] for p in q["pairs"]}
        assert not any(found["from_ids"].values() if isinstance(found["from_ids"], dict) else found["from_ids"])
        exact += found["from_shuffle"] == answer
    assert exact <= 4, exact  # chance: about 1 (a 4-item order: 1 in 23; a 4-pair match: 1 in 24)
    counts = crack_single.crack_single(str(out / "site"), truth)
    assert counts["questions"] == 71 and counts["index_from_id"] == 0
    assert counts["author_first_right"] <= 35, counts  # chance: about 18 of 71 (four options each)


def test_each_fictional_name_belongs_to_one_case():
    """Issue 21 item 7: three unrelated Lindqvist firms, three Petras, four Tomasz/Tomás/Tomas,
    two Miras, two Brandts, and the Keller owner called Tobias in one video. Each of those names
    now belongs to one case: it occurs in one module only (a storyboard counts for the module of
    the lesson that shows its video), except Petra Keller and her adviser, who recur on purpose."""
    def texts(module):
        folder = next((COURSE / "modules").glob(f"{module}*"))
        found = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*")) if p.suffix in (".md", ".yml")]
        for lesson in folder.glob("*.md"):
            for name in re.findall(r"^::: video (\S+)", lesson.read_text(encoding="utf-8"), re.M):
                found.append((COURSE / "storyboards" / f"{name}.yml").read_text(encoding="utf-8"))
        return "\n".join(found)
    modules = {f"{n:02d}": texts(f"{n:02d}-") for n in range(1, 9)}
    for name in ("Lindqvist", "Mira", "Brandt", "Tomasz", "Tomás", "Tomas", "Dorn", "Falk", "Kovač"):
        where = [m for m, text in modules.items() if re.search(rf"\b{name}\b", text)]
        assert len(where) <= 1, f"{name} appears in modules {where}"
    everything = "\n".join(modules.values())
    assert not re.search(r"\bTobias\b|\bLena\b", everything)
    assert set(re.findall(r"\bPetra ([A-Z]\w+)", everything)) == {"Keller"}
    assert "Samira Haddad" in modules["01"] and "Samira Haddad" in modules["06"]
