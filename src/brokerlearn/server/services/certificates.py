"""Certificates: who is eligible (the profile's rule over outcome scores and completed lessons),
issuing once with a checked name, revoking, and the revocation status of a list index."""
from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from brokerlearn.server.language import gettext as _
from brokerlearn.course.profile import rule_in_words
from brokerlearn.course.manifest import CertificateRule, CourseManifest, Profile
from brokerlearn.server.credentials import badge
from brokerlearn.server.credentials.keys import SigningKey
from brokerlearn.server.models import Certificate, utcnow
from brokerlearn.server.services import counting
from brokerlearn.server.services.progress import course_progress

MAX_NAME = 120
EPSILON = 1e-9  # 0.7 earned of 1.0 needed at 0.7 is a pass, whatever the float rounding


class CertificateError(ValueError):
    """A refusal the learner or admin sees as it is."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def rule(course: CourseManifest) -> CertificateRule | None:
    return course.certificate


def eligibility(db: Session, user_id: int, course: CourseManifest) -> dict | None:
    """Where the learner stands against the certificate rule, outcome by outcome, in words."""
    certificate = rule(course)
    if certificate is None:
        return None
    requires = certificate.requires
    figures = counting.outcome_figures(db, user_id, course)
    wanted = list(course.outcomes) if requires.outcomes == "all" else requires.outcomes
    needed = requires.min_outcome_score
    outcomes, missing = [], []
    for oid in wanted:
        figure = figures.get(oid)
        score = figure.score if figure else 0.0
        met = figure is not None and score >= needed - EPSILON
        statement = course.outcomes[oid].statement if oid in course.outcomes else ""
        outcomes.append({"id": oid, "statement": statement, "score": score, "needed": needed, "met": met,
                         "quiz": figure.quiz if figure else None, "assessed": figure.assessed if figure else None})
        if not met:
            where = "" if figure else " " + _("(no graded question assesses it yet)")
            missing.append(_("%(outcome)s “%(statement)s”: %(score)s%% of its graded points so far, %(needed)s%% needed%(where)s.")
                           % {"outcome": oid, "statement": statement, "score": round(score * 100),
                              "needed": round(needed * 100), "where": where})
    assignments = counting.required_assignments(db, user_id, course)
    assignment_missing = [_assignment_missing(row) for row in assignments if not row["passed"]]
    missing += assignment_missing
    progress = course_progress(db, user_id, course)
    lessons_needed = requires.lessons_completed
    lessons_met = progress["share_completed"] >= lessons_needed - EPSILON
    if not lessons_met:
        need = -(-lessons_needed * progress["lessons"] // 1)  # ceiling
        missing.append(_("Lessons: %(done)s of %(total)s marked as complete, %(needed)s needed.")
                       % {"done": len(progress["completed_lessons"]), "total": progress["lessons"], "needed": int(need)})
    existing = db.scalar(select(Certificate).where(Certificate.user_id == user_id,
                                                   Certificate.course_id == course.id))
    return {"title": certificate.title, "eligible": not missing, "outcomes": outcomes, "assignments": assignments,
            "assignment_missing": assignment_missing,
            "lessons": {"completed": len(progress["completed_lessons"]), "total": progress["lessons"],
                        "needed": lessons_needed, "met": lessons_met},
            "missing": missing, "certificate": existing}


def _assignment_missing(row: dict) -> str:
    """What is missing of one required assignment, in words."""
    words = {"not_started": _("not started yet"), "draft": _("a draft, not yet submitted"),
             "waiting": _("submitted, waiting for the trainer's released result"),
             "not_passed": _("the released result is below the pass mark: a new attempt is needed")}
    return _("Assignment “%(title)s”: %(status)s.") % {"title": row["title"], "status": words[row["status"]]}


def clean_name(raw) -> str:
    """The name to print: any script, one line, no control or formatting characters."""
    if not isinstance(raw, str):
        raise CertificateError(_("Enter the name to print on the certificate."))
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise CertificateError(_("Enter the name to print on the certificate."))
    if len(name) > MAX_NAME:
        raise CertificateError(_("The name is too long: at most %(max_name)s characters.") % {"max_name": MAX_NAME})
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        raise CertificateError(_("The name contains control or invisible characters: type it again."))
    return name


def not_configured() -> str:
    return _("The server's public address (BROKERLEARN_PUBLIC_URL) is not set, so certificates can be neither "
             "issued nor checked here yet: ask the administrator.")


def issue(db: Session, user_id: int, course: CourseManifest, raw_name, key: SigningKey | None,
          base_url: str | None, issuer_name: str) -> Certificate:
    """base_url: the configured public address (None: not set, and nothing is issued)."""
    name = clean_name(raw_name)
    standing = eligibility(db, user_id, course)
    if standing is None:
        raise CertificateError(_("This course has no certificate."), 404)
    if standing["certificate"] is not None:
        raise CertificateError(_("You have claimed this certificate already."), 409)
    if not standing["eligible"]:
        raise CertificateError(_("Not yet: ") + " ".join(standing["missing"]), 403)
    if key is None:
        raise CertificateError(_("The agency has not created its signing key yet (brokerlearn keys init): "
                                 "ask the administrator."), 503)
    if not base_url:
        raise CertificateError(not_configured(), 503)
    profile = course.profile
    certificate_rule = rule(course)
    issued_at = utcnow().replace(microsecond=0)
    years = certificate_rule.valid_years
    valid_until = issued_at + timedelta(days=round(365.25 * years)) if years else None
    outcomes = [{"id": o["id"], "statement": o["statement"], "score": round(o["score"], 4)}
                for o in standing["outcomes"]]
    achievement = _achievement(course, profile, certificate_rule, base_url)
    aligned = [{**o, "url": f"{base_url}/{profile.url.removesuffix('index.html')}#outcome-{o['id']}"}
               for o in outcomes]
    assessed_parts = _assessed(db, user_id, course, achievement, aligned)
    for attempt in range(5):  # two claims at once may pick the same status index: try the next
        certificate_id = str(uuid.uuid4())
        index = (db.scalar(select(func.max(Certificate.status_index))) or 0) + 1
        credential = badge.build_credential(
            certificate_id=certificate_id, base_url=base_url, issuer_name=issuer_name, holder_name=name,
            achievement=achievement, outcomes=aligned,
            issued_at=issued_at, valid_until=valid_until, status_index=index, **assessed_parts)
        certificate = Certificate(id=certificate_id, user_id=user_id, course_id=course.id, profile_id=profile.id,
                                  name=name, title=certificate_rule.title, outcomes=outcomes,
                                  issued_at=issued_at, valid_until=valid_until, status_index=index,
                                  credential=badge.sign(credential, key, base_url))
        db.add(certificate)
        try:
            db.commit()
            return certificate
        except IntegrityError:
            db.rollback()
            if db.scalar(select(Certificate.id).where(Certificate.user_id == user_id,
                                                      Certificate.course_id == course.id)):
                raise CertificateError(_("You have claimed this certificate already."), 409) from None
    raise CertificateError(_("The certificate could not be issued now: try again."), 503)


def _assessed(db: Session, user_id: int, course: CourseManifest, achievement: dict, outcomes: list[dict]) -> dict:
    """The credential's OB 3.0 result descriptions, results and evidence of assessed work: only
    for a course with assignments, and only the holder's released results."""
    from brokerlearn.server.credentials import assessed
    if not course.assignments:
        return {}
    by_id = {o["id"]: o for o in outcomes}
    descriptions = assessed.result_descriptions(achievement["id"], list(course.assignments.values()), by_id,
                                                achievement["framework"])
    released = [{"assignment_id": r.assignment_id, "rubric_version": r.rubric_version, "criteria": r.criteria,
                 "score": r.score, "max_score": r.max_score, "passed": r.passed, "method": r.method,
                 "released_at": r.released_at}
                for r in counting.released(db, user_id, course.id).values()]
    scores = {o["id"]: o["score"] for o in outcomes}
    return {"result_descriptions": descriptions,
            "results": assessed.subject_results(achievement["id"], descriptions, scores, released),
            "evidence": assessed.evidence(released, course.assignments)}


