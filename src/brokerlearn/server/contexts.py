"""The theme contract of the server's own pages: what each template is given.

One dataclass per template (its `TEMPLATE`), every field documented by the string under it;
docs/themes.md is generated from these classes (python -m brokerlearn.authoring.themeref).
A view fills one in and returns `pages.render(context)`; the context processor of `pages.py`
adds `ServerGlobals` to every template. Values are the server's own objects (accounts, groups,
certificates: their attributes are listed where a field names one).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar


@dataclass
class ServerGlobals:
    """What every server template gets from the context processor (base.html reads these).
    Flask adds `current_user` (the signed-in account, or an anonymous one), `csrf_token()`,
    `get_flashed_messages()` and `request`."""
    root: str
    """The site's root, `/`."""
    static: str
    """The theme's static files, `/_static/`."""
    lang: str
    """The interface language the learner chose (or their browser asks for)."""
    catalog_url: str
    """Where the site name in the header leads: the catalog, `/`."""
    generator: str
    """`brokerlearn` and its version, for the meta tag and the footer."""
    js_messages: dict[str, str]
    """The interface words the theme's JavaScript shows, in `lang`."""
    languages: dict[str, str]
    """The interface languages, code -> name, for the language switch in the footer."""
    here: str
    """This page's path and query, where the language switch returns to."""


@dataclass(kw_only=True)
class ServerPage:
    """What every server page has."""
    TEMPLATE: ClassVar[str] = "base.html"
    title: str
    """The page's title (the window title, and the heading of most pages)."""


@dataclass
class BackLink:
    """A link back to where the learner came from."""
    url: str
    """The address, on this server."""
    title: str
    """The text of the link."""


# The learner's dashboard --------------------------------------------------------------------

@dataclass(kw_only=True)
class DashboardPage(ServerPage):
    """The signed-in learner's progress in every course, and their certificates."""
    TEMPLATE: ClassVar[str] = "dashboard.html"
    courses: list[dict]
    """Per course: `course` (ID), `title`, `lessons`, `completed_lessons`, `share_completed`,
    `videos`, `videos_watched`, `seconds_spent`, `resume` (`url`, `title`) or None, `modules`
    (`title`, `url`, `lessons`, `completed`), `quizzes` (the graded quizzes with the learner's
    status, as GET /api/assessments gives them: `title`, `url`, `status`, `best_score`,
    `max_score`, `attempts_left`, ...) and `certificate` (the eligibility: `title`,
    `certificate`, `outcomes` (each `id`, `statement`, `score`, `needed`, `met`, and what the
    score is made of: `quiz` and `assessed`, shares or None), `assignments` (those the rule
    requires: `id`, `title`, `status`, `passed`, `score`), `lessons`, `eligible`, `missing`) or
    None; with a certificate,
    `certificate`, `outcomes`, `lessons`, `eligible`, `missing`) or None, `assignments` (the
    learner's timeline of each assignment, as services/timeline.py `words` gives it: `id`,
    `title`, `url`, `steps`, `next`, `summary`; shown by `_assignment_timeline.html`); with a certificate,
    `outcome_units` (its outcomes by unit: `id`, `title`, `outcomes`, `met`) and
    `missing_besides_outcomes` (what else it still needs, in words)."""
    user: Any
    """The signed-in account (`email`, `name`)."""
    hours: Callable[[int], str]
    """Seconds as a duration in words (`hours(c.seconds_spent)`)."""
    groups: list[dict] = field(default_factory=list)
    """The learner's groups that name courses or dates (`name`, `courses`: titles, `starts_on`,
    `due_on`: dates or None), shown by `_group_dates.html`."""


# Account pages (account/_layout.html) -------------------------------------------------------

@dataclass(kw_only=True)
class MessagePage(ServerPage):
    """A short message with a way back: an error, or the end of a process."""
    TEMPLATE: ClassVar[str] = "account/message.html"
    message: str
    """The message."""
    back: BackLink | None = None
    """Where to go next; None: back to the courses."""


