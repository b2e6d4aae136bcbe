"""Assessed work (issue 18): an assignment with its rubric, loaded from YAML, checked, and carried
to the server as typed objects.

Files: `modules/<module>/<name>.assignment.yml` (format: course/schema_assignment.py) and, for a
rubric several assignments share, `rubrics/<id>.yml`. A rubric's `version` is a hash of what
it judges (criteria, kinds, levels and points, not its wording of titles), so a changed rubric
is a new version and a stored result keeps the version it was given under.

What only the server may hold (the practice step's trainer examples, their reference ratings,
reasons and notes) is in `Assignment.to_json()`, the private manifest; the site gets
`public_view()`, which has none of it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from brokerlearn.course import schema_assignment as schema
from brokerlearn.course.schema_types import did_you_mean
from brokerlearn.course.yamlpos import Pos, YMap, load_yaml_file
from brokerlearn.errors import Diagnostics

SUFFIXES = (".assignment.yml", ".assignment.yaml")


def is_assignment_file(path: Path) -> bool:
    return path.name.endswith(SUFFIXES)


@dataclass(frozen=True)
class Level:
    id: str
    title: str
    descriptor: str
    points: float


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    kind: str  # levels | points | checklist | comment
    description: str = ""
    outcomes: tuple[str, ...] = ()
    levels: tuple[Level, ...] = ()
    expected: str | None = None  # the level that meets the standard (levels)
    max_points: float = 0.0  # points: the highest score; checklist: the number of items
    items: tuple[str, ...] = ()

    @property
    def scored(self) -> bool:
        return self.kind != "comment"

    @property
    def top(self) -> float:
        if self.kind == "levels":
            return max((level.points for level in self.levels), default=0.0)
        return self.max_points if self.kind == "points" else float(len(self.items))

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "kind": self.kind, "description": self.description,
                "outcomes": list(self.outcomes), "expected": self.expected, "max_points": self.max_points,
                "items": list(self.items),
                "levels": [{"id": l.id, "title": l.title, "descriptor": l.descriptor, "points": l.points}
                           for l in self.levels]}

    @classmethod
    def from_json(cls, data: dict) -> "Criterion":
        return cls(data["id"], data["title"], data["kind"], data.get("description") or "",
                   tuple(data.get("outcomes") or ()),
                   tuple(Level(l["id"], l["title"], l["descriptor"], float(l["points"]))
                         for l in data.get("levels") or ()),
                   data.get("expected"), float(data.get("max_points") or 0), tuple(data.get("items") or ()))


@dataclass(frozen=True)
class Rubric:
    id: str  # the rubric file's ID, or "<assignment>" for an inline rubric
    title: str
    criteria: tuple[Criterion, ...]

    @property
    def max_points(self) -> float:
        return sum(c.top for c in self.criteria)

    @property
    def version(self) -> str:
        """What the rubric judges, hashed: a new value is a new version."""
        structure = [[c.id, c.kind, c.max_points, len(c.items), c.expected,
                      [[l.id, l.points] for l in c.levels]] for c in self.criteria]
        return hashlib.sha256(json.dumps(structure).encode()).hexdigest()[:12]

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "version": self.version,
                "criteria": [c.to_json() for c in self.criteria]}

    @classmethod
    def from_json(cls, data: dict) -> "Rubric":
        return cls(data["id"], data["title"], tuple(Criterion.from_json(c) for c in data["criteria"]))


@dataclass(frozen=True)
class Rating:
    criterion: str
    value: float | str  # a level ID, points, or the number of checklist items met
    reason: str


@dataclass(frozen=True)
class Example:
    """A trainer example for the practice step: private to the server."""
    id: str
    text: str
    ratings: tuple[Rating, ...]
    note: str | None = None


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    module: str  # the slug of the module whose folder holds it
    brief: str
    outcomes: tuple[str, ...]
    rubric: Rubric
    text: dict | None = None  # {min_words, max_words, required}
    files: dict | None = None  # {types, max_mb, max_files, required}
    pass_mark: float = 0.5
    peer_reviews: int = 0  # 0: no peer step
    peer_weight: float = 0.0
    self_review: bool = False
    trainer: bool = True
    examples: tuple[Example, ...] = ()
    tolerance: int = 1
    retries: int = 1
    resubmit: str = "trainer"
    max_attempts: int = 2
    due: dict = field(default_factory=dict)  # submit/review/feedback -> days
    path: Path | None = None  # the source file (build only)
    place: str | None = None  # "URL#DOM id" of the lesson that shows it (the manifest); None: no lesson does

    @property
    def steps(self) -> list[str]:
        steps = ["submit"]
        if self.examples:
            steps.append("practice")
        if self.peer_reviews:
            steps.append("peer")
        if self.self_review:
            steps.append("self")
        if self.trainer:
            steps.append("trainer")
        return steps

    def public_view(self) -> dict:
        """What the site may show: the brief, the rubric, what to submit, the steps; no example."""
        return {"id": self.id, "title": self.title, "brief": self.brief, "outcomes": list(self.outcomes),
                "rubric": self.rubric.to_json(), "text": self.text, "files": self.files,
                "pass_mark": self.pass_mark, "steps": self.steps, "peer_reviews": self.peer_reviews,
                "resubmit": self.resubmit, "max_attempts": self.max_attempts, "due": dict(self.due)}

    def to_json(self) -> dict:
        return {**self.public_view(), "module": self.module, "peer_weight": self.peer_weight,
                "self_review": self.self_review, "trainer": self.trainer, "tolerance": self.tolerance,
                "retries": self.retries, "place": self.place,
                "examples": [{"id": e.id, "text": e.text, "note": e.note,
                              "ratings": [{"criterion": r.criterion, "value": r.value, "reason": r.reason}
                                          for r in e.ratings]} for e in self.examples]}

    @classmethod
    def from_json(cls, data: dict) -> "Assignment":
        return cls(
            data["id"], data["title"], data["module"], data["brief"], tuple(data.get("outcomes") or ()),
            Rubric.from_json(data["rubric"]), data.get("text"), data.get("files"), float(data["pass_mark"]),
            int(data.get("peer_reviews") or 0), float(data.get("peer_weight") or 0),
            bool(data.get("self_review")), bool(data.get("trainer", True)),
            tuple(Example(e["id"], e["text"], tuple(Rating(r["criterion"], r["value"], r["reason"])
                                                    for r in e["ratings"]), e.get("note"))
                  for e in data.get("examples") or ()),
            int(data.get("tolerance", 1)), int(data.get("retries", 1)), data.get("resubmit") or "trainer",
            int(data.get("max_attempts") or 1), dict(data.get("due") or {}), place=data.get("place"))


# ---- loading -------------------------------------------------------------------------------

def load_assignments(root: Path, modules, outcomes: dict, diags: Diagnostics) -> dict[str, Assignment]:
    """Every assignment of the course's modules, by ID, each checked (errors at file:line)."""
    rubrics = load_rubrics(root / "rubrics", outcomes, diags)
    found: dict[str, Assignment] = {}
    for module in modules:
        for path in assignment_files(module.folder):
            assignment = load_assignment(path, module.slug, rubrics, outcomes, diags)
            if assignment is None:
                continue
            first = found.setdefault(assignment.id, assignment)
            if first is not assignment:
                diags.error(path, 1, 1, f"duplicate assignment ID '{assignment.id}' (also used in {first.path})")
    return found


