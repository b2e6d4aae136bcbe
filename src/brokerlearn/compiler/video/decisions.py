"""What the player shows of a video's decisions: each one a practice question in the page
(checked by quiz.js like a ```quiz block), and its branch clip with its own sources, captions,
descriptions track and transcript. See brokerlearn.course.decisions for the format."""
from __future__ import annotations

from brokerlearn.compiler.markdown import render_markdown_line
from brokerlearn.compiler.quizzes import inline_question_view
from brokerlearn.course.model import Course, Video


def decision_views(course: Course, video: Video, index: int, clip_view) -> list[dict]:
    """`clip_view(video)`: the player's view of a branch clip (sources, tracks, transcript)."""
    views = []
    for number, decision in enumerate(video.decisions):
        quiz = inline_question_view(decision.question, f"{index}d{number}", f"video/{video.name}")
        quiz.update(id=f"decision-{index}-{number}", mode="decision")  # checked like practice, styled apart
        branch = course.videos.get(decision.branch_video) if decision.branch_video else None
        views.append({
            "id": decision.id, "number": number, "at": round(decision.at, 3), "quiz": quiz,
            "dom_id": f"{quiz['dom_id']}-panel",
            "prompt_html": render_markdown_line(decision.question.prompt),
            "options_html": [render_markdown_line(o.text) for o in decision.question.options],
            "branch": ({"title": decision.branch_title, **clip_view(branch)}
                       if branch is not None and branch.name in course.video_outputs else None),
        })
    return views


def place_in_transcript(cues: list[dict], decisions: list[dict]) -> list[dict]:
    """The transcript's entries in time order: each decision after the cues before its time."""
    entries, pending = [], list(decisions)
    for cue in cues:
        while pending and pending[0]["at"] < cue["start"]:
            entries.append({"decision": pending.pop(0)})
        entries.append({"cue": cue})
    return entries + [{"decision": d} for d in pending]
