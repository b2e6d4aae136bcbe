"""The course format, declared as data.

One definition per file kind drives validation (with file:line errors) and the format
reference in docs/ (`brokerlearn.course.reference` renders it; a test keeps them in step).
"""
from __future__ import annotations

from brokerlearn.course.questions.choice import OPTION
from brokerlearn.course.questions.registry import answer_fields, type_names
from brokerlearn.course.schema_types import (
    Boolean, Choice, Either, Field, Identifier, Integer, Language, ListOf, Markdown, Number, Obj, Slug,
    Text,
)

QUESTION_TYPES = type_names()  # one module each in brokerlearn/course/questions/
CONTAINER_KINDS = ("note", "tip", "warning", "activity", "reflection")

AUTHOR = Obj("an author", [
    Field("name", Text(), "Full name as it should be credited.", required=True),
    Field("affiliation", Text(), "Organisation the author writes for."),
])

CATALOG = Obj("catalog", [
    Field("order", Integer(), "Place of the course in the site's catalog: lower numbers first "
          "(courses without one follow, by title).", default=None),
    Field("hidden", Boolean(), "Leave the course out of the catalog; its pages are still built and "
          "reachable by their address.", default=False),
    Field("summary", Text(), "A short summary for the catalog card, one or two sentences "
          "(default: the first sentence of `summary`).", default=None),
])

COURSE = Obj("course.yml", [
    Field("id", Slug(), "Stable identifier of the course; also its folder in the built site. "
          "Changing it loses learners' progress. Reserved for the server: account, api, admin, "
          "certificates, dashboard, lti, _static.", required=True),
    Field("title", Text(), "Title shown on every page.", required=True),
    Field("version", Text(), "Version of the course content, e.g. `1.0` or `2026.1`.", default="1.0"),
    Field("language", Language(), "Language of the course (BCP 47). Sets the `lang` of every page.",
          required=True),
    Field("license", Text(), "SPDX licence identifier of the content.", default="CC-BY-4.0"),
    Field("authors", ListOf(AUTHOR), "Authors, credited on every page and in the licence notice.",
          default=list),
    Field("summary", Markdown(), "What the course is about, shown on the catalog and course home.",
          default=""),
    Field("profile", Text(), "File name of the qualification profile, e.g. `profile.yml`.", default=None),
    Field("level", Text(), "Educational level shown to search engines, e.g. `EQF 6` "
          "(default: the profile's level).", default=None),
    Field("modules", ListOf(Text()), "Module folders under `modules/`, in order "
          "(default: every folder, sorted by name).", default=None),
    Field("catalog", CATALOG, "How the site's catalog lists the course: its place, whether it is "
          "listed, its short summary.", default=None),
])

MODULE = Obj("module.yml", [
    Field("title", Text(), "Title of the module.", required=True),
    Field("summary", Markdown(), "What the module covers.", default=""),
    Field("outcomes", ListOf(Identifier()), "Outcome IDs of the profile this module teaches.",
          default=list),
    Field("lessons", ListOf(Text()), "Lesson file names without `.md`, in order "
          "(default: every lesson, sorted by name).", default=None),
    Field("minutes", Integer(minimum=1), "Estimated study time (default: sum of its lessons).",
          default=None),
])

LESSON = Obj("lesson front matter", [
    Field("title", Text(), "Title of the lesson.", required=True),
    Field("outcomes", ListOf(Identifier()), "Outcome IDs this lesson teaches.", default=list),
    Field("minutes", Integer(minimum=1), "Estimated study time (default: words / 200).",
          default=None),
])

OUTCOME = Obj("a learning outcome", [
    Field("id", Identifier(), "Stable outcome ID, e.g. `U1.O2`.", required=True),
    Field("statement", Text(), "What the learner can do, starting with an observable verb.",
          required=True),
])