@dataclass(kw_only=True)
class RegisterPage(ServerPage):
    """The registration form (open, or by invitation)."""
    TEMPLATE: ClassVar[str] = "account/register.html"
    form: dict[str, str]
    """What the form is filled with: `email`, `name`."""
    error: str | None
    """Why the last try failed, or None."""
    field: str | None
    """The form field the error is about (`email`, `password`), or None."""
    invite: str
    """The invitation token the form carries (empty for open registration)."""
    invite_only: bool
    """Whether registration needs an invitation on this server."""
    next: str | None = None
    """Where the new account goes once created (a path on this server), or None: the dashboard."""


@dataclass(kw_only=True)
class LoginPage(ServerPage):
    """The sign-in form."""
    TEMPLATE: ClassVar[str] = "account/login.html"
    email: str
    """The address to fill in (the one of the last try)."""
    error: str | None
    """Why the last try failed, or None."""
    next: str
    """Where to go after signing in (a path on this server)."""
    providers: list[dict] = field(default_factory=list)
    """The identity providers to sign in with (`name`, `url`), as "Sign in with NAME" (server/sso/)."""
    password_signin: bool = True
    """Whether the password form and registration are offered (BROKERLEARN_PASSWORD_SIGNIN)."""


@dataclass(kw_only=True)
class SsoLinkPage(ServerPage):
    """A first sign-in through an identity provider whose verified address has an account here:
    the person confirms the account is theirs with its password, and the two are linked."""
    TEMPLATE: ClassVar[str] = "account/sso_link.html"
    email: str
    """The account's address."""
    provider: str
    """The identity provider's name."""
    error: str | None = None
    """Why the last try failed, or None."""


@dataclass(kw_only=True)
class SsoEmergencyPage(ServerPage):
    """An administrator's emergency sign-in link (brokerlearn sso emergency-link): one button."""
    TEMPLATE: ClassVar[str] = "account/sso_emergency.html"
    token: str
    """The link's token, sent back by the button's form."""


@dataclass(kw_only=True)
class ResetRequestPage(ServerPage):
    """The form that asks for a link to choose a new password."""
    TEMPLATE: ClassVar[str] = "account/reset_request.html"
    error: str | None = None
    """Why the last try failed, or None."""


@dataclass(kw_only=True)
class ResetPage(ServerPage):
    """The form that sets a new password, reached by the link of a reset e-mail."""
    TEMPLATE: ClassVar[str] = "account/reset.html"
    token: str
    """The reset token of the link (the form posts back to it)."""
    error: str | None = None
    """Why the last try failed, or None."""


@dataclass(kw_only=True)
class SettingsPage(ServerPage):
    """Account settings: change the password, sign out, delete the account."""
    TEMPLATE: ClassVar[str] = "account/settings.html"
    error: str | None
    """Why the last change failed, or None."""
    done: str | None
    """What was just done (`password`), or None."""


@dataclass(kw_only=True)
class UnavailablePage(ServerPage):
    """The 503 page while the server cannot reach its database."""
    TEMPLATE: ClassVar[str] = "errors/unavailable.html"
    retry: str | None
    """The address to try again (for a GET), or None."""


# Certificates -------------------------------------------------------------------------------

@dataclass(kw_only=True)
class CertificatePage(ServerPage):
    """A certificate's public page: valid, revoked, expired or unknown; its holder's copies."""
    TEMPLATE: ClassVar[str] = "certificates/show.html"
    certificate: Any | None
    """The certificate (`id`, `title`, `name`, `issued_at`, `valid_until`, `revoked_at`,
    `revocation_reason`, `outcomes`: `id`, `statement`, `score`), or None when unknown."""
    state: str
    """`valid`, `revoked`, `expired` or `unknown`."""
    certificate_id: str = ""
    """The number asked for (shown when it is unknown)."""
    mine: bool = False
    """Whether the visitor is its holder (or an administrator): they see scores and downloads."""
    legacy: bool = False
    """Whether its digital credential is of the earlier format (the holder may re-sign it)."""
    issuer_name: str = ""
    """The issuing organisation."""
    verify_url: str = ""
    """The page's public address, to share."""
    qualification: str = ""
    """The qualification profile it certifies (its ID when the course is no longer served)."""
    level: str | None = None
    """The profile's level as the profile states it (e.g. `EQF 6`), or None."""
    qualification_url: str = ""
    """The profile's page in the site (its outcomes have anchors `#outcome-ID`), or empty."""
    course_title: str = ""
    """The course that led to it, or empty when the course is no longer served."""
    course_url: str = ""
    """The course's home page, or empty."""
    units: list[dict] = field(default_factory=list)
    """The outcomes certified grouped by the profile's units: `id`, `title` (both empty for
    outcomes in no unit), `outcomes` (`id`, `statement`, `score`)."""