def assignment_files(folder: Path) -> list[Path]:
    """The module's assignment files (the name is tested first: a stat per assignment, not per lesson)."""
    return sorted(p for p in folder.iterdir() if is_assignment_file(p) and p.is_file()) if folder.is_dir() else []


def load_rubrics(folder: Path, outcomes: dict, diags: Diagnostics) -> dict[str, Rubric]:
    rubrics: dict[str, Rubric] = {}
    if not folder.is_dir():
        return rubrics
    for path in sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")):
        data = _mapping(path, "a rubric file must be keys and values (id, title, criteria)", diags)
        if data is None:
            continue
        values = schema.RUBRIC_FILE.validate(data, diags)
        if not values["id"] or not values["criteria"]:
            continue
        if values["id"] != path.stem.removesuffix(".rubric"):
            pos = values.value_pos_of("id")
            diags.error(pos.path, pos.line, pos.col, f"the rubric's id '{values['id']}' must be its file's "
                        f"name: rename the file to rubrics/{values['id']}.yml")
        rubrics[values["id"]] = Rubric(values["id"], values["title"], _criteria(values["criteria"], outcomes, diags))
    return rubrics


def _mapping(path: Path, message: str, diags: Diagnostics) -> YMap | None:
    data = load_yaml_file(path, diags)
    if not isinstance(data, dict):
        if data is not None or not diags.errors:
            diags.error(path, 1, 1, message)
        return None
    return data


