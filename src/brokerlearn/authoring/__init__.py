"""Tools for people who write courses: scaffolding, the live preview and the storyboard renderer."""
