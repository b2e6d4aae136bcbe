"""`::: video NAME`: a video of the course's media/ folder (NAME.mp4 with its sidecar NAME.yml)."""
from __future__ import annotations

from brokerlearn.compiler.activities import Activity, Placement
from brokerlearn.compiler.video.player import player_view
from brokerlearn.course.decisions import check_decision_times
from brokerlearn.course.schema_types import did_you_mean


def view(place: Placement) -> dict | None:
    course, name = place.course, place.embed.name
    if name not in course.videos:
        place.error(f"unknown video '{name}': add media/{name}.mp4 with its sidecar media/{name}.yml"
                    f"{did_you_mean(name, course.videos)}")
        return None
    video = course.videos[name]
    player = player_view(course, video, place.page_url, place.index)
    if not player:
        return None  # no player until the video is converted
    check_decision_times(video, player["duration"], video.sidecar.pos.path, place.diags)
    return {"video": player}


ACTIVITY = Activity(kind="video", container="video", template="video.html", view=view, order=10,
                    reference="| a video | `::: video NAME` then `:::` on the next line: the video `media/NAME.*` |")