def load_assignment(path: Path, module: str, rubrics: dict, outcomes: dict, diags: Diagnostics) -> Assignment | None:
    data = _mapping(path, "an assignment file must be keys and values (id, title, brief, submission, rubric, ...)", diags)
    if data is None:
        return None
    values = schema.ASSIGNMENT.validate(data, diags)
    if not values["id"] or not values["rubric"] or not values["submission"]:
        return None
    rubric = _rubric(values, rubrics, outcomes, diags)
    if rubric is None:
        return None
    _check_outcomes(values["outcomes"], outcomes, diags)
    submission = _submission(values, diags)
    steps = values["steps"] or {}
    peer, practice = steps.get("peer"), steps.get("practice")
    examples = _examples(practice, rubric, diags) if practice else ()
    _check_steps(values, rubric, diags)
    resubmit = values["resubmit"] or {}
    return Assignment(
        id=values["id"], title=values["title"], module=module, brief=values["brief"],
        outcomes=tuple(values["outcomes"]) or tuple(dict.fromkeys(o for c in rubric.criteria for o in c.outcomes)),
        rubric=rubric, text=submission.get("text"), files=submission.get("files"), pass_mark=values["pass_mark"],
        peer_reviews=peer["reviews"] if peer else 0, peer_weight=peer["weight"] if peer else 0.0,
        self_review=bool(steps.get("self")), trainer=steps.get("trainer", True) is not False,
        examples=examples, tolerance=practice["tolerance"] if practice else 1,
        retries=practice["retries"] if practice else 1,
        resubmit=resubmit.get("allowed") or "trainer", max_attempts=resubmit.get("max_attempts") or 2,
        due={k: v for k, v in (values["due"] or {}).items() if v}, path=path)


def _error(pos: Pos, message: str, diags: Diagnostics) -> None:
    diags.error(pos.path, pos.line, pos.col, message)


def _rubric(values: YMap, rubrics: dict, outcomes: dict, diags: Diagnostics) -> Rubric | None:
    given = values["rubric"]
    if isinstance(given, str):
        if given not in rubrics:
            _error(values.value_pos_of("rubric"), f"unknown rubric '{given}': add rubrics/{given}.yml"
                   f"{did_you_mean(given, rubrics)}", diags)
            return None
        return rubrics[given]
    return Rubric(values["id"], given["title"] or values["title"], _criteria(given["criteria"], outcomes, diags))


def _criteria(items, outcomes: dict, diags: Diagnostics) -> tuple[Criterion, ...]:
    criteria, seen = [], {}
    for data in items:
        if data["id"] in seen:
            _error(data.value_pos_of("id"), f"duplicate criterion ID '{data['id']}' (first on line "
                   f"{seen[data['id']]})", diags)
            continue
        seen[data["id"]] = data.pos_of("id").line
        _check_outcomes(data["outcomes"], outcomes, diags)
        criterion = _criterion(data, diags)
        if criterion is not None:
            criteria.append(criterion)
    if criteria and not any(c.scored for c in criteria):
        _error(items.pos, "a rubric needs at least one scored criterion (not all `comment`)", diags)
    return tuple(criteria)


