"""What a credential says of each outcome and of the assessed work behind it, in Open Badges 3.0
terms (issue 18, item 7), from plain data: the course's assignments (manifest objects), the
holder's outcome figures and their released assignment results.

* The achievement's `resultDescription`s: per outcome its score (`Percent`); per assignment its
  rubric total (`RubricScore`) and per scored criterion either its levels
  (`RubricCriterionLevel`, each level a `RubricCriterionLevel` with its descriptor and points,
  `requiredLevel` the level that meets the standard) or its points (`RawScore`), each aligned to
  the profile's outcomes it assesses.
* The subject's `result`s: the outcome scores, and per released result its total and each
  criterion's achieved level (`achievedLevel`) or points, pointing at those descriptions.
* `evidence`: one entry per released result counted: the assignment, the rubric and its
  version, how the score was computed, released when. Never the learner's text, files or the
  reviewers' comments.

Only results a trainer graded and released reach here (services.counting.released).
"""
from __future__ import annotations

from datetime import datetime


def _num(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0")


def _id(achievement_id: str, *parts: str) -> str:
    return f"{achievement_id}#" + "-".join(parts)


def outcome_alignments(outcomes: dict, framework: str, ids) -> list[dict]:
    """OB 3.0 Alignments to the profile's outcomes; outcomes: id -> {statement, url}."""
    return [{"type": ["Alignment"], "targetName": f"{oid} {outcomes[oid]['statement']}",
             "targetDescription": outcomes[oid]["statement"], "targetCode": oid, "targetFramework": framework,
             "targetType": "CFItem", "targetUrl": outcomes[oid]["url"]} for oid in ids if oid in outcomes]


def result_descriptions(achievement_id: str, assignments: list, outcomes: dict, framework: str) -> list[dict]:
    """assignments: course.assignment.Assignment objects; outcomes: id -> {statement, url}."""
    described = [{"id": _id(achievement_id, "outcome", oid), "type": ["ResultDescription"],
                  "name": f"{oid}: share of the outcome's graded points (quizzes and assessed work)",
                  "resultType": "Percent", "valueMin": "0", "valueMax": "100",
                  "alignment": outcome_alignments(outcomes, framework, [oid])} for oid in outcomes]
    for assignment in assignments:
        rubric = assignment.rubric
        described.append({"id": _id(achievement_id, "assignment", assignment.id), "type": ["ResultDescription"],
                          "name": f"{assignment.title}: rubric points ({rubric.title})", "resultType": "RubricScore",
                          "valueMin": "0", "valueMax": _num(rubric.max_points),
                          "alignment": outcome_alignments(outcomes, framework, assignment.outcomes)})
        for criterion in rubric.criteria:
            if criterion.scored:
                described.append(_criterion(achievement_id, assignment, criterion, outcomes, framework))
    return described


def _criterion(achievement_id: str, assignment, criterion, outcomes: dict, framework: str) -> dict:
    base = _id(achievement_id, "assignment", assignment.id, criterion.id)
    aligned = outcome_alignments(outcomes, framework, criterion.outcomes or assignment.outcomes)
    entry = {"id": base, "type": ["ResultDescription"], "name": f"{assignment.title}: {criterion.title}",
             "alignment": aligned}
    if criterion.kind == "levels":
        entry["resultType"] = "RubricCriterionLevel"
        entry["rubricCriterionLevel"] = [{"id": f"{base}-{level.id}", "type": ["RubricCriterionLevel"],
                                          "name": level.title, "description": level.descriptor,
                                          "level": level.id, "points": _num(level.points), "alignment": aligned}
                                         for level in criterion.levels]
        if criterion.expected:
            entry["requiredLevel"] = f"{base}-{criterion.expected}"
    else:
        entry.update({"resultType": "RawScore", "valueMin": "0", "valueMax": _num(criterion.top)})
    return entry


def subject_results(achievement_id: str, descriptions: list[dict], scores: dict, released: list[dict]) -> list[dict]:
    """scores: outcome id -> share (0..1); released: the plain results (`assignment_id`,
    `criteria`, `score`). A result points only at descriptions the achievement has."""
    known = {d["id"]: d for d in descriptions}
    results = [{"type": ["Result"], "resultDescription": _id(achievement_id, "outcome", oid),
                "value": _num(round(share * 100, 1))} for oid, share in scores.items()
               if _id(achievement_id, "outcome", oid) in known]
    for result in released:
        total = _id(achievement_id, "assignment", result["assignment_id"])
        if total in known:
            results.append({"type": ["Result"], "resultDescription": total, "value": _num(result["score"])})
        for criterion in result["criteria"] or []:
            described = known.get(_id(achievement_id, "assignment", result["assignment_id"], str(criterion.get("id"))))
            if described is None or not float(criterion.get("max") or 0):
                continue
            entry = {"type": ["Result"], "resultDescription": described["id"],
                     "value": _num(criterion.get("score") or 0)}
            level = f"{described['id']}-{criterion.get('level')}"
            if any(l["id"] == level for l in described.get("rubricCriterionLevel") or []):
                entry["achievedLevel"] = level
            results.append(entry)
    return results


def evidence(released: list[dict], assignments: dict) -> list[dict]:
    """One Evidence per released result: what was assessed, against which rubric, how the score
    was computed and when it was released. released: plain results (`assignment_id`,
    `rubric_version`, `criteria`, `score`, `max_score`, `passed`, `method`, `released_at`)."""
    entries = []
    for result in released:
        assignment = assignments.get(result["assignment_id"])
        title = assignment.title if assignment else result["assignment_id"]
        rubric = assignment.rubric.title if assignment else ""
        lines = [f"{c.get('title') or c.get('id')}: {_level_name(assignment, c)}{_num(c.get('score') or 0)} of "
                 f"{_num(c.get('max') or 0)} points" for c in result["criteria"] or [] if float(c.get("max") or 0)]
        released_at: datetime = result["released_at"]
        entries.append({
            "type": ["Evidence"], "name": title, "genre": "Assessed assignment",
            "description": (f"Graded by a trainer against the rubric “{rubric}” (version {result['rubric_version']}): "
                            f"{_num(result['score'])} of {_num(result['max_score'])} points, "
                            f"{'passed' if result['passed'] else 'not passed'}; released "
                            f"{released_at:%Y-%m-%d}. {result.get('method') or ''}").strip(),
            "narrative": "\n".join(f"- {line}" for line in lines),
        })
    return entries


def _level_name(assignment, criterion: dict) -> str:
    if assignment is None or not criterion.get("level"):
        return ""
    rubric_criterion = assignment.rubric.criterion(str(criterion.get("id")))
    level = next((l for l in rubric_criterion.levels if l.id == criterion["level"]), None) if rubric_criterion else None
    return f"“{level.title}”, " if level else ""
