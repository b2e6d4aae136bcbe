"""Simulated learners for Locust (bench/README.md, "Capacity in learners"): each signs in, then
reads lessons (the page, and what its script asks the server: the session, the course's
progress, a lesson_viewed event; the theme's files once, as a browser caches them for an hour)
every 30 to 90 s, watches a lesson's video now and then (a video_progress event every 20 s),
answers a practice question, marks the lesson complete, and now and then sits the graded
quiz (start, submit).

    BL_BUILD=build locust -f bench/learners.py --headless -u 1000 -r 20 -t 3m \
        --host http://127.0.0.1:8000 --csv out/learners

Accounts learner0@bench.invalid ... must exist with the password in BL_PASSWORD;
bench/capacity.py makes them, starts the server and runs this file.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from pathlib import Path

from locust import FastHttpUser, between, events, task

PASSWORD = os.environ.get("BL_PASSWORD", "benchmark password")
BUILD = Path(os.environ.get("BL_BUILD", "build"))
COURSE = os.environ.get("BL_COURSE", "example")
QUIZ = os.environ.get("BL_QUIZ", "m2-assessment")
GRADED_SHARE = float(os.environ.get("BL_GRADED_SHARE", "0.05"))  # of lesson visits
VIDEO_SHARE = float(os.environ.get("BL_VIDEO_SHARE", "0.3"))
PRACTICE_SHARE = float(os.environ.get("BL_PRACTICE_SHARE", "0.3"))
ASSETS = ["/_static/brokerlearn.css", "/_static/i18n.js", "/_static/question-types.js", "/_static/quiz.js",
          "/_static/server.js", "/_static/video.js"]
_numbers = itertools.count()
_manifest = json.loads((BUILD / "server" / f"{COURSE}.json").read_text())
LESSONS = [(f"{module['slug']}/{lesson['slug']}", "/" + lesson["url"].removesuffix("index.html"))
           for module in _manifest["modules"] for lesson in module["lessons"]]
VIDEOS = list(_manifest["videos"])
PRACTICE = [quiz["id"] for module in _manifest["modules"] for quiz in module.get("quizzes", [])
            if quiz.get("mode") == "practice"]


def _answers() -> str:
    questions = {q["id"]: q for q in _manifest["quizzes"][QUIZ]["questions"]}
    return json.dumps({"answers": {
        "q1": True, "q2": [o["id"] for o in questions["q2"]["options"] if o["correct"]], "q3": "25",
        "q4": "capacity", "q5": [i["id"] for i in questions["q5"]["items"]],
        "q6": {p["left_id"]: p["right_id"] for p in questions["q6"]["pairs"]}, "q7": "A date for the next step."}})


ANSWERS = _answers() if QUIZ in _manifest["quizzes"] else None


class Learner(FastHttpUser):
    wait_time = between(30, 90)  # reading the lesson, before the next one

    def on_start(self):
        self.number = next(_numbers)
        self.csrf = self._session()["csrf_token"]
        with self.client.post("/account/login", data={"email": f"learner{self.number}@bench.invalid",
                                                      "password": PASSWORD, "csrf_token": self.csrf},
                              allow_redirects=False, catch_response=True, name="sign in") as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")
        self.csrf = self._session()["csrf_token"]
        for asset in ASSETS:  # once: the browser keeps them for an hour (Cache-Control)
            self.client.get(asset, name="theme file")

    def _session(self) -> dict:
        with self.client.get("/api/session", name="/api/session", catch_response=True) as response:
            try:
                return response.json()
            except Exception:  # noqa: BLE001 - counted as a failure, the learner goes on
                response.failure("not JSON")
                return {"csrf_token": ""}

    def _events(self, kind: str, item: str, value: float | None = None, name: str | None = None) -> None:
        event = {"event_id": uuid.uuid4().hex, "course": COURSE, "kind": kind, "item": item}
        if value is not None:
            event["value"] = value
        self.client.post("/api/progress", json={"events": [event]}, headers={"X-CSRFToken": self.csrf},
                         name=name or f"progress: {kind}")

    @task
    def lesson(self):
        lesson_id, url = random.choice(LESSONS)
        self.client.get(url, name="lesson page")
        self._session()
        self.client.get(f"/api/progress/{COURSE}", name="/api/progress/<course>")
        self._events("lesson_viewed", lesson_id, value=random.randint(30, 90))
        if VIDEOS and random.random() < VIDEO_SHARE:
            video = random.choice(VIDEOS)
            for share in (0.25, 0.5, 0.75, 1.0):  # about a minute of video: an event every 20 s
                self._sleep(20)
                self._events("video_progress", video, value=share)
        if PRACTICE and random.random() < PRACTICE_SHARE:
            self._events("practice_answered", f"{random.choice(PRACTICE)}/q1", value=1)
        self._events("lesson_completed", lesson_id)
        if ANSWERS and random.random() < GRADED_SHARE:
            self._graded()

    def _graded(self):
        path = f"/api/quizzes/{COURSE}/{QUIZ}/attempts"
        with self.client.post(path, json={}, headers={"X-CSRFToken": self.csrf}, name="graded: start",
                              catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"start answered {response.status_code}")
                return
            attempt = response.json()["id"]
        self.client.post(f"{path}/{attempt}", data=ANSWERS, name="graded: submit",
                         headers={"X-CSRFToken": self.csrf, "Content-Type": "application/json"})

    def _sleep(self, seconds: float) -> None:
        import gevent
        gevent.sleep(seconds)


SETTLE = float(os.environ.get("BL_SETTLE", "0"))


@events.spawning_complete.add_listener
def _reset_after_settling(user_count, **_kwargs):
    """The figures are of the steady part: once all learners have signed in and BL_SETTLE seconds
    more have passed (their first pages loaded), the statistics start again."""
    if SETTLE > 0:
        import gevent
        from locust import runners
        gevent.spawn_later(SETTLE, lambda: runners.locust_runner_environment_stats_reset())


@events.init.add_listener
def _remember_environment(environment, **_kwargs):
    from locust import runners
    runners.locust_runner_environment_stats_reset = environment.stats.reset_all


@events.quitting.add_listener
def _summary(environment, **_kwargs):
    stats = environment.stats.total
    print(json.dumps({"users": environment.runner.user_count if environment.runner else None,
                      "requests": stats.num_requests, "failures": stats.num_failures,
                      "rps": round(stats.total_rps, 1), "p50_ms": stats.get_response_time_percentile(0.5),
                      "p99_ms": stats.get_response_time_percentile(0.99),
                      "load": os.getloadavg()}), flush=True)
