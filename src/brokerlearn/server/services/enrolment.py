"""Enrolment: groups, invitation links (optionally into a group), and CSV import of staff lists
with a dry run that reports every row's problem before anything is created."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import Group, GroupCourse, GroupMember, User
from brokerlearn.server.services.accounts import AccountError, clean_name, make_invitation, normalise_email

MAX_ROWS = 5000


def _record(db: Session, actor, action: str, user_id: int | None = None, target: str = "", details: str = "") -> None:
    """The audit entry of a cohort action (when an actor is given), committed with it."""
    if actor is not None:
        from brokerlearn.server.services import audit
        audit.record(db, actor, action, db.get(User, user_id) if user_id else None, target=target, details=details)


def create_group(db: Session, name: str, actor=None) -> Group:
    name = " ".join((name or "").split())[:200]
    if not name:
        raise AccountError(_("Give the group a name."), "name")
    if db.scalar(select(Group.id).where(Group.name == name)) is not None:
        raise AccountError(_("A group called '%(name)s' exists already.") % {"name": name}, "name")
    group = Group(name=name)
    db.add(group)
    _record(db, actor, "group_created", target=name, details=name)
    db.commit()
    return group


def add_member(db: Session, group_id: int, user_id: int, actor=None, action: str = "member_added",
               details: str | None = None) -> bool:
    """Add the account to the group (True), or nothing when it is a member already (False).
    With an `actor`, the audit entry `action` (details: the group's name) is committed with it."""
    if db.get(GroupMember, (group_id, user_id)) is not None:
        return False
    db.add(GroupMember(group_id=group_id, user_id=user_id))
    if actor is not None:
        group = db.get(Group, group_id)
        _record(db, actor, action, user_id, details=group.name if details is None else details)
    db.commit()
    return True


@dataclass
class ImportRow:
    line: int
    email: str
    name: str
    group: str
    problems: list[str] = field(default_factory=list)
    invite: str = ""
    existing: bool = False
    """The address has an account: the row enrols it (into its group) instead of inviting."""
    result: str = ""
    """What was done, in words (after the import)."""
    mailed: bool = False


def parse_staff_csv(data: bytes) -> list[ImportRow]:
    """Columns email, name, group (header required; ',' or ';'; UTF-8 with or without BOM)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AccountError(_("The file is not UTF-8 text: save it as 'CSV UTF-8'.")) from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return _rows(reader)
    except csv.Error:  # a field over the csv module's limit (131,072 characters), a stray NUL
        raise AccountError(_("Line %(line)s of the file cannot be read as CSV (a field far too long, or not "
                             "text): check the file.") % {"line": reader.line_num}) from None


def _rows(reader) -> list[ImportRow]:
    header = [h.strip().lower() for h in next(reader, [])]
    if "email" not in header:
        raise AccountError(_("The first row must name the columns, with at least 'email' (also 'name', 'group')."))
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        record = dict(zip(header, (v.strip() for v in values)))
        rows.append(ImportRow(number, record.get("email", ""), record.get("name", ""), record.get("group", "")))
        if len(rows) > MAX_ROWS:
            raise AccountError(_("At most %(max_rows)s rows per file.") % {"max_rows": MAX_ROWS})
    return rows


def check_rows(db: Session, rows: list[ImportRow]) -> list[ImportRow]:
    seen: dict[str, int] = {}
    groups = {g.name: g for g in db.scalars(select(Group))}
    for row in rows:
        try:
            row.email = normalise_email(row.email)
        except AccountError:
            row.problems.append(_("'%(email)s' is not an e-mail address") % {"email": row.email})
            continue
        if row.email in seen:
            row.problems.append(_("the same address as row %(row)s") % {"row": seen[row.email]})
        seen.setdefault(row.email, row.line)
        try:
            row.name = clean_name(row.name)
        except AccountError as exc:
            row.problems.append(str(exc))
        row.existing = db.scalar(select(User.id).where(User.email == row.email)) is not None
        if row.group and row.group not in groups:
            row.problems.append(_("no group called '%(group)s' (create it first)") % {"group": row.group})
    return rows


def import_staff(db: Session, secret: str, base_url: str, rows: list[ImportRow], send=None, days: int = 14,
                 lang: str = "en", actor=None) -> list[ImportRow]:
    """For the rows without problems: an account that exists joins the row's group; a new
    address gets an invitation (into the group), mailed by `send(invitation, link)` when given
    (it raises MailError to report a failure, and the link is shown instead; it must not
    commit). With an `actor`, one audit entry `csv_enrolment` per row that enrolled or invited
    someone, committed with that row: the trail answers "who invited this person?" for each."""
    from brokerlearn.server.mail import MailError
    from brokerlearn.server.services import invitations
    groups = {g.name: g for g in db.scalars(select(Group))}
    for row in rows:
        if row.problems:
            continue
        group = groups.get(row.group)
        if row.existing:
            user_id = db.scalar(select(User.id).where(User.email == row.email))
            if group is None:
                row.result = _("has an account; no group given, so nothing to do")
            elif db.get(GroupMember, (group.id, user_id)) is not None:
                row.result = _("has an account and is in %(group)s already") % {"group": group.name}
            else:
                add_member(db, group.id, user_id, actor, "csv_enrolment", f"added to {group.name}")
                row.result = _("has an account: added to %(group)s") % {"group": group.name}
            continue
        invitation = invitations.invite(db, row.email, row.name, group.id if group else None, days, lang,
                                        commit=False)
        row.invite = invitations.link(secret, invitation, base_url)
        into = f"invited into {group.name}" if group else "invited"
        if send is None:
            row.result = _("invitation link made (not mailed)")
            _record(db, actor, "csv_enrolment", target=row.email, details=f"{into} (link made, not mailed)")
            db.commit()
            continue
        try:
            send(invitation, row.invite)
            row.result, row.mailed = _("invitation mailed"), True
            _record(db, actor, "csv_enrolment", target=row.email, details=f"{into} (mailed)")
        except MailError as exc:
            row.result = _("not mailed (%(error)s): send the link yourself") % {"error": exc}
            _record(db, actor, "csv_enrolment", target=row.email, details=f"{into} (not mailed: {exc})")
        db.commit()
    return rows


def remove_member(db: Session, group_id: int, user_id: int, actor=None) -> None:
    member = db.get(GroupMember, (group_id, user_id))
    if member is not None:
        db.delete(member)
        _record(db, actor, "member_removed", user_id, details=db.get(Group, group_id).name)
        db.commit()


def find_accounts(db: Session, text: str, group_id: int, limit: int = 20) -> list[User]:
    """Accounts whose address or name contains `text`, not yet in the group (for "add")."""
    text = (text or "").strip().lower()[:100].replace("%", "").replace("_", "")
    if len(text) < 2:
        return []
    pattern = f"%{text}%"
    members = select(GroupMember.user_id).where(GroupMember.group_id == group_id)
    return list(db.scalars(select(User).where(func.lower(User.email).like(pattern) | func.lower(User.name).like(pattern),
                                              User.id.not_in(members)).order_by(User.email).limit(limit)))


def group_courses(db: Session, group_id: int) -> list[str]:
    return list(db.scalars(select(GroupCourse.course_id).where(GroupCourse.group_id == group_id)
                           .order_by(GroupCourse.course_id)))


def set_schedule(db: Session, group: Group, course_ids: list[str], known: set[str], starts: str, due: str,
                 actor=None) -> None:
    """The group's courses (IDs of `known` courses) and its start and due dates (YYYY-MM-DD or
    empty). Raises AccountError for a date that is not one, or a due date before the start."""
    starts_on, due_on = _date(starts, _("start date")), _date(due, _("due date"))
    if starts_on and due_on and due_on < starts_on:
        raise AccountError(_("The due date is before the start date."), "due")
    group.starts_on, group.due_on = starts_on, due_on
    wanted = {c for c in course_ids if c in known}
    for row in db.scalars(select(GroupCourse).where(GroupCourse.group_id == group.id)):
        if row.course_id not in wanted:
            db.delete(row)
    for course_id in wanted - set(group_courses(db, group.id)):
        db.add(GroupCourse(group_id=group.id, course_id=course_id))
    _record(db, actor, "schedule_set", target=group.name, details="%s; courses: %s; starts: %s; due: %s" % (
        group.name, ", ".join(sorted(wanted)) or "-", starts_on or "-", due_on or "-"))
    db.commit()


def _date(value: str, what: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AccountError(_("The %(what)s '%(value)s' is not a date (YYYY-MM-DD).") % {"what": what, "value": value[:20]},
                           "dates") from None


def learner_groups(db: Session, user_id: int, courses) -> list[dict]:
    """For the dashboard: the learner's groups that name courses or dates (`name`, `courses`:
    titles, `starts_on`, `due_on`)."""
    titles = {c.id: c.title for c in courses.all()}
    found = []
    for group in db.scalars(select(Group).join(GroupMember, GroupMember.group_id == Group.id)
                            .where(GroupMember.user_id == user_id).order_by(Group.name)):
        names = [titles[c] for c in group_courses(db, group.id) if c in titles]
        if names or group.starts_on or group.due_on:
            found.append({"name": group.name, "courses": names, "starts_on": group.starts_on, "due_on": group.due_on})
    return found
