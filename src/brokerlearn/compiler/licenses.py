"""SPDX licence identifiers to the names and deeds shown on pages."""
from __future__ import annotations

_KNOWN = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0 International", "CC BY 4.0",
                  "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("Creative Commons Attribution-ShareAlike 4.0 International", "CC BY-SA 4.0",
                     "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC-BY-NC-4.0": ("Creative Commons Attribution-NonCommercial 4.0 International", "CC BY-NC 4.0",
                     "https://creativecommons.org/licenses/by-nc/4.0/"),
    "CC-BY-NC-SA-4.0": ("Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International",
                        "CC BY-NC-SA 4.0", "https://creativecommons.org/licenses/by-nc-sa/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0 Universal", "CC0 1.0",
                "https://creativecommons.org/publicdomain/zero/1.0/"),
}


def license_info(spdx_id: str) -> dict:
    name, short, url = _KNOWN.get(spdx_id, (spdx_id, spdx_id, f"https://spdx.org/licenses/{spdx_id}.html"))
    return {"id": spdx_id, "name": name, "short": short, "url": url}