@dataclass(kw_only=True)
class VerifyPage(ServerPage):
    """The form that checks a credential file, and its verdict."""
    TEMPLATE: ClassVar[str] = "certificates/verify.html"
    verdict: Any | None
    """The check's result (`valid`, `status`, `message`, `details`, `credential`), or None
    before a check."""


@dataclass(kw_only=True)
class CertificateDocument(ServerPage):
    """The printable certificate, rendered to PDF (not a web page: it does not extend base.html).
    `title` is the certificate's title."""
    TEMPLATE: ClassVar[str] = "certificate.html"
    lang: str
    """The language it is printed in."""
    name: str
    """The holder's name."""
    issuer_name: str
    """The issuing organisation."""
    profile_title: str
    """The qualification profile it certifies."""
    level: str | None
    """The profile's level, if it states one."""
    outcomes: list[dict]
    """The outcomes achieved: `id`, `statement`, `score`."""
    course_title: str = ""
    """The course that led to it (empty when the course is no longer served)."""
    units: list[dict] = field(default_factory=list)
    """The outcomes grouped by the profile's units: `id`, `title` (both empty for outcomes in
    no unit), `outcomes`."""
    layout: str = "list"
    """How the outcomes are shown: `list`, `compact`, `units` (one line a unit) or `count` (one
    sentence); the PDF takes the first that keeps the certificate on one page."""
    issued: str
    """The date of issue, written out."""
    valid_until: str | None
    """The end of validity, written out, or None."""
    certificate_id: str
    """The certificate's number."""
    verify_url: str
    """The public page that checks it."""
    qr: str = ""
    """A QR code of `verify_url` as an SVG data URI (filled in when the PDF is made)."""


# Administration (admin/_layout.html) --------------------------------------------------------

@dataclass(kw_only=True)
class AdminPage(ServerPage):
    """What every administration page has. The menu (admin/_nav.html) shows the pages the
    signed-in account's role may use (`current_user.role`) and marks the current one."""
    nav_courses: list = field(default_factory=list)
    """Course reports the admin menu links to as well (`id`, `title`); the home lists every one."""


@dataclass(kw_only=True)
class AdminHomePage(AdminPage):
    """The way in: the figures that matter and a link to every admin page the visitor may use."""
    TEMPLATE: ClassVar[str] = "admin/home.html"
    figures: dict | None
    """For admins and trainers (over the learners they may see), else None: `accounts`, `active`
    (learners active in the last seven days), `completions` (courses completed), `certificates`
    (valid), `certificates_week` (issued in the last seven days), `reviews` (assessed work waiting
    for review, or None while no course has assessed work)."""
    courses: list
    """Every course (`id`, `title`), for the links to their reports."""
    my_groups: list
    """A trainer's groups (`id`, `name`); empty for others."""


@dataclass(kw_only=True)
class LearnersPage(AdminPage):
    """Accounts with lessons completed and attempts submitted, filtered."""
    TEMPLATE: ClassVar[str] = "admin/learners.html"
    rows: list
    """(account, lessons completed, graded attempts) per account shown."""
    total: int
    """How many accounts there are."""
    query: str
    """The text filter."""
    limit: int
    """The most rows shown."""
    groups: list
    """Every group (`id`, `name`), for the filter."""
    group_id: int | None
    """The group filtered by, or None."""
    role: str | None
    """The role filtered by, or None."""
    roles: tuple[str, ...]
    """Every role."""


