"""Ratings of a rubric's criteria (issue 18), as the browser sends them and `Review.ratings`
keeps them: checked against the rubric, scored, and compared with a reference. A rating maps a
criterion's ID to {"level": LEVEL_ID} (levels), {"points": N} (points), {"checks": [ITEM, ...]}
(checklist, the items that are there) or nothing (comment-only), each with an optional "comment".
Pure: no database."""
from __future__ import annotations

from brokerlearn.course.assignment import Assignment, Criterion
from brokerlearn.server.errors import ApiError

MAX_COMMENT = 5_000  # characters of one comment


def level_index(criterion: Criterion, level_id) -> int:
    return next(i for i, level in enumerate(criterion.levels) if level.id == level_id)


def _check_one(criterion: Criterion, given) -> dict:
    """One criterion's rating, checked; ApiError 422 naming the criterion otherwise."""
    if not isinstance(given, dict):
        raise ApiError(422, f"the rating of '{criterion.id}' must be an object", "invalid_rating")
    comment = given.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        raise ApiError(422, f"the comment on '{criterion.id}' must be a text of at most {MAX_COMMENT} characters",
                       "invalid_rating")
    rating: dict = {"comment": comment.strip()} if comment.strip() else {}
    if criterion.kind == "levels" and "level" in given:
        if given["level"] not in [level.id for level in criterion.levels]:
            raise ApiError(422, f"'{given['level']}' is not a level of '{criterion.id}'", "invalid_rating")
        rating["level"] = given["level"]
    elif criterion.kind == "points" and "points" in given:
        value = given["points"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= criterion.top:
            raise ApiError(422, f"the points of '{criterion.id}' are a number from 0 to {criterion.top:g}",
                           "invalid_rating")
        rating["points"] = value
    elif criterion.kind == "checklist" and "checks" in given:
        checks = given["checks"]
        if not isinstance(checks, list) or any(item not in criterion.items for item in checks):
            raise ApiError(422, f"the checks of '{criterion.id}' must be items of its list", "invalid_rating")
        rating["checks"] = [item for item in criterion.items if item in checks]
    return rating


def rated(criterion: Criterion, rating: dict | None) -> bool:
    key = {"levels": "level", "points": "points", "checklist": "checks"}.get(criterion.kind)
    return key is None or (rating is not None and key in rating)


def points_of(criterion: Criterion, rating: dict) -> float:
    """The points a rating gives its criterion (0 for a comment-only criterion)."""
    if criterion.kind == "levels":
        return criterion.levels[level_index(criterion, rating["level"])].points
    if criterion.kind == "points":
        return float(rating["points"])
    return float(len(rating["checks"])) if criterion.kind == "checklist" else 0.0


def below_expected(criterion: Criterion, rating: dict) -> bool:
    """Rated below what meets the standard: under the `expected` level, or under half the points."""
    if not criterion.scored or not rated(criterion, rating):
        return False
    if criterion.kind == "levels":
        return level_index(criterion, rating["level"]) < level_index(criterion, criterion.expected)
    return points_of(criterion, rating) < criterion.top / 2


def check_ratings(assignment: Assignment, given, complete: bool, comments: bool) -> dict:
    """The ratings the browser sent, checked against the rubric. `complete`: every scored
    criterion is rated. `comments`: a comment wherever a criterion is rated below its expected
    level, and on every comment-only criterion (a peer review's rule)."""
    if not isinstance(given, dict):
        raise ApiError(422, "'ratings' must map each criterion's ID to its rating", "invalid_rating")
    unknown = [key for key in given if assignment.rubric.criterion(key) is None]
    if unknown:
        raise ApiError(422, f"unknown criterion '{unknown[0]}'", "invalid_rating")
    ratings = {c.id: _check_one(c, given[c.id]) for c in assignment.rubric.criteria if c.id in given}
    if complete:
        missing = [c.title for c in assignment.rubric.criteria if c.scored and not rated(c, ratings.get(c.id))]
        if missing:
            raise ApiError(422, f"rate every criterion: {', '.join(missing)}", "incomplete")
    if comments:
        silent = [c.title for c in assignment.rubric.criteria
                  if not (ratings.get(c.id) or {}).get("comment")
                  and (c.kind == "comment" or below_expected(c, ratings.get(c.id) or {}))]
        if silent:
            raise ApiError(422, "a comment is needed on each criterion rated below the standard, and on each "
                           f"that asks for one: {', '.join(silent)}", "comment_required")
    return ratings


def score(assignment: Assignment, ratings: dict) -> float:
    """A complete rating's share of the rubric's points, 0..1."""
    top = assignment.rubric.max_points
    got = sum(points_of(c, ratings[c.id]) for c in assignment.rubric.criteria if c.scored and c.id in ratings)
    return got / top if top else 0.0



def within(criterion: Criterion, given: dict, reference, tolerance: int) -> tuple[bool, bool]:
    """(the same as the reference, within the tolerance of it). Levels: `tolerance` levels; points:
    `tolerance` quarters of the range (a level's worth on a four-level scale); checklist:
    `tolerance` items."""
    if criterion.kind == "levels":
        distance = abs(level_index(criterion, given["level"]) - level_index(criterion, reference))
        return distance == 0, distance <= tolerance
    distance = abs(points_of(criterion, given) - float(reference))
    allowed = tolerance * criterion.top / 4 if criterion.kind == "points" else tolerance
    return distance == 0, distance <= allowed


def reference_view(criterion: Criterion, value) -> dict:
    if criterion.kind == "levels":
        level = criterion.levels[level_index(criterion, value)]
        return {"level": level.id, "title": level.title}
    return {"points": value}