UNIT = Obj("a competence unit", [
    Field("id", Identifier(), "Stable unit ID, e.g. `U1`.", required=True),
    Field("title", Text(), "Title of the unit.", required=True),
    Field("summary", Markdown(), "What the unit is about.", default=""),
    Field("outcomes", ListOf(OUTCOME, non_empty=True), "The unit's learning outcomes.", required=True),
])

REQUIRES = Obj("the certificate rule", [
    Field("outcomes", Either(Choice("all"), ListOf(Identifier(), non_empty=True)),
          "`all`, or the list of outcome IDs that must be reached.", default="all"),
    Field("min_outcome_score", Number(0, 1), "Share of an outcome's graded points needed.",
          default=0.7),
    Field("lessons_completed", Number(0, 1), "Share of lessons that must be completed.",
          default=0.0),
    Field("assignments", Either(Choice("all"), ListOf(Identifier(), non_empty=True)),
          "Assessed work that must be passed, its result released by a trainer: `all` (every "
          "assignment of the course), or a list of assignment IDs. Leave out to require none.",
          default=None),
    Field("assessed_weight", Number(0, 1),
          "Weight of released assignment results in an outcome's score, beside its graded quiz "
          "points: 0.5 counts both halves alike, 1 only the assessed work, 0 only the quizzes. An "
          "outcome assessed one way only is scored that way.", default=0.5),
])

CERTIFICATE = Obj("certificate", [
    Field("title", Text(), "Title printed on the certificate.", required=True),
    Field("requires", REQUIRES, "When a learner is eligible.", default=None),
    Field("valid_years", Number(0, 100), "Years a certificate stays valid; leave out for no expiry.",
          default=None),
])

PROFILE = Obj("profile.yml", [
    Field("id", Slug(), "Stable identifier of the qualification profile.", required=True),
    Field("title", Text(), "Title of the qualification.", required=True),
    Field("level", Text(), "Level, e.g. `EQF 6`.", default=None),
    Field("summary", Markdown(), "What the qualification certifies.", default=""),
    Field("units", ListOf(UNIT, non_empty=True), "Competence units.", required=True),
    Field("certificate", CERTIFICATE, "Certificate title and rule.", default=None),
])

QUESTION = Obj("a question", [
    Field("id", Identifier(), "Stable question ID, unique in its quiz.", required=True),
    Field("type", Choice(*QUESTION_TYPES), "Question type.", required=True),
    Field("prompt", Markdown(), "The question (Markdown).", required=True),
    Field("outcomes", ListOf(Identifier()), "Outcome IDs this question assesses.", default=list),
    Field("points", Number(0, exclusive_minimum=True), "Points for a fully right answer.",
          default=1),
    *answer_fields(),  # each type's own keys, from its module
    Field("explanation", Markdown(), "Shown after answering (practice) or after the last attempt "
          "(graded).", default=None),
    Field("tags", ListOf(Identifier()), "Words that sort the question for authors and reviewers "
          "(e.g. what it asks of the learner: `scenario`, `recall`, `arithmetic`); never shown to "
          "learners and never scored.", default=list),
])

QUIZ = Obj("a quiz file", [
    Field("id", Identifier(), "Stable quiz ID, unique in the course.", required=True),
    Field("title", Text(), "Title of the quiz.", required=True),
    Field("mode", Choice("graded", "practice"), "`graded` (server-marked, counts for the "
          "certificate) or `practice` (instant feedback in the page).", required=True),
    Field("pass_mark", Number(0, 1, exclusive_minimum=True), "Share of points needed to pass.",
          default=0.7),
    Field("max_attempts", Integer(minimum=0), "Attempts allowed; 0 = unlimited.", default=0),
    Field("shuffle", Boolean(), "Shuffle option order per attempt.", default=False),
    Field("questions", ListOf(QUESTION, non_empty=True), "The questions.", required=True),
])