@dataclass(kw_only=True)
class LearnerPage(AdminPage):
    """One account: progress per course, graded attempts, certificates, and the actions on it."""
    TEMPLATE: ClassVar[str] = "admin/learner.html"
    person: Any
    """The account (`id`, `email`, `name`, `role`, `created_at`, `deactivated_at`, `erased_at`)."""
    courses: list[dict]
    """Progress per course, as on the dashboard, with `attempts` (`title` of the quiz, `number`,
    `score`, `max_score`, `passed`, `submitted_at`)."""
    certificates: list
    """The account's certificates (`id`, `title`, `issued_at`, `revoked_at`)."""
    groups: list
    """The groups the account is in (`id`, `name`)."""
    quizzes: list = field(default_factory=list)
    """The graded quizzes with a limit on attempts, for granting extra ones: `value` (what the
    form sends), `title`, `course` (its title), `allowed` (attempts the learner has), `extra`."""
    roles: tuple[str, ...] = ()
    """Every role, for the form that changes it."""
    error: str | None = None
    """Why the last action failed, or None."""
    reset_link: str | None = None
    """A password-reset link just made to be passed on (when mail is not set up), or None."""
    mail_configured: bool = False
    """Whether reset links are sent by e-mail."""


@dataclass(kw_only=True)
class AuditPage(AdminPage):
    """The audit trail: every admin and trainer action, filtered, newest first."""
    TEMPLATE: ClassVar[str] = "admin/audit.html"
    rows: list
    """The entries (`at`, `actor_email`, `actor_name`, `actor_role`, `address`, `action`,
    `target`, `target_user_id`, `details`)."""
    filters: Any
    """The filters (`actor`, `action`, `target`, `since`, `until`: dates or None)."""
    actions: dict[str, str]
    """Every action recorded: name -> its words (translated in the page)."""
    limit: int
    """The most entries shown (the CSV holds every one)."""
    csv_query: str
    """The page's query string, for the CSV link with the same filters."""


@dataclass(kw_only=True)
class GroupsPage(AdminPage):
    """Every group, and the form that makes one."""
    TEMPLATE: ClassVar[str] = "admin/groups.html"
    rows: list
    """(group, member count) per group; a group has `id`, `name`, `created_at`."""
    error: str | None
    """Why making a group failed, or None."""


@dataclass(kw_only=True)
class GroupPage(AdminPage):
    """A group: its members (to remove, and accounts to add), its courses and dates, and the
    form that invites someone into it."""
    TEMPLATE: ClassVar[str] = "admin/group.html"
    group: Any
    """The group (`id`, `name`, `starts_on`, `due_on`)."""
    members: list
    """Its member accounts (`id`, `email`, `name`)."""
    error: str | None
    """Why the last action failed, or None."""
    invitation: str | None
    """The invitation link just made (to copy), or None."""
    query: str = ""
    """The text searched for among the accounts, to add them."""
    candidates: list = field(default_factory=list)
    """Accounts matching `query` not in the group (`id`, `email`, `name`)."""
    courses: list = field(default_factory=list)
    """Every course (`id`, `title`), to tie the group to."""
    chosen: set = field(default_factory=set)
    """The IDs of the group's courses."""
    languages: dict = field(default_factory=dict)
    """Languages an invitation mail can be written in, code -> name."""
    lang: str = "en"
    """The language chosen by default (the admin's)."""
    days: int = 14
    """Days an invitation link stays valid."""
    pending: int = 0
    """Invitations into the group not yet used."""
    trainers: list = field(default_factory=list)
    """The trainers assigned to the group (`id`, `email`, `name`)."""


@dataclass(kw_only=True)
class ImportPage(AdminPage):
    """Enrolling staff from a CSV file: the form, and the rows of the last upload."""
    TEMPLATE: ClassVar[str] = "admin/import.html"
    rows: list | None
    """The rows checked (`line`, `email`, `name`, `group`, `problems`, `existing`: has an account,
    `invite`: the link made, `mailed`, `result`: what was done, in words), or None."""
    error: str | None
    """Why the file could not be read, or None."""
    dry_run: bool
    """Whether the upload only checked the rows."""
    send: bool = True
    """Whether the invitations were (are to be) mailed."""


