"""The example course, built now, is the stored tree in tests/golden/example/ (see
tests/golden_site.py). A difference is either a mistake or a change to accept with
`bash scripts/golden`, reviewed in the commit's diff."""
from golden_site import build_example, differences, snapshot, stored


def test_the_example_course_builds_to_the_stored_tree(tmp_path):
    build_example(tmp_path / "out")
    report = differences(stored(), snapshot(tmp_path / "out"))
    assert not report, ("the build differs from tests/golden/example/ (run `bash scripts/golden` to accept "
                        "it on purpose):\n\n" + "\n\n".join(report))


def test_a_changed_page_is_reported_with_its_lines(tmp_path):
    expected = {"site/a.html": "<p>one</p>\n<p>two</p>\n", "site/gone.js": "x\n"}
    actual = {"site/a.html": "<p>one</p>\n<p>2</p>\n", "site/new.css": "y\n"}
    report = "\n".join(differences(expected, actual))
    assert "missing from the build: site/gone.js" in report
    assert "new in the build: site/new.css" in report
    assert "-<p>two</p>" in report and "+<p>2</p>" in report
