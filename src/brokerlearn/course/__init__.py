"""The course model and its loading: the one definition of a course both halves read."""
from brokerlearn.course.loader import load_course, load_courses
from brokerlearn.course.model import Course, Lesson, Module

__all__ = ["Course", "Lesson", "Module", "load_course", "load_courses"]
