from brokerlearn.compiler.pipeline import build


def test_example_course_builds(example_course, tmp_path):
    out = tmp_path / "out"
    result = build(example_course.parent, out, show_progress=False)
    assert not result.diagnostics.errors
    site = out / "site"
    assert (site / "index.html").is_file()
    assert (site / "example" / "finding-partners" / "cooperation-profiles" / "index.html").is_file()
    assert (out / "server" / "example.json").is_file()
