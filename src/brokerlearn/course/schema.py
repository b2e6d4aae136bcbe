"""The course format, declared as data.

One definition per file kind drives validation (with file:line errors) and the format
reference in docs/ (`brokerlearn.course.reference` renders it; a test keeps them in step).
"""
from __future__ import annotations

from brokerlearn.course.schema_types import (
    Anything, Boolean, Choice, Either, Field, Identifier, Integer, Language, ListOf, Markdown,
    Number, Obj, Slug, Text,
)

QUESTION_TYPES = ("single", "multiple", "truefalse", "numeric", "text", "order", "match", "reflection")
CONTAINER_KINDS = ("note", "tip", "warning", "activity", "reflection")

AUTHOR = Obj("an author", [
    Field("name", Text(), "Full name as it should be credited.", required=True),
    Field("affiliation", Text(), "Organisation the author writes for."),
])

COURSE = Obj("course.yml", [
    Field("id", Slug(), "Stable identifier of the course; also its folder in the built site. "
          "Changing it loses learners' progress. Reserved for the server: account, api, admin, "
          "certificates, dashboard, _static.", required=True),
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

OPTION = Obj("an option", [
    Field("text", Markdown(), "The option as shown (Markdown).", required=True),
    Field("correct", Boolean(), "Whether choosing it is right.", default=False),
    Field("feedback", Markdown(), "Feedback shown for this option.", default=None),
])

QUESTION = Obj("a question", [
    Field("id", Identifier(), "Stable question ID, unique in its quiz.", required=True),
    Field("type", Choice(*QUESTION_TYPES), "Question type.", required=True),
    Field("prompt", Markdown(), "The question (Markdown).", required=True),
    Field("outcomes", ListOf(Identifier()), "Outcome IDs this question assesses.", default=list),
    Field("points", Number(0, exclusive_minimum=True), "Points for a fully right answer.",
          default=1),
    Field("options", ListOf(OPTION), "Options (`single`, `multiple`).", default=None),
    Field("answer", Anything(), "`true`/`false` (`truefalse`) or the number (`numeric`).",
          default=None),
    Field("tolerance", Number(0), "Allowed distance from the numeric answer.", default=0),
    Field("accept", ListOf(Text()), "Accepted answers (`text`).", default=None),
    Field("pattern", Text(), "Regular expression an answer may match instead (`text`).",
          default=None),
    Field("items", ListOf(Text()), "Items in their correct order (`order`).", default=None),
    Field("pairs", ListOf(ListOf(Text())), "`[left, right]` pairs (`match`).", default=None),
    Field("explanation", Markdown(), "Shown after answering (practice) or after the last attempt "
          "(graded).", default=None),
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
])

SCENE = Obj("a scene", [
    Field("title", Text(), "Heading on the slide (at most 60 characters).", required=True),
    Field("body", Text(), "Text on the slide: a few short lines.", default=""),
    Field("image", Text(), "Instead of or besides the body: an image file, relative to the storyboard.",
          default=None),
    Field("narration", Text(), "What the narrator says while the slide shows.", required=True),
    Field("chapter", Text(), "Starts a chapter with this title at this scene.", default=None),
])

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
    Field("scenes", ListOf(SCENE, non_empty=True), "The scenes, in order.", required=True),
])

IMAGE = Obj("an image licence file", [
    Field("title", Text(), "What the image shows.", default=None),
    Field("license", Text(), "Licence of the image (SPDX id), e.g. `CC-BY-4.0`.", required=True),
    Field("attribution", Text(), "Who made it, as it must be credited.", required=True),
    Field("source", Text(), "Where it comes from (URL or description).", default=None),
])

# Every file kind, in the order the format reference documents them.
ALL = [COURSE, AUTHOR, MODULE, LESSON, PROFILE, UNIT, OUTCOME, CERTIFICATE, REQUIRES, QUIZ,
       QUESTION, OPTION, VIDEO, CHAPTER, IMAGE, STORYBOARD, SCENE, VOICE, PRONUNCIATION]
