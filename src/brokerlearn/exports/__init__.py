"""The standard formats brokerlearn writes for other systems, in one place: CSV tables
(tables.py), xAPI statements and their sending to a learning record store (xapi.py, lrs.py), and
SCORM 1.2 packages (scorm.py).

Each is a pure writer over plain records and the course's manifest objects
(brokerlearn.course.manifest): no database, no Flask, no compiler. The server's queries that
feed them are in server/services/reports.py; the step that builds a course for a SCORM package
is compiler/scorm.py.
"""
