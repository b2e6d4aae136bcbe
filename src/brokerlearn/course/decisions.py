"""Decision points inside a video: the player pauses, asks a practice question (single or
multiple choice, feedback per option), and may play a branch ("what would have happened if …")
before the video goes on where it paused.

A video's sidecar lists its decisions (`decisions:`, each with its time `at`, the question and an
optional `branch`: another video of the course, played in its place and returning). For a
storyboard, `brokerlearn video render` writes that list: a scene may end in a `decision:`, whose
branch scenes become a clip of their own, `media/NAME--ID.mp4`, with its own captions, sidecar
and descriptions track, so that captions and chapters of the main video never shift.
The schema of both forms is in `course.schema` (DECISION, SCENE_DECISION, BRANCH); this module
adds the checks a schema cannot make and links the branches.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from brokerlearn.course.questions import Question, build_question
from brokerlearn.course.webvtt import parse_clock
from brokerlearn.course.yamlpos import YMap
from brokerlearn.errors import Diagnostics

_QUESTION_DEFAULTS = {"outcomes": None, "points": 1, "answer": None, "tolerance": 0, "accept": None,
                      "pattern": None, "items": None, "pairs": None}


@dataclass
class Decision:
    id: str
    at: float  # seconds into the video
    question: Question
    branch_title: str | None = None
    branch_video: str | None = None
    line: int = 1  # where the sidecar defines it


def branch_name(video: str, decision_id: str) -> str:
    """The clip a storyboard's branch becomes: `case--decision-id`."""
    return f"{video}--{decision_id}"


def question_of(values: YMap, scope: str, diags: Diagnostics) -> Question | None:
    """The decision's question, checked like a practice question (exactly one right option for
    `single`, at least one for `multiple`, two or more options with different texts)."""
    data = YMap({**_QUESTION_DEFAULTS, **{k: values[k] for k in ("id", "type", "prompt", "options", "explanation")}})
    data.pos, data.key_pos, data.value_pos, data.raw = values.pos, values.key_pos, values.value_pos, values.raw
    return build_question(data, scope, diags)


def _line(items, index: int) -> int:
    return items.pos_at(index).line if hasattr(items, "pos_at") else 1


def _check_unique(items, diags: Diagnostics, where: str) -> None:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item is None:
            continue
        pos = item.value_pos_of("id") if hasattr(item, "value_pos_of") else None
        if item["id"] in seen:
            diags.error(pos.path if pos else None, pos.line if pos else 1, pos.col if pos else 1,
                        f"decision ID '{item['id']}' is used twice in {where} (first on line {seen[item['id']]})")
        else:
            seen[item["id"]] = pos.line if pos else 1


def load_decisions(sidecar: YMap, path: Path, name: str, diags: Diagnostics) -> list[Decision]:
    """The decisions of a video's sidecar, in time order; errors name the sidecar's line."""
    items = sidecar.get("decisions") or []
    _check_unique(items, diags, f"the video '{name}'")
    decisions = []
    for index, values in enumerate(items):
        line = _line(items, index)
        try:
            at = parse_clock(values["at"])
        except ValueError as exc:
            diags.error(path, line, 1, f"decision '{values['id']}': 'at' {exc}")
            continue
        question = question_of(values, f"video/{name}", diags)
        if question is None:
            continue
        branch = values["branch"]
        decisions.append(Decision(values["id"], at, question, str(branch["title"]) if branch else None,
                                  str(branch["video"]) if branch else None, line))
    decisions.sort(key=lambda d: d.at)
    return decisions


