"""brokerlearn as an LTI 1.3 Advantage tool (issue 22): platforms and the tool's configuration
(registration.py), the key pair (keys.py), login and launch (launch.py), Deep Linking
(deep_linking.py), grades to the gradebook (ags.py) and rosters (nrps.py), over HTTP through
oauth.py; the endpoints in views.py. Protocol work is joserfc's (JOSE) and requests'."""
from __future__ import annotations


def init_app(app) -> None:
    from brokerlearn.server.lti import framing
    from brokerlearn.server.lti.views import bp
    app.register_blueprint(bp)
    framing.init_app(app)
