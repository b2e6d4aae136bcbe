"""Trusted HTML for the activities a lesson places (`::: video NAME`, `::: quiz ID`, ```quiz
blocks; see compiler/activities/).

It is placed into lesson bodies after sanitizing. Each embed is checked here, every build
(cheap), so an embed naming something that no longer exists is always an error.
"""
from __future__ import annotations

from pathlib import Path

from brokerlearn.compiler import activities
from brokerlearn.compiler.lessons import RenderedBody
from brokerlearn.compiler.theme import Theme
from brokerlearn.course.model import Course
from brokerlearn.errors import Diagnostics


def prepare_embeds(course: Course, path: Path, scope: str, body: RenderedBody, theme: Theme,
                   diags: Diagnostics, preview: bool = False) -> list[str]:
    """The HTML of each embed of a lesson, in order; errors go to `diags`."""
    return [activities.render(activities.Placement(course, path, scope, index, embed, diags, preview), theme)
            for index, embed in enumerate(body.embeds)]