@dataclass(kw_only=True)
class InvitationsPage(AdminPage):
    """Invitations with their status, to resend, and the links as CSV."""
    TEMPLATE: ClassVar[str] = "admin/invitations.html"
    rows: list
    """(invitation, group or None, expired) per invitation; an invitation has `id`, `email`, `name`,
    `status` (created, sent, opened, registered), `sends`, `error`, `created_at`, `sent_at`,
    `opened_at`, `registered_at`, `expires_at`."""
    group_id: int | None
    """The group shown, or None for all."""
    groups: list
    """Every group (`id`, `name`), for the filter."""


@dataclass(kw_only=True)
class ReportsPage(AdminPage):
    """The downloads: the command line's exports, and each course's report."""
    TEMPLATE: ClassVar[str] = "admin/reports.html"
    exports: dict
    """Name -> (file name, media type, description) of each download."""
    courses: list
    """Every course (`id`, `title`), for its report page."""


@dataclass(kw_only=True)
class CourseReportPage(AdminPage):
    """A course's completion funnel and the item statistics of its graded quizzes."""
    TEMPLATE: ClassVar[str] = "admin/course.html"
    course_title: str
    """The course's title."""
    funnel: list[dict]
    """Per module: `title`, `started`, `completed` (learners)."""
    chart: Any
    """The funnel as an SVG bar chart (markup, already safe)."""
    quizzes: list[dict]
    """Per graded quiz: `title`, `learners`, `flagged` (questions to look at), `questions`
    (`number`, `prompt`, `facility`, `discrimination`, `answered`, `options`: `text`, `correct`,
    `chosen`, and `flags`: the reasons to look at it, in words)."""


@dataclass(kw_only=True)
class AssessedReportPage(AdminPage):
    """A course's assessed work for admins and trainers (services/assessed_reports.py), over the
    learners the visitor may see."""
    TEMPLATE: ClassVar[str] = "admin/assessed.html"
    course_id: str
    """The course's ID (for the report page's link)."""
    course_title: str
    """The course's title."""
    assignments: list[dict]
    """Per assignment: `id`, `title`, `released` (results counted), `statuses` (submissions:
    `draft`, `submitted`, `graded`, `released`), `overdue` (`peer`: learners behind on their
    reviews, each `name`, `done`, `needed`, `due`; `trainer`: trainers' tasks past due;
    `trainer_oldest_due`), `criteria` (per scored criterion: `title`, `kind`, `results`, `bins`
    of `label` and `count`, `mean` share or None), `agreement` (`criteria`: `title`, `pairs`,
    `agreed` share or None; `reviewers`: `name`, `ratings`, `bias`, a share of the points)."""
    scoped: bool
    """Whether the figures are those of the visitor's groups only (a trainer)."""


@dataclass(kw_only=True)
class CertificatesPage(AdminPage):
    """Every certificate issued, its status, and a link to revoke each valid one."""
    TEMPLATE: ClassVar[str] = "admin/certificates.html"
    rows: list
    """The latest certificates (`id`, `title`, `name`, `issued_at`, `revoked_at`,
    `revocation_reason`, `revocation_note`: the private note, for administrators only)."""
    error: str | None
    """Why the last revocation failed, or None."""


@dataclass(kw_only=True)
class SsoProvidersPage(AdminPage):
    """The identity providers accounts sign in with (server/sso/admin_views.py): each with its
    redirect URI and enrolment rule, a form to add one."""
    TEMPLATE: ClassVar[str] = "admin/sso.html"
    providers: list[dict]
    """Per provider: `name`, `slug`, `issuer`, `client_id`, `redirect_uri` (to register at the
    provider), `claim` and `rules` (the enrolment rule: a claim, and `VALUE = GROUP` lines),
    `accounts` (how many accounts it signs in), `secret` (whether it has a client secret: never
    the secret itself, which is kept encrypted)."""
    groups: list[str]
    """The groups' names, for the enrolment rules."""
    error: str | None
    """Why the last change failed, or None."""
    form: dict[str, str]
    """What the add form is filled with (`name`, `issuer`, `client_id`)."""
    public_url: bool
    """Whether BROKERLEARN_PUBLIC_URL is set (without it no provider can be used)."""
    password_signin: bool
    """Whether password sign-in is on (BROKERLEARN_PASSWORD_SIGNIN)."""