DECISION_KINDS = ("single", "multiple")
BRANCH_VIDEO = Obj("a decision's branch clip", [
    Field("title", Text(), "What the clip shows, e.g. `What if Nora had mailed all fourteen?`", required=True),
    Field("video", Text(), "Name of the clip: another video of the course (`media/NAME.mp4` with "
          "its sidecar and captions).", required=True),
])


def _decision_fields(when: list, branch) -> list:
    """A decision point: a practice question (single or multiple choice) and an optional branch."""
    return [
        Field("id", Identifier(), "Stable ID of the decision, unique in its video.", required=True),
        *when,
        Field("type", Choice(*DECISION_KINDS), "`single` or `multiple` choice.", default="single"),
        Field("prompt", Markdown(), "The question (Markdown).", required=True),
        Field("options", ListOf(OPTION), "Options, each with its `feedback`.", required=True),
        Field("explanation", Markdown(), "Shown after answering.", default=None),
        Field("branch", branch, "A short alternative sequence (\"what would have happened if …\") "
              "the learner may watch before the video goes on.", default=None),
    ]


DECISION = Obj("a decision point", _decision_fields(
    [Field("at", Text(), "When the video pauses, as `mm:ss.sss` or `hh:mm:ss.sss`.", required=True)],
    BRANCH_VIDEO))

CHAPTER = Obj("a chapter", [
    Field("start", Text(), "Start time as `mm:ss` or `hh:mm:ss`.", required=True),
    Field("title", Text(), "Chapter title.", required=True),
])

VIDEO = Obj("a video sidecar", [
    Field("title", Text(), "Title of the video.", required=True),
    Field("license", Text(), "Licence of the video (SPDX id), e.g. `CC-BY-4.0`.", required=True),
    Field("attribution", Text(), "Who made it, as it must be credited.", required=True),
    Field("language", Language(), "Spoken language (BCP 47).", required=True),
    Field("chapters", ListOf(CHAPTER), "Chapters.", default=list),
    Field("transcript", Markdown(), "Transcript (default: built from the captions).", default=None),
    Field("decisions", ListOf(DECISION), "Decision points: the player pauses there and asks.", default=list),
])

# The kinds of scene a storyboard can show, and the keys each one needs (one home: the renderer,
# the validation and the format reference read this table).
SCENE_KINDS = {
    "title": ((), "A title card: `title`, an optional `subtitle`."),
    "points": (("points",), "Key points: `title` and up to six `points` (or `body` lines)."),
    "quote": (("quote", "speaker"), "A quote with a speaker card: `quote`, `speaker`."),
    "dialogue": (("speakers", "lines"), "Two speakers in turn: `speakers` (two), `lines`."),
    "screen": (("screen",), "A mock-up of a platform page, a cooperation profile, an e-mail or a "
               "chat: `screen`."),
    "number": (("number",), "One number that matters, large: `number`."),
    "chart": (("chart",), "A small bar chart: `chart`."),
    "image": (("image",), "An image or diagram with a slow pan or zoom: `image`, `motion`, "
              "`body` as the caption."),
    "timeline": (("events",), "A timeline: `events` (two to six)."),
}
TRANSITIONS = ("fade", "slideleft", "wipeleft", "dissolve", "none")
MOTIONS = ("zoom-in", "zoom-out", "pan-left", "pan-right", "none")

SPEAKER = Obj("a speaker", [
    Field("name", Text(), "Name on the speaker card; the avatar shows its initials.", required=True),
    Field("role", Text(), "Role or firm, under the name.", default=None),
    Field("image", Text(), "A portrait instead of the initials, relative to the storyboard "
          "(e.g. `../media/maja.jpg`).", default=None),
])

LINE = Obj("a line of dialogue", [
    Field("speaker", Integer(minimum=1), "Who says it: `1` or `2` (the order of `speakers`, or "
          "of the chat's participants).", required=True),
    Field("text", Text(), "What is said, as shown in the speech bubble.", required=True),
])

