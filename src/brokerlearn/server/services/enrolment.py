"""Enrolment: groups, invitation links (optionally into a group), and CSV import of staff lists
with a dry run that reports every row's problem before anything is created."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import Group, GroupMember, User
from brokerlearn.server.services.accounts import AccountError, clean_name, make_invitation, normalise_email

MAX_ROWS = 5000


def create_group(db: Session, name: str) -> Group:
    name = " ".join((name or "").split())[:200]
    if not name:
        raise AccountError(_("Give the group a name."), "name")
    if db.scalar(select(Group.id).where(Group.name == name)) is not None:
        raise AccountError(_("A group called '%(name)s' exists already.") % {"name": name}, "name")
    group = Group(name=name)
    db.add(group)
    db.commit()
    return group


def add_member(db: Session, group_id: int, user_id: int) -> None:
    if db.get(GroupMember, (group_id, user_id)) is None:
        db.add(GroupMember(group_id=group_id, user_id=user_id))
        db.commit()


@dataclass
class ImportRow:
    line: int
    email: str
    name: str
    group: str
    problems: list[str] = field(default_factory=list)
    invite: str = ""


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
        if db.scalar(select(User.id).where(User.email == row.email)) is not None:
            row.problems.append(_("has an account already"))
        if row.group and row.group not in groups:
            row.problems.append(_("no group called '%(group)s' (create it first)") % {"group": row.group})
    return rows


def import_staff(db: Session, secret: str, base_url: str, rows: list[ImportRow]) -> list[ImportRow]:
    """Invitation links for the rows without problems (nothing is created for the others)."""
    groups = {g.name: g.id for g in db.scalars(select(Group))}
    for row in rows:
        if not row.problems:
            token = make_invitation(secret, row.email, row.name, groups.get(row.group))
            row.invite = f"{base_url.rstrip('/')}/account/register?invite={token}"
    return rows