_KIND_KEYS = {"levels": "levels", "points": "max_points", "checklist": "items"}


def _criterion(data: YMap, diags: Diagnostics) -> Criterion | None:
    kind, where = data["kind"], f"criterion '{data['id']}'"
    for other_kind, key in _KIND_KEYS.items():
        if other_kind != kind and data.get(key) and key in data.key_pos:
            _error(data.pos_of(key), f"{where} is of kind '{kind}': '{key}' belongs to kind '{other_kind}'", diags)
    if kind == "comment":
        return Criterion(data["id"], data["title"], kind, data["description"], tuple(data["outcomes"]))
    needed = _KIND_KEYS[kind]
    if not data[needed]:
        hint = {"levels": "give at least two levels, each with id, title, descriptor and points",
                "max_points": "give the highest score, e.g. 'max_points: 10'",
                "items": "list what must be there"}[needed]
        _error(data.pos, f"{where} of kind '{kind}' has no '{needed}': {hint}", diags)
        return None
    if kind == "points":
        return Criterion(data["id"], data["title"], kind, data["description"], tuple(data["outcomes"]),
                         max_points=float(data["max_points"]))
    if kind == "checklist":
        return Criterion(data["id"], data["title"], kind, data["description"], tuple(data["outcomes"]),
                         items=tuple(data["items"]), max_points=float(len(data["items"])))
    return _levels_criterion(data, where, diags)


def _levels_criterion(data: YMap, where: str, diags: Diagnostics) -> Criterion | None:
    items = data["levels"]
    levels = tuple(Level(l["id"], l["title"], l["descriptor"], float(l["points"])) for l in items)
    ids = [l.id for l in levels]
    for index, level_id in enumerate(ids):
        if level_id in ids[:index]:
            _error(items.pos_at(index), f"duplicate level ID '{level_id}' in {where}", diags)
            return None
    at = data.pos_of("levels")
    if len(levels) < 2:
        _error(at, f"{where} has one level: give at least two, lowest first", diags)
        return None
    if len({l.points for l in levels}) == 1:
        _error(at, f"the levels of {where} are all worth {levels[0].points:g} points: a rating "
               "could not tell work apart (give each level its points, lowest first)", diags)
        return None
    if any(a.points > b.points for a, b in zip(levels, levels[1:])):
        _error(at, f"the levels of {where} must go from lowest to highest points", diags)
        return None
    expected = data["expected"]
    if expected is not None and expected not in ids:
        _error(data.value_pos_of("expected"), f"unknown level '{expected}' in {where}{did_you_mean(expected, ids)}",
               diags)
        return None
    return Criterion(data["id"], data["title"], "levels", data["description"], tuple(data["outcomes"]),
                     levels=levels, expected=expected or _default_expected(levels))


def _default_expected(levels) -> str:
    """The lowest level worth at least half of the top one (the 'meets' level of most rubrics)."""
    top = levels[-1].points
    return next(l.id for l in levels if l.points >= top / 2)


def _check_outcomes(refs, outcomes: dict, diags: Diagnostics) -> None:
    for index, outcome_id in enumerate(refs or []):
        if outcome_id not in outcomes:
            hint = did_you_mean(outcome_id, outcomes) if outcomes else ": the course has no profile.yml defining outcomes"
            _error(refs.pos_at(index), f"outcome '{outcome_id}' is not defined in the profile{hint}", diags)


