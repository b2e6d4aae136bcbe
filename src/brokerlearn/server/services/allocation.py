"""Which submission a peer reviews next (issue 18, item 4): a pure function over submissions and
reviews, so that it can be tested over a simulated cohort and used by any store.

Reviews are handed out on demand, one at a time: of the submissions that still need reviews,
the one with the fewest reviews (finished, or leased and not yet expired) first, the oldest
first among equals; never the reviewer's own, never one they have already reviewed or hold.
A lease lasts `LEASE` (a review not finished by then goes back to the queue). Early submitters
find nobody to review yet (`next_review` gives None): they practise on the trainer's examples
meanwhile. A submission still short of its reviews `days` after it was submitted (a setting,
default `STRANDED_AFTER_DAYS`) is the trainer's (`stranded`), and is handed out no more.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

LEASE = timedelta(hours=24)
STRANDED_AFTER_DAYS = 5


@dataclass(frozen=True)
class Work:
    id: int
    author: int
    submitted_at: datetime


@dataclass(frozen=True)
class Review:
    work: int
    reviewer: int
    started_at: datetime
    finished: bool = False


def _live(review: Review, now: datetime, lease: timedelta) -> bool:
    return review.finished or review.started_at + lease > now


def review_counts(works: list[Work], reviews: list[Review], now: datetime, lease: timedelta = LEASE) -> dict[int, int]:
    """Reviews each submission has or is being given (finished, or leased and not expired)."""
    counts = {work.id: 0 for work in works}
    for review in reviews:
        if review.work in counts and _live(review, now, lease):
            counts[review.work] += 1
    return counts


def stranded(works: list[Work], reviews: list[Review], now: datetime, target: int,
             days: int = STRANDED_AFTER_DAYS) -> list[Work]:
    """Submissions with fewer than `target` finished reviews `days` after submission: the trainer's."""
    finished = {work.id: 0 for work in works}
    for review in reviews:
        if review.finished and review.work in finished:
            finished[review.work] += 1
    due = timedelta(days=days)
    return [w for w in works if finished[w.id] < target and w.submitted_at + due <= now]


def next_review(reviewer: int, works: list[Work], reviews: list[Review], now: datetime, target: int,
                days: int = STRANDED_AFTER_DAYS, lease: timedelta = LEASE) -> Work | None:
    """The submission `reviewer` should review now, or None when there is none to give."""
    counts = review_counts(works, reviews, now, lease)
    mine = {r.work for r in reviews if r.reviewer == reviewer and _live(r, now, lease)}
    held = {r.work for r in reviews if r.reviewer == reviewer}  # finished, held or expired: not again
    trainers = {w.id for w in stranded(works, reviews, now, target, days)}
    candidates = [w for w in works if w.author != reviewer and w.id not in held and w.id not in mine
                  and w.id not in trainers and w.submitted_at <= now and counts[w.id] < target]
    if not candidates:
        return None
    return min(candidates, key=lambda w: (counts[w.id], w.submitted_at, w.id))
