"""Loading the qualification profile (units and learning outcomes)."""
from __future__ import annotations

from pathlib import Path

from brokerlearn.course import schema
from brokerlearn.course.model import Outcome, Profile, Unit
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
    return {"title": str(profile.certificate["title"]),
            "valid_years": profile.certificate.get("valid_years"),
            "requires": {"outcomes": "all" if outcomes == "all" else [str(o) for o in outcomes],
                         "min_outcome_score": float(requires.get("min_outcome_score", 0.7)),
                         "lessons_completed": float(requires.get("lessons_completed", 0.0))}}


def rule_in_words(rule: dict, outcome_count: int, gettext=lambda text: text) -> list[str]:
    """The certificate rule as sentences, in the language of `gettext`."""
    percent = round(rule["min_outcome_score"] * 100)
    if rule["outcomes"] == "all":
        first = gettext("At least %(percent)s%% of the graded points on each of all %(count)s learning outcomes "
                        "(best attempt of each quiz).") % {"percent": percent, "count": outcome_count}
    else:
        first = gettext("At least %(percent)s%% of the graded points on each of the outcomes %(outcomes)s "
                        "(best attempt of each quiz).") % {"percent": percent, "outcomes": ", ".join(rule["outcomes"])}
    lines = [first]
    if rule["lessons_completed"]:
        lines.append(gettext("At least %(percent)s%% of the lessons marked as complete.")
                     % {"percent": round(rule["lessons_completed"] * 100)})
    return lines
