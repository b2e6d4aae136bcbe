"""What a storyboard scene shows on screen, whether its narration says it, and the text of its
description (WCAG 2.2 AA 1.2.5: what carries meaning only on screen is described).

A line on screen (the title, each line of the body) counts as said when at least half of its
content words occur in the narration (compared by their first five letters, so "searches" is
found in "searched" and a number as digits or, in English, as a word). An image is never
covered by words: it needs the scene's `description`. The descriptions track holds, for each
scene that needs one, the author's `description`, or else the lines the narration does not say.
"""
from __future__ import annotations

import re
from pathlib import Path

from brokerlearn.course.yamlpos import YMap
from brokerlearn.errors import Diagnostics

COVERED_SHARE = 0.5
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = set("""a an and are as at be by for from has have in into is it its of on or our so that the
their this to was were what when which who will with you your not no der die das den dem des ein eine
einen einem einer und oder ist sind mit für von zu im in am an auf aus bei nach über unter wie was wer
nicht kein keine""".split())
_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen " \
         "fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def _english_number(number: int) -> list[str]:
    if number < 20:
        return [_UNITS[number]]
    if number < 100:
        tens, unit = divmod(number, 10)
        return [_TENS[tens - 2]] + ([_UNITS[unit]] if unit else [])
    return []


def _key(word: str) -> str:
    return word[:5]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def on_screen_lines(scene: YMap) -> list[str]:
    """The text a scene shows, whatever its kind: its title and subtitle, each line of its body,
    the points, the quote, what the dialogue's or chat's people say, what a screen mock-up
    shows, the number and what it counts, the chart's bars and the timeline's events. (Names on
    speaker cards are labels, not content.)"""
    get = scene.get
    lines = [str(get("title") or ""), str(get("subtitle") or ""), *str(get("body") or "").splitlines(),
             *map(str, get("points") or []), str(get("quote") or "")]
    lines += [str(line["text"]) for line in get("lines") or []]
    if screen := get("screen"):
        lines += [str(screen.get("subject") or ""), *_plain(str(screen.get("content") or "")).splitlines()]
        lines += [str(line["text"]) for line in screen.get("lines") or []]
    if number := get("number"):
        lines += [f"{number['value']} {number['label']}", str(number.get("note") or "")]
    if chart := get("chart"):
        lines += [str(bar["label"]) for bar in chart["bars"] or []]
    lines += [f"{event['when']} {event['text']}" for event in get("events") or []]
    return [line.strip() for line in lines if line.strip()]


def _plain(markdown: str) -> str:
    """A screen's Markdown as the words it shows (marks, link targets and list bullets left out)."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown)
    return re.sub(r"[*_`#>\[\]|]+|^\s*[-+] ", " ", text, flags=re.M)


def _said(word: str, spoken: set[str]) -> bool:
    if word.isdigit():
        return word in spoken or (len(word) <= 2 and all(_key(w) in spoken for w in _english_number(int(word))))
    return _key(word) in spoken


def unsaid_lines(scene: YMap) -> list[str]:
    """The lines on screen that the narration does not say."""
    said = _words(str(scene["narration"] or ""))
    said += [word for w in said if w.isdigit() and len(w) <= 2 for word in _english_number(int(w))]
    spoken = {_key(w) for w in said} | set(said)
    unsaid = []
    for line in on_screen_lines(scene):
        content = [w for w in _words(line) if w.isdigit() or (len(w) > 2 and w not in _STOP)]
        if content and sum(_said(w, spoken) for w in content) / len(content) < COVERED_SHARE:
            unsaid.append(line)
    return unsaid


def description(scene: YMap) -> str | None:
    """The descriptions-track text of a scene, or None when the narration says all it shows."""
    if scene.get("description"):
        return " ".join(str(scene["description"]).split())
    unsaid = unsaid_lines(scene)
    if not unsaid:
        return None
    return " ".join(line if line[-1] in ".!?:" else line + "." for line in unsaid)


def all_scenes(values: YMap):
    """(where, scene) for every scene of a storyboard, branch scenes included."""
    for index, scene in enumerate(values["scenes"] or []):
        yield f"scene {index + 1}", scene
        branch = (scene.get("decision") or {}).get("branch") if scene else None
        for number, inner in enumerate((branch or {}).get("scenes") or []):
            yield f"scene {index + 1}, branch scene {number + 1}", inner


def check_storyboard(values: YMap, path: Path, diags: Diagnostics) -> None:
    """Warn where a scene shows what nobody hears and nobody describes."""
    for where, scene in all_scenes(values):
        if not scene or scene.get("description"):
            continue
        pos = scene.pos
        if scene.get("image"):
            diags.warning(path, pos.line, pos.col, f"{where}: the image '{scene['image']}' is not described: "
                          "say what it shows in the narration and write it as the scene's 'description' "
                          "(the video's descriptions track)")
        for line in unsaid_lines(scene):
            diags.warning(path, pos.line, pos.col, f"{where}: the narration does not say '{line}', which is "
                          "shown on screen: say it, or write a 'description' (until then the descriptions "
                          "track reads the line)")