def _submission(values: YMap, diags: Diagnostics) -> dict:
    given = values["submission"]
    text, files = given["text"], given["files"]
    if text is None and files is None:
        _error(values.pos_of("submission"), "the submission asks for nothing: give 'text', 'files' or both", diags)
    result = {}
    if text is not None:
        if text["max_words"] < text["min_words"]:
            _error(text.value_pos_of("max_words"), f"'max_words' ({text['max_words']}) is below 'min_words' "
                   f"({text['min_words']})", diags)
        result["text"] = {"min_words": text["min_words"], "max_words": text["max_words"], "required": text["required"]}
    if files is not None:
        result["files"] = {"types": list(dict.fromkeys(files["types"] or [])), "max_mb": files["max_mb"],
                           "max_files": files["max_files"], "required": files["required"]}
    if text is not None and files is not None and not text["required"] and not files["required"]:
        _error(values.pos_of("submission"), "neither the text nor the files are required: a learner could "
               "submit nothing (make one 'required: true')", diags)
    return result


def _check_steps(values: YMap, rubric: Rubric, diags: Diagnostics) -> None:
    steps = values["steps"]
    if not steps:
        return
    peer, practice = steps["peer"], steps["practice"]
    if peer and peer["reviews"] > schema.MAX_PEER_REVIEWS:
        _error(peer.value_pos_of("reviews"), f"{peer['reviews']} peer reviews of each submission are more than "
               f"a small cohort can give: at most {schema.MAX_PEER_REVIEWS} (in a cohort of "
               f"{schema.SMALL_COHORT} with one learner away, each of the others can be reviewed by "
               f"{schema.MAX_PEER_REVIEWS}); the trainer reviews what peers cannot", diags)
    if peer and peer["weight"] > 0 and (practice is None or peer["reviews"] < 3):
        _error(peer.value_pos_of("weight"), "peers' scores may count ('weight' above 0) only with a practice "
               "step and at least 3 reviews; otherwise they are advisory (weight 0)", diags)
    if practice and not peer:
        _error(steps.pos_of("practice"), "a practice step trains peer reviewers: add a 'peer' step or remove it",
               diags)
    if not peer and not steps["self"] and not steps["trainer"]:
        _error(steps.pos, "nobody reviews this work: keep 'trainer: true' or add a peer step", diags)


def _examples(practice: YMap, rubric: Rubric, diags: Diagnostics) -> tuple[Example, ...]:
    examples = []
    for data in practice["examples"]:
        ratings = []
        for rating in data["ratings"]:
            checked = _rating(rating, rubric, diags)
            if checked is not None:
                ratings.append(checked)
        rated = {r.criterion for r in ratings}
        missing = [c.id for c in rubric.criteria if c.scored and c.id not in rated]
        if missing:
            _error(data.pos_of("ratings"), f"example '{data['id']}' has no reference rating for "
                   f"{', '.join(repr(m) for m in missing)}", diags)
        examples.append(Example(data["id"], data["text"], tuple(ratings), data["note"]))
    return tuple(examples)


def _rating(rating: YMap, rubric: Rubric, diags: Diagnostics) -> Rating | None:
    criterion = rubric.criterion(rating["criterion"])
    pos = rating.value_pos_of("value")
    if criterion is None:
        _error(rating.value_pos_of("criterion"), f"unknown criterion '{rating['criterion']}'"
               f"{did_you_mean(rating['criterion'], [c.id for c in rubric.criteria])}", diags)
        return None
    value = rating["value"]
    if criterion.kind == "comment":
        _error(pos, f"criterion '{criterion.id}' is comment-only: it takes no rating", diags)
        return None
    if criterion.kind == "levels":
        ids = [l.id for l in criterion.levels]
        if str(value) not in ids:
            _error(pos, f"unknown level '{value}' of criterion '{criterion.id}'{did_you_mean(value, ids)}", diags)
            return None
        value = str(value)
    elif isinstance(value, str) or value > criterion.top:
        _error(pos, f"a rating of criterion '{criterion.id}' is a number from 0 to {criterion.top:g}, not '{value}'",
               diags)
        return None
    return Rating(criterion.id, value, rating["reason"])
