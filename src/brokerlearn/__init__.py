"""brokerlearn: compile YAML and Markdown courses into a static site, and serve them."""

__version__ = "0.1.0"
