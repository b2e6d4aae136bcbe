"""Helpers shared by the JSON API views."""
from __future__ import annotations

from flask import request

from brokerlearn.server.courses import CourseManifest, catalog
from brokerlearn.server.errors import ApiError


def json_body() -> dict:
    if not request.is_json:
        raise ApiError(415, "send JSON (Content-Type: application/json)", "unsupported_media_type")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than Python's decoder goes (no request of ours nests so)
        raise ApiError(400, "the body is nested too deeply", "malformed_json") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the body is not a JSON object", "malformed_json")
    return data


def course_or_404(course_id: str) -> CourseManifest:
    course = catalog().get(course_id)
    if course is None:
        raise ApiError(404, f"unknown course '{course_id}'", "unknown_course")
    return course