def _achievement(course: CourseManifest, profile: Profile, certificate_rule: CertificateRule, base_url: str) -> dict:
    return {"id": f"{base_url}/{profile.url}".removesuffix("index.html"),
            "title": f"{certificate_rule.title}: {profile.title}",
            "description": profile.summary or profile.title,
            "criteria": " ".join(rule_in_words(certificate_rule.requires.to_json(), len(course.outcomes),
                                               assessed=bool(course.assignments))),
            "level": profile.level, "framework": profile.title}


def is_legacy(certificate: Certificate) -> bool:
    """Issued in the first form (the credential in a `vc` claim), before OB 3.0's own."""
    import jwt
    try:
        return badge.is_legacy(jwt.decode(certificate.credential, options={"verify_signature": False}))
    except jwt.PyJWTError:
        return False


def reissue(db: Session, certificate: Certificate, key: SigningKey | None, base_url: str | None) -> Certificate:
    """Re-sign a credential of the first form in the current one, on the holder's request: the
    same number, dates, holder and status entry. The old copy keeps verifying here."""
    if not base_url:
        raise CertificateError(not_configured(), 503)
    if key is None:
        raise CertificateError(_("The agency has not created its signing key yet (brokerlearn keys init): "
                                 "ask the administrator."), 503)
    if not is_legacy(certificate):
        raise CertificateError(_("This credential is in the current form already."), 409)
    certificate.credential = badge.resign(certificate.credential, key, base_url)
    db.commit()
    return certificate