def link_branches(videos: dict, sidecars: dict[str, Path], diags: Diagnostics) -> None:
    """Each branch names another video of the course, which then plays only as that branch."""
    for video in videos.values():
        for decision in video.decisions:
            target = videos.get(decision.branch_video) if decision.branch_video else None
            path = sidecars.get(video.name)
            if decision.branch_video and target is None:
                diags.error(path, decision.line, 1, f"decision '{decision.id}': the branch video "
                            f"'{decision.branch_video}' does not exist: add media/{decision.branch_video}.mp4 "
                            "with its sidecar and captions")
            elif target is not None and (target.decisions or target is video):
                diags.error(path, decision.line, 1, f"decision '{decision.id}': the branch video "
                            f"'{target.name}' has decisions of its own; a branch plays and returns")
            elif target is not None and target.branch_of not in (None, video.name):
                diags.error(path, decision.line, 1, f"decision '{decision.id}': the video '{target.name}' "
                            f"is already the branch of '{target.branch_of}'")
            elif target is not None:
                target.branch_of = video.name


def check_decision_times(video, duration: float, path: Path | None, diags: Diagnostics) -> None:
    """A decision after the end of the video would never be reached."""
    for decision in video.decisions:
        if decision.at >= duration:
            diags.error(path or video.source, decision.line, 1, f"decision '{decision.id}' is at "
                        f"{decision.at:.3f} s, but the video lasts {duration:.3f} s")


# Storyboards ---------------------------------------------------------------------------------

def check_storyboard(values: YMap, path: Path, diags: Diagnostics) -> None:
    """What the schema cannot say about a storyboard's decisions."""
    scenes = values["scenes"] or []
    decided = [scene["decision"] for scene in scenes if scene and scene["decision"]]
    _check_unique(decided, diags, "this storyboard")
    for index, scene in enumerate(scenes):
        decision = scene["decision"] if scene else None
        if not decision:
            continue
        question_of(decision, "storyboard", diags)
        for number, inner in enumerate((decision["branch"] or {}).get("scenes") or []):
            if inner["decision"]:
                pos = inner.pos_of("decision")
                diags.error(pos.path, pos.line, pos.col, f"scene {index + 1}, branch scene {number + 1}: "
                            "a branch's scenes cannot hold a decision (a branch plays and returns)")


def branches(values: YMap, name: str) -> list[tuple[str, YMap]]:
    """(clip name, storyboard values) of each branch: the storyboard with the branch's scenes."""
    clips = []
    for scene in values["scenes"]:
        decision = scene["decision"]
        if decision and decision["branch"]:
            clip = YMap(values)
            clip.pos, clip.key_pos, clip.value_pos, clip.raw = values.pos, values.key_pos, values.value_pos, values.raw
            clip["title"] = f"{values['title']}: {decision['branch']['title']}"
            clip["scenes"] = decision["branch"]["scenes"]
            clips.append((branch_name(name, decision["id"]), clip))
    return clips


def sidecar_decisions(values: YMap, scene_times: list[tuple[float, float]], name: str,
                      pause_after: float) -> list[dict]:
    """The `decisions:` of the rendered video's sidecar. Each pauses just after its scene's last
    sentence, `pause_after` seconds before the next scene starts, so the slide still shows."""
    entries = []
    for scene, (_, end) in zip(values["scenes"], scene_times):
        decision = scene["decision"]
        if not decision:
            continue
        entry = {"id": str(decision["id"]), "at": _clock(max(0.0, end - pause_after)),
                 "type": str(decision["type"]), "prompt": str(decision["prompt"]),
                 "options": [{k: (bool(o[k]) if k == "correct" else str(o[k]))
                              for k in ("text", "correct", "feedback") if o[k] not in (None, False)}
                             for o in decision["options"]]}
        if decision["explanation"]:
            entry["explanation"] = str(decision["explanation"])
        if decision["branch"]:
            entry["branch"] = {"title": str(decision["branch"]["title"]),
                               "video": branch_name(name, decision["id"])}
        entries.append(entry)
    return entries


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds, 3), 60)
    hours, minutes = divmod(int(minutes), 60)
    return (f"{hours:02}:" if hours else "") + f"{minutes:02}:{rest:06.3f}"
