"""Deep Linking 2.0: the teacher picks a course, module, lesson, graded quiz or assignment and
it goes back to the platform as a signed LtiDeepLinkingResponse of ltiResourceLink items (with
a lineItem for the graded ones, so the platform makes a gradebook column).

The picker is shown inside the platform's iframe, where no session cookie reaches us: what the
platform asked (its return URL, `data`, the deployment) travels in a signed, short-lived form
field instead, and that signature is what makes the picker's POST trustworthy."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from brokerlearn.server.language import gettext as _
from brokerlearn.server.lti.keys import sign
from brokerlearn.server.lti.launch import CLAIM, DL_CLAIM, Launch, LaunchRefused

SALT = "brokerlearn-lti-deep-linking"
MAX_AGE = 3600


@dataclass(frozen=True)
class Target:
    """One thing a teacher may pick."""
    key: str  # "lesson:example/m1/l1": what the picker's form sends back
    kind: str  # course | module | lesson | quiz | assignment
    course: str  # the course's title
    title: str
    path: str  # the page on this server
    graded: bool = False
    item: str = ""  # "quiz:COURSE/QUIZ" or "assignment:COURSE/ID" for graded ones


def _page(url: str) -> str:
    return "/" + url.removesuffix("index.html")


def targets(courses) -> list[Target]:
    found = []
    for course in courses:
        found.append(Target(f"course:{course.id}", "course", course.title, course.title, f"/{course.id}/"))
        for module in course.modules:
            found.append(Target(f"module:{course.id}/{module.slug}", "module", course.title, module.title,
                                _page(module.url)))
            for lesson in module.lessons:
                found.append(Target(f"lesson:{course.id}/{lesson.id}", "lesson", course.title, lesson.title,
                                    _page(lesson.url)))
            for ref in module.quizzes:
                quiz = course.quiz(ref.id)
                if quiz is not None and quiz.graded and ref.url:
                    found.append(Target(f"quiz:{course.id}/{quiz.id}", "quiz", course.title, quiz.title,
                                        _page(ref.url), True, f"quiz:{course.id}/{quiz.id}"))
            for assignment in getattr(course, "assignments", {}).values():
                if assignment.module == module.slug:
                    found.append(Target(f"assignment:{course.id}/{assignment.id}", "assignment", course.title,
                                        assignment.title, _page(module.url), True,
                                        f"assignment:{course.id}/{assignment.id}"))
    return found


def settings_token(secret: str, launch: Launch, user_id: int) -> str:
    settings = launch.claims.get(DL_CLAIM) or {}
    if not settings.get("deep_link_return_url"):
        raise LaunchRefused(_("The deep-linking request has no return URL."))
    if not launch.teaching:
        raise LaunchRefused(_("Only the course's teachers may add activities."))
    return URLSafeTimedSerializer(secret, salt=SALT).dumps({
        "platform": launch.platform.id, "deployment": launch.claims[CLAIM + "deployment_id"],
        "return_url": settings["deep_link_return_url"], "data": settings.get("data"),
        "multiple": bool(settings.get("accept_multiple", True)), "user": user_id})


def read_settings(secret: str, token: str) -> dict:
    try:
        return URLSafeTimedSerializer(secret, salt=SALT).loads(token or "", max_age=MAX_AGE)
    except BadSignature:
        raise LaunchRefused(_("The picker has expired: open it again from your course.")) from None


def content_item(target: Target, launch_url: str) -> dict:
    item = {"type": "ltiResourceLink", "title": target.title, "url": launch_url,
            "custom": {"brokerlearn_target": target.path}}
    if target.graded:
        item["custom"]["brokerlearn_item"] = target.item
        item["lineItem"] = {"scoreMaximum": 100, "label": target.title, "resourceId": target.item,
                            "tag": target.kind}
    return item


def response_jwt(instance: Path, platform, settings: dict, chosen: list[Target], launch_url: str) -> str:
    now = int(time.time())
    claims = {"iss": platform.client_id, "aud": [platform.issuer], "iat": now, "exp": now + 600,
              "nonce": uuid.uuid4().hex, "azp": platform.client_id,
              CLAIM + "deployment_id": settings["deployment"],
              CLAIM + "message_type": "LtiDeepLinkingResponse", CLAIM + "version": "1.3.0",
              "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [content_item(t, launch_url) for t in chosen]}
    if settings.get("data") is not None:
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] = settings["data"]
    return sign(instance, claims)