MAX_NOTE = 2000


def revoke(db: Session, certificate_id: str, reason: str, note: str | None = None, actor=None) -> Certificate:
    """Revoke with a public `reason` (shown on the verification page and by every check) and an
    optional private `note`, kept for the record and shown to administrators only. With an
    `actor` (services.audit.Actor), the audit entry is committed with the revocation; it holds
    the note too, since the audit trail is for administrators only."""
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        raise CertificateError(_("Give a reason for the revocation: it is shown to whoever checks the certificate."))
    note = (note or "").strip()[:MAX_NOTE] or None
    certificate = db.get(Certificate, certificate_id)
    if certificate is None:
        raise CertificateError(_("No certificate '%(certificate_id)s'.") % {"certificate_id": certificate_id}, 404)
    if certificate.revoked_at is not None:
        raise CertificateError(_("The certificate was revoked already, on %(date)s.")
                               % {"date": f"{certificate.revoked_at:%Y-%m-%d}"}, 409)
    certificate.revoked_at, certificate.revocation_reason = utcnow(), reason
    certificate.revocation_note = note
    if actor is not None:
        from brokerlearn.server.models import User
        from brokerlearn.server.services import audit
        holder = db.get(User, certificate.user_id) if certificate.user_id else None
        audit.record(db, actor, "certificate_revoked", holder,
                     target="" if holder is not None else f"certificate {certificate.id}",
                     details=f"certificate {certificate.id} ({certificate.title}); reason: {reason}"
                             + (f"; private note: {note}" if note else ""))
    db.commit()
    return certificate


def revocation_lookup(db: Session):
    """For the verifier: status list index -> (revoked_at, reason) or None."""
    def lookup(index: int):
        row = db.execute(select(Certificate.revoked_at, Certificate.revocation_reason).where(
            Certificate.status_index == index)).first()
        return (row.revoked_at, row.revocation_reason) if row and row.revoked_at else None
    return lookup


def revoked_indices(db: Session) -> list[int]:
    return list(db.scalars(select(Certificate.status_index).where(Certificate.revoked_at.is_not(None))))


def withdraw_for_deleted_account(db: Session, user_id: int) -> None:
    """A learner who deletes their account takes their name with them; the certificate is revoked
    so that a copy of it no longer checks as valid."""
    db.execute(update(Certificate).where(Certificate.user_id == user_id, Certificate.revoked_at.is_(None))
               .values(revoked_at=utcnow(), revocation_reason="The holder deleted their account."))
    db.execute(update(Certificate).where(Certificate.user_id == user_id).values(name="", revocation_note=None))


def as_aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns: they are UTC."""
    from datetime import timezone
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def list_certificates(db: Session) -> list[Certificate]:
    """Every certificate issued, oldest first (`brokerlearn certs list`)."""
    return list(db.scalars(select(Certificate).order_by(Certificate.issued_at)))


ERASED_REASON = "Withdrawn."


def erase_holder(db: Session, user_id: int) -> None:
    """GDPR erasure of the holder: their certificates are revoked with a neutral reason (the
    public page says only that it was withdrawn), the name and the signed credential (which
    names them) are removed; the row keeps its status-list place. Committed by the caller."""
    db.execute(update(Certificate).where(Certificate.user_id == user_id, Certificate.revoked_at.is_(None))
               .values(revoked_at=utcnow(), revocation_reason=ERASED_REASON))
    db.execute(update(Certificate).where(Certificate.user_id == user_id).values(name="", credential=""))