SCREEN = Obj("a screen", [
    Field("type", Choice("page", "profile", "email", "chat"), "What the mock-up shows: a platform "
          "`page`, a cooperation `profile`, an `email` or a `chat`.", required=True),
    Field("address", Text(), "The address bar (page, profile) or the sender (email).", default=None),
    Field("to", Text(), "The recipient (email).", default=None),
    Field("subject", Text(), "The subject (email), the profile's name or the chat's title.",
          default=None),
    Field("content", Markdown(), "What the screen shows, in Markdown (sanitised like author HTML; "
          "a chat may give `lines` instead).", default=None),
    Field("participants", ListOf(Text()), "The chat's two participants, by name.", default=None),
    Field("lines", ListOf(LINE), "The chat's messages.", default=None),
])

NUMBER = Obj("a number", [
    Field("value", Text(), "The number as shown, e.g. `14` or `21 days`.", required=True),
    Field("label", Text(), "What it counts.", required=True),
    Field("note", Text(), "A smaller line under it (a source, a comparison).", default=None),
])

BAR = Obj("a bar", [
    Field("label", Text(), "What the bar stands for.", required=True),
    Field("value", Number(0), "Its value (bars are scaled to the largest).", required=True),
])

CHART = Obj("a chart", [
    Field("bars", ListOf(BAR, non_empty=True), "The bars, top to bottom (at most eight).",
          required=True),
    Field("unit", Text(non_empty=False), "Unit shown after each value, e.g. `%` or ` days`.", default=""),
])

EVENT = Obj("a timeline event", [
    Field("when", Text(), "The date or step, e.g. `Week 1`.", required=True),
    Field("text", Text(), "What happened.", required=True),
])

SCENE = Obj("a scene", [
    Field("kind", Choice(*SCENE_KINDS), "What the scene shows (default: `image` with an image, "
          "`points` with a body, else `title`). " +
          " ".join(f"`{name}`: {doc}" for name, (_, doc) in SCENE_KINDS.items()), default=None),
    Field("title", Text(), "Heading of the scene (at most 60 characters; long ones are wrapped "
          "and shrunk to fit).", required=True),
    Field("subtitle", Text(), "A line under the title (`title`).", default=None),
    Field("body", Text(), "Text on the slide: a few short lines (the points of `points`, the "
          "caption of `image`).", default=""),
    Field("points", ListOf(Text()), "Key points (`points`), at most six.", default=None),
    Field("image", Text(), "An image file, relative to the storyboard (`image`).", default=None),
    Field("motion", Choice(*MOTIONS), "How the image moves (`image`).", default="zoom-in"),
    Field("quote", Text(), "The quoted words (`quote`).", default=None),
    Field("speaker", SPEAKER, "Who says the quote (`quote`).", default=None),
    Field("speakers", ListOf(SPEAKER), "The two speakers (`dialogue`).", default=None),
    Field("lines", ListOf(LINE), "What they say, in order (`dialogue`), at most six.", default=None),
    Field("screen", SCREEN, "The mock-up (`screen`).", default=None),
    Field("number", NUMBER, "The number (`number`).", default=None),
    Field("chart", CHART, "The chart (`chart`).", default=None),
    Field("events", ListOf(EVENT), "The events, in order (`timeline`).", default=None),
    Field("transition", Choice(*TRANSITIONS), "How this scene gives way to the next (default: "
          "the storyboard's).", default=None),
    Field("narration", Text(), "What the narrator says while the scene shows.", required=True),
    Field("chapter", Text(), "Starts a chapter with this title at this scene.", default=None),
    Field("description", Text(), "What the visuals show, for who cannot see them (the descriptions "
          "track): needed for an image, or text on screen the narration does not say.", default=None),
])