@dataclass(kw_only=True)
class RevokePage(AdminPage):
    """The confirmation step of a revocation: what is revoked, that the reason is published,
    the public reason (required) and the private note (optional)."""
    TEMPLATE: ClassVar[str] = "admin/revoke.html"
    certificate: Any
    """The certificate (`id`, `title`, `name`, `issued_at`, `course_id`)."""
    reason: str = ""
    """The public reason typed so far."""
    note: str = ""
    """The private note typed so far."""
    error: str | None = None
    """Why nothing was revoked yet, or None."""


# LTI 1.3 (server/lti/) ------------------------------------------------------------------------

@dataclass(kw_only=True)
class LtiLaunchedPage(ServerPage):
    """A checked launch, shown inside the platform's iframe: the page's script opens the
    activity in the frame once the session is there (a partitioned cookie, lti/framing.py);
    where the browser refused it, a link opens the activity in a window of its own."""
    TEMPLATE: ClassVar[str] = "lti/launched.html"
    name: str
    """The launched account's name (or e-mail address)."""
    enter_url: str
    """The one-time link (to a confirmation page) that opens the activity in a new window."""
    target: str = "/"
    """The activity's path on this server, opened in the frame."""


@dataclass(kw_only=True)
class LtiEnterPage(ServerPage):
    """The one-time link opened in a first-party window: whom it signs in, from which
    platform, and the button (a POST with the CSRF token) that does it."""
    TEMPLATE: ClassVar[str] = "lti/enter.html"
    name: str
    """The account's name (or e-mail address)."""
    platform: str
    """The platform's name, or empty."""


@dataclass(kw_only=True)
class LtiPickerPage(ServerPage):
    """Deep Linking: the teacher picks what to add to the LMS course (shown in its iframe)."""
    TEMPLATE: ClassVar[str] = "lti/picker.html"
    courses: list
    """Per course: `title` and `targets`, each with `key`, `kind` (course, module, lesson,
    quiz, assignment), `title` and `graded`."""
    settings: str
    """The signed request of the platform, sent back with the choice."""
    multiple: bool
    """Whether the platform takes several items at once (checkboxes, else radio buttons)."""
    error: str | None = None
    """Why nothing was sent yet, or None."""


@dataclass(kw_only=True)
class LtiReturnPage(ServerPage):
    """The signed answer going back to the platform: a form its script submits at once."""
    TEMPLATE: ClassVar[str] = "lti/return.html"
    action: str
    """The platform's URL the form posts to."""
    fields: dict
    """The form's hidden fields (name -> value): `JWT` for deep linking."""


@dataclass(kw_only=True)
class LtiRegisteredPage(ServerPage):
    """LTI Dynamic Registration finished: the platform's window is told to close the dialog."""
    TEMPLATE: ClassVar[str] = "lti/registered.html"
    platform: str
    """The platform's name or issuer."""


@dataclass(kw_only=True)
class LtiAdminPage(AdminPage):
    """The LMS platforms (LTI 1.3) and what to paste into them."""
    TEMPLATE: ClassVar[str] = "admin/lti.html"
    platforms: list
    """Every registered platform (`id`, `name`, `issuer`, `client_id`, `deployment_ids`,
    `auth_login_url`, `auth_token_url`, `keyset_url`)."""
    tool: dict
    """The tool's URLs: `login`, `launch`, `jwks`, `config`, `domain`."""
    moodle: dict
    """Moodle's tool form: field label -> value to paste."""
    registration_url: str
    """The dynamic-registration URL to give a platform (valid for seven days)."""
    form: dict = field(default_factory=dict)
    """The values of the add form typed so far."""
    error: str | None = None
    """Why the last change failed, or None."""


PAGES = [DashboardPage, MessagePage, RegisterPage, LoginPage, ResetRequestPage, ResetPage, SettingsPage,
         UnavailablePage, CertificatePage, VerifyPage, CertificateDocument, AdminHomePage, AssessedReportPage, LearnersPage, LearnerPage,
         AuditPage, GroupsPage, GroupPage, ImportPage, CourseReportPage, CertificatesPage, RevokePage,
         InvitationsPage, ReportsPage, LtiLaunchedPage, LtiEnterPage, LtiPickerPage, LtiReturnPage,
         LtiRegisteredPage, LtiAdminPage]
