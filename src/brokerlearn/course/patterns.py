"""Authors' regular expressions (`pattern` of a text question): one syntax, two engines.

The server runs a pattern with RE2 (google-re2), whose time is linear in the answer's
length, so no pattern can pin a worker (`(a+)+b` against 2,000 characters takes
microseconds). The browser runs practice patterns with JavaScript's RegExp (flags `iu`).
A pattern is accepted only if it keeps to the part of the syntax both engines read the
same way; anything else is refused at build time, naming the construct. Both engines get
the answer as `pattern_subject` makes it, and both match the whole of it, ignoring case.
"""
from __future__ import annotations

import functools
import re
import unicodedata

import re2

# \p{...} general categories both engines know (RE2 has no `Script=`, JavaScript no bare scripts).
CATEGORIES = {"C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn",
              "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps",
              "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs"}
_SYNTAX = set("^$\\.*+?()[]{}|/")  # the characters JavaScript (flag u) lets you escape
_LETTER_ESCAPES = set("dDwWsSfnrtv")
_QUANTIFIER = re.compile(r"\{[0-9]+(,[0-9]*)?\}")
_GROUP_NAME = re.compile(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>")


def pattern_problem(pattern: str) -> str | None:
    """Why the pattern cannot be used, in words for its author, or None."""
    problem = _portability_problem(pattern)
    if problem:
        return f"pattern not allowed: {problem} (patterns must work the same on the server and in the browser)"
    try:
        _compiled(pattern)
    except re2.error as exc:
        return f"invalid regular expression: {exc}"
    return None


def _portability_problem(pattern: str) -> str | None:
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            problem = _escape_problem(pattern, index, in_class)
            if problem:
                return problem
            index += _escape_length(pattern, index)
            continue
        if in_class:
            if pattern.startswith("[:", index):
                return f"the POSIX class '{pattern[index:index + 9]}…' at character {index + 1}: use \\p{{…}} or a range"
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            start = index + (2 if pattern.startswith("[^", index) else 1)
            if pattern.startswith("]", start):
                return f"']' first in a character class at character {index + 1}: escape it as \\]"
            index = start
            continue
        elif char == "(" and pattern.startswith("(?", index):
            problem = _group_problem(pattern, index)
            if problem:
                return problem
        elif char == "{":
            match = _QUANTIFIER.match(pattern, index)
            if not match:
                return f"a '{{' that is not a repeat count like {{2}} or {{1,3}} at character {index + 1}: escape it as \\{{"
            index = match.end()
            continue
        elif char in "}]":
            return f"an unmatched '{char}' at character {index + 1}: escape it as \\{char}"
        index += 1
    return None


def _escape_problem(pattern: str, index: int, in_class: bool) -> str | None:
    if index + 1 >= len(pattern):
        return "a '\\' at the end"
    char = pattern[index + 1]
    where = f"at character {index + 1}"
    if char in _SYNTAX or (in_class and char == "-"):
        return None
    if char in _LETTER_ESCAPES or (char in "bB" and not in_class):
        return None
    if char == "x":
        return None if re.fullmatch(r"[0-9A-Fa-f]{2}", pattern[index + 2:index + 4]) else \
            f"'\\x' {where} needs exactly two hex digits (\\x41), not \\x{{…}}"
    if char in "pP":
        match = re.match(r"\{([A-Za-z_]+)\}", pattern[index + 2:])
        if not match:
            return f"'\\{char}' {where} needs braces: \\{char}{{L}}"
        if match.group(1) not in CATEGORIES:
            return (f"the class '\\{char}{{{match.group(1)}}}' {where}: only general categories such as "
                    f"\\p{{L}} (letters) or \\p{{Nd}} (digits) are allowed")
        return None
    if char.isdigit():
        return f"the backreference or octal escape '\\{char}' {where}"
    hint = {"A": ": use ^", "z": ": use $", "Z": ": use $"}.get(char, "" if char.isalpha() else
                                                                f": write '{char}' without the '\\'")
    return f"the escape '\\{char}' {where}{hint}"


def _escape_length(pattern: str, index: int) -> int:
    char = pattern[index + 1]
    if char == "x":
        return 4
    if char in "pP":
        return 2 + pattern.index("}", index) - index - 1
    return 2


def _group_problem(pattern: str, index: int) -> str | None:
    rest = pattern[index + 2:]
    where = f"at character {index + 1}"
    if rest.startswith(":") or _GROUP_NAME.match(pattern, index):
        return None
    if rest.startswith("P<"):
        return f"the group '(?P<…>' {where}: write (?<name>…) instead"
    if rest.startswith(("=", "!", "<=", "<!")):
        return f"the lookaround '(?{rest[:2]}' {where}"
    return f"the inline flag or group '(?{rest[:1]}' {where}: answers are always matched ignoring case"


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str):
    options = re2.Options()
    options.case_sensitive = False
    return re2.compile(pattern, options)


def pattern_subject(answer: str) -> str:
    """What a pattern is matched against: the answer in NFKC, trimmed, with each run of
    whitespace (as str.isspace() knows it) made one space; quiz.js does the same."""
    return " ".join(unicodedata.normalize("NFKC", answer).split())


def pattern_matches(pattern: str, answer: str) -> bool:
    """Whether the whole (prepared) answer matches, in time linear in its length."""
    return _compiled(pattern).fullmatch(pattern_subject(answer)) is not None
