"""Loading the qualification profile (units and learning outcomes)."""
from __future__ import annotations

from pathlib import Path

from brokerlearn.course import schema
from brokerlearn.course.model import Outcome, Profile, Unit
from brokerlearn.course.schema_types import did_you_mean
from brokerlearn.course.yamlpos import load_yaml_file
from brokerlearn.errors import Diagnostics


def load_profile(path: Path, diags: Diagnostics) -> Profile | None:
    data = load_yaml_file(path, diags)
    if data is None:
        if path.exists() and not diags.errors:
            diags.error(path, 1, 1, "the profile is empty")
        return None
    if not isinstance(data, dict):
        diags.error(path, 1, 1, "profile.yml must be keys and values (id, title, units, ...)")
        return None
    values = schema.PROFILE.validate(data, diags)
    units = [_unit(u, path, diags) for u in values["units"] or []]
    _check_unique_ids(units, diags)
    return Profile(values["id"], values["title"], values["level"], values["summary"], units,
                   values["certificate"], path)


def _unit(data, path: Path, diags: Diagnostics) -> Unit:
    outcomes = [Outcome(o["id"], o["statement"], data["id"], o.pos) for o in data["outcomes"] or []
                if o["id"]]
    return Unit(data["id"], data["title"], data["summary"], outcomes)


def _check_unique_ids(units: list[Unit], diags: Diagnostics) -> None:
    seen: dict[str, Outcome] = {}
    for unit in units:
        for outcome in unit.outcomes:
            first = seen.setdefault(outcome.id, outcome)
            if first is not outcome:
                pos = outcome.pos
                diags.error(pos.path, pos.line, pos.col,
                            f"duplicate outcome ID '{outcome.id}' (first defined on line {first.pos.line})")
    unit_ids = [u.id for u in units]
    for unit_id in {u for u in unit_ids if unit_ids.count(u) > 1}:
        unit = next(u for u in units if u.id == unit_id)
        first = unit.outcomes[0].pos if unit.outcomes else None
        if first:
            diags.error(first.path, first.line, 1, f"duplicate unit ID '{unit_id}'")


def certificate_rule(profile: Profile | None) -> dict | None:
    """The certificate's title and rule with the defaults filled in, as plain data; None when the
    profile defines no certificate."""
    if profile is None or not profile.certificate:
        return None
    requires = profile.certificate.get("requires") or {}
    outcomes = requires.get("outcomes", "all")
    assignments = requires.get("assignments")
    weight = requires.get("assessed_weight")
    return {"title": str(profile.certificate["title"]),
            "valid_years": profile.certificate.get("valid_years"),
            "requires": {"outcomes": "all" if outcomes == "all" else [str(o) for o in outcomes],
                         "min_outcome_score": float(requires.get("min_outcome_score", 0.7)),
                         "lessons_completed": float(requires.get("lessons_completed", 0.0)),
                         "assignments": "all" if assignments == "all" else [str(a) for a in assignments or []],
                         "assessed_weight": DEFAULT_ASSESSED_WEIGHT if weight is None else float(weight)}}


DEFAULT_ASSESSED_WEIGHT = 0.5  # the format's default (schema.REQUIRES): quizzes and assessed work alike


def check_required_assignments(profile: Profile | None, assignments: dict, diags: Diagnostics) -> None:
    """Every assignment the certificate rule names must be one of the course's (file:line)."""
    requires = (profile.certificate.get("requires") if profile and profile.certificate else None) or {}
    named = requires.get("assignments")
    if not isinstance(named, list):
        return
    for index, assignment_id in enumerate(named):
        if assignment_id not in assignments:
            pos = named.pos_at(index) if hasattr(named, "pos_at") else requires.pos
            hint = did_you_mean(assignment_id, assignments) or (
                f" (the course's assignments: {', '.join(sorted(assignments))})" if assignments
                else " (the course has none: add a modules/<module>/<name>.assignment.yml)")
            diags.error(pos.path, pos.line, pos.col,
                        f"the certificate requires an unknown assignment '{assignment_id}'{hint}")


def rule_in_words(rule: dict, outcome_count: int, gettext=lambda text: text, assessed: bool = False) -> list[str]:
    """The certificate rule as sentences, in the language of `gettext`; `assessed`: the course
    has assignments, so the weighting of their results is said too."""
    percent = round(rule["min_outcome_score"] * 100)
    if rule["outcomes"] == "all":
        first = gettext("At least %(percent)s%% of the graded points on each of all %(count)s learning outcomes "
                        "(best attempt of each quiz).") % {"percent": percent, "count": outcome_count}
    else:
        first = gettext("At least %(percent)s%% of the graded points on each of the outcomes %(outcomes)s "
                        "(best attempt of each quiz).") % {"percent": percent, "outcomes": ", ".join(rule["outcomes"])}
    lines = [first]
    weight = rule.get("assessed_weight", DEFAULT_ASSESSED_WEIGHT)
    if assessed:
        lines.append(gettext("An outcome assessed both by quizzes and by assignments scores %(quiz)s%% from its "
                             "quiz points and %(assessed)s%% from the assignments' rubric points (results "
                             "released by a trainer only).")
                     % {"quiz": round((1 - weight) * 100), "assessed": round(weight * 100)})
    required = rule.get("assignments") or []
    if required == "all":
        lines.append(gettext("Every assignment passed, its result released by a trainer."))
    elif required:
        lines.append(gettext("The assignments %(assignments)s passed, their results released by a trainer.")
                     % {"assignments": ", ".join(required)})
    if rule["lessons_completed"]:
        lines.append(gettext("At least %(percent)s%% of the lessons marked as complete.")
                     % {"percent": round(rule["lessons_completed"] * 100)})
    return lines