"""Every page context of the server."""
PAGES += [SsoLinkPage, SsoEmergencyPage, SsoProvidersPage]  # single sign-on (server/sso/)


# Assessed work: the trainers' queue and the grading page (issue 18, server/grading.py) ---------

@dataclass(kw_only=True)
class GradingQueuePage(AdminPage):
    """One queue of assessed work across courses and groups, by due date: for admins everyone's,
    for trainers their groups' learners'; and the graded results waiting to be released."""
    TEMPLATE: ClassVar[str] = "admin/grading_queue.html"
    items: list
    """The open tasks (services/trainer_queue.Item): `task` (`id`, `reason`, `queued_at`),
    `learner` (`name`, `email`), `course_title`, `assignment_title`, `due_at` (or None),
    `overdue`, `holder` (the account whose claim is live, or None) and `mine`."""
    releasable: list
    """Per assignment with graded, unreleased results the viewer may release: `course`,
    `assignment` (IDs), `course_title`, `assignment_title`, `count` and `results` (`task`, the
    task's ID for its page; `learner`, the name; `score`, `max_score`, `passed`)."""
    groups: list
    """The groups the viewer may release for (`id`, `name`)."""
    everyone: bool
    """Whether the viewer may release for every learner at once (an admin)."""
    reasons: dict[str, str]
    """Why a task is in the queue: reason -> its words."""


@dataclass(kw_only=True)
class GradingPage(AdminPage):
    """One submission to grade: the work (sanitized text, files), the peers' figures beside each
    criterion (reviewers anonymous), the rubric as radio buttons, the comment bank, and the
    claim that keeps two trainers from grading it at once."""
    TEMPLATE: ClassVar[str] = "admin/grading.html"
    task: Any
    """The queue's task (`id`, `reason`, `due_at`, `done_at`)."""
    learner: Any
    """The submitter (`id`, `name`, `email`)."""
    submission: dict
    """The submission as the API gives it: `attempt`, `text_html` (sanitized), `words`,
    `submitted_at`, `files` (`name`, `kind`, `size`, `url`)."""
    course_title: str
    """The course's title."""
    assignment: Any
    """The assignment (`id`, `title`, `pass_mark`, `peer_weight`, `rubric` with `criteria`)."""
    rows: list
    """Per criterion: `criterion` (`id`, `title`, `kind`, `description`, `levels` with `id`,
    `title`, `descriptor`, `points`; `max_points`, `items`, `expected`), `rating` (what the
    form holds: `level` | `points` | `checks`, `comment`), `figure` (the peers' `count`, `median`,
    `spread`, `wide`, or None), `peer_level` (the title of the median's level, or None) and
    `bank` (the trainer's saved comments for it: `id`, `text`)."""
    reviews: list
    """The finished peer reviews, anonymous: `label` ("Reviewer 1"), `id`, `ratings` (per
    criterion title, what was given, in words), `comment`, `set_aside_reason`."""
    disagreement: list[str]
    """Why the peers disagree widely, in words (empty: they do not)."""
    claim: str
    """`mine` (the form is open), `free` (claim it first), `lapsed` (another's claim lapsed: take
    over), `held` (another trainer grades it now) or `done` (graded)."""
    holder: str
    """The name of whoever holds the claim (for `held` and `lapsed`)."""
    result: Any
    """The saved result (`score`, `max_score`, `passed`, `method`, `released_at`, `criteria`), or None."""
    feedback: str
    """The overall comment in the form."""
    focus: str | None = None
    """The criterion whose comment field takes the focus (after inserting from the bank)."""
    error: str | None = None
    """Why the last action failed, or None."""
    peers_weighted: bool = False
    """Whether the peers' median counts toward the score (a weight, and they passed practice)."""
    self_review: dict | None = None
    """The learner's own self-review, as `reviews` give one (`label`, `ratings`, `comment`), or None."""


PAGES += [GradingQueuePage, GradingPage]