# A branch holds scenes, and a scene may end in a decision with a branch: the two refer to each
# other, so the branch's keys are added once both exist. (A branch's scenes hold no decision.)
BRANCH = Obj("a branch", [])
SCENE_DECISION = Obj("a decision after a scene", _decision_fields([], BRANCH))
BRANCH.fields += [
    Field("title", Text(), "The question the branch answers, e.g. `What if Nora had mailed all "
          "fourteen?`", required=True),
    Field("scenes", ListOf(SCENE, non_empty=True), "Its scenes, rendered as a clip of their own.",
          required=True),
]
SCENE.fields.append(Field("decision", SCENE_DECISION, "A decision point after this scene: the "
                          "video pauses and asks.", default=None))

VOICE = Obj("a storyboard voice", [
    Field("speaker", Identifier(), "Who speaks: `narrator`, or a name that starts lines of narration "
          "(`owner: I need a partner.`).", required=True),
    Field("voice", Text(), "A Piper voice installed as a package (`joe`, `en_US-joe-medium`), a Piper "
          "`.onnx` file relative to the course, or `espeak-ng:NAME` (default: the storyboard's voice).",
          default=None),
    Field("speed", Number(minimum=0.5, maximum=2), "Speaking rate, 1 = the voice's own.", default=None),
    Field("pitch", Number(minimum=0.5, maximum=2), "Pitch, 1 = the voice's own.", default=None),
])

PRONUNCIATION = Obj("a pronunciation", [
    Field("text", Text(), "A name or acronym as written, e.g. `KfW` (whole words, case as written).",
          required=True),
    Field("say", Text(), "How the voice should say it, e.g. `K F W`; the captions keep the written form.",
          required=True),
])

STORYBOARD = Obj("a storyboard", [
    Field("title", Text(), "Title of the video.", required=True),
    Field("license", Text(), "Licence of the video (SPDX id), e.g. `CC-BY-4.0`.", required=True),
    Field("attribution", Text(), "Who made it, as it must be credited.", required=True),
    Field("language", Language(), "Language of the narration (BCP 47).", required=True),
    Field("voice", Text(), "The narrator's voice: a Piper voice installed as a package (`joe`), a Piper "
          "`.onnx` file relative to the course, a language (the first installed Piper voice for it, else "
          "espeak-ng) or `espeak-ng:NAME` (default: the language).", default=None),
    Field("voices", ListOf(VOICE), "One voice per speaker (and the narrator's speed and pitch).",
          default=list),
    Field("pronunciations", ListOf(PRONUNCIATION), "How to say names and acronyms (audio only).",
          default=list),
    Field("resolution", Choice("720p", "1080p"), "Frame size of the video (`brokerlearn video "
          "render --resolution` overrides it).", default="720p"),
    Field("transition", Choice(*TRANSITIONS), "How scenes give way to each other.", default="fade"),
    Field("scenes", ListOf(SCENE, non_empty=True), "The scenes, in order.", required=True),
])

IMAGE = Obj("an image licence file", [
    Field("title", Text(), "What the image shows.", default=None),
    Field("license", Text(), "Licence of the image (SPDX id), e.g. `CC-BY-4.0`.", required=True),
    Field("attribution", Text(), "Who made it, as it must be credited.", required=True),
    Field("source", Text(), "Where it comes from (URL or description).", default=None),
])

# Every file kind, in the order the format reference documents them.
ALL = [COURSE, CATALOG, AUTHOR, MODULE, LESSON, PROFILE, UNIT, OUTCOME, CERTIFICATE, REQUIRES, QUIZ,
       QUESTION, OPTION, VIDEO, CHAPTER, DECISION, BRANCH_VIDEO, IMAGE, STORYBOARD, SCENE,
       SCENE_DECISION, BRANCH, SPEAKER, LINE, SCREEN, NUMBER, CHART, BAR, EVENT, VOICE,
       PRONUNCIATION]

from brokerlearn.course import schema_assignment  # noqa: E402 - assessed work, issue 18

ALL += schema_assignment.ALL

from brokerlearn.course import schema_toolkit  # noqa: E402 - the toolkit, issue 21

ALL += schema_toolkit.ALL
