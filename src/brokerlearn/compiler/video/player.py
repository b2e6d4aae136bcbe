"""What a lesson's `::: video NAME` shows, and which files of the video the site publishes.

Files go to COURSE/media/NAME/: the renditions, the poster, one WebVTT file per caption language
(SRT converted), one per descriptions language, and a chapters track from the sidecar. A video
with decisions shows each as a question in the page, and its branch clips in a player of their own.
"""
from __future__ import annotations

import dataclasses

from brokerlearn.compiler.licenses import license_info
from brokerlearn.compiler.links import relative_url
from brokerlearn.compiler.markdown import render_inline_markdown
from brokerlearn.compiler.video.decisions import decision_views, place_in_transcript
from brokerlearn.course.model import Course, Video
from brokerlearn.course.webvtt import chapters_vtt, to_vtt

LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español", "it": "Italiano",
                  "nl": "Nederlands", "pl": "Polski", "pt": "Português", "el": "Ελληνικά"}


def video_folder(course: Course, video: Video) -> str:
    return f"{course.id}/media/{video.name}"


CAPTION_LINE = "line:-4"
"""Where captions sit: their last line four caption lines up from the bottom, clear of the
credit line a storyboard's frames carry (title · licence · author, in the lowest 5-11 % of the
frame), which browsers would otherwise cover. Whole lines, not a percentage: Chromium does not
wrap a cue placed by percentage. A cue whose author placed it (a `line` setting) keeps its place."""


def clear_of_credit(cues: list) -> list:
    return [cue if "line:" in cue.settings else dataclasses.replace(
        cue, settings=f"{cue.settings} {CAPTION_LINE}".strip()) for cue in cues]


def published_files(course: Course, video: Video) -> dict[str, object]:
    """site-relative path -> a cache file (Path) or generated text (str)."""
    output = course.video_outputs.get(video.name)
    if output is None:
        return {}
    folder = video_folder(course, video)
    files: dict[str, object] = {f"{folder}/{r['file']}": output.folder / r["file"] for r in output.renditions}
    files[f"{folder}/{output.poster}"] = output.folder / output.poster
    for language, cues in video.cues.items():
        files[f"{folder}/captions.{language}.vtt"] = to_vtt(clear_of_credit(cues))
    for language, cues in video.descriptions.items():
        files[f"{folder}/descriptions.{language}.vtt"] = to_vtt(cues)
    if video.chapters:
        files[f"{folder}/chapters.vtt"] = chapters_vtt(video.chapters, output.duration)
    return files


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02}:{seconds % 60:02}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02}"


def clip_view(course: Course, video: Video, page_url: str) -> dict:
    """Sources, tracks and timed transcript of one video (a lesson's, or a decision's branch)."""
    output = course.video_outputs[video.name]
    folder = relative_url(page_url, video_folder(course, video) + "/")
    side = video.sidecar
    language = side["language"] if side["language"] in video.cues else next(iter(video.cues), None)
    transcript_cues = [{"start": round(c.start, 3), "clock": _clock(c.start), "text": " ".join(c.text.split())}
                       for c in video.cues.get(language, [])] if language else []
    return {
        "name": video.name, "duration": round(output.duration, 3), "width": output.width, "height": output.height,
        "poster": folder + output.poster,
        "sources": [{"url": folder + r["file"], "height": r["height"]}
                    for r in sorted(output.renditions, key=lambda r: -r["height"])],
        "tracks": [{"url": f"{folder}captions.{lang}.vtt", "lang": lang, "label": LANGUAGE_NAMES.get(lang, lang),
                    "default": lang == language} for lang in video.cues],
        "descriptions": [{"url": f"{folder}descriptions.{lang}.vtt", "lang": lang,
                          "label": LANGUAGE_NAMES.get(lang, lang)} for lang in video.descriptions],
        "transcript": transcript_cues,
    }


def player_view(course: Course, video: Video, page_url: str, index: int) -> dict | None:
    if video.name not in course.video_outputs:
        return None
    folder = relative_url(page_url, video_folder(course, video) + "/")
    side = video.sidecar
    view = clip_view(course, video, page_url)
    decisions = decision_views(course, video, index, lambda clip: clip_view(course, clip, page_url))
    for decision in decisions:
        decision["clock"] = _clock(decision["at"])
    view.update({
        "dom_id": f"video-{index}-{video.name}", "title": side["title"], "course": course.id,
        "license": license_info(side["license"]), "attribution": side["attribution"],
        "chapters_url": folder + "chapters.vtt" if video.chapters else None,
        "chapters": [{"start": start, "clock": _clock(start), "title": title} for start, title in video.chapters],
        "transcript_html": render_inline_markdown(side["transcript"]) if side["transcript"] else None,
        "decisions": decisions,
        "transcript_entries": place_in_transcript(view["transcript"], decisions),
    })
    return view
