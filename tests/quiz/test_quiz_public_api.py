import mlprep.quiz


def test_public_surface_is_pinned():
    assert sorted(mlprep.quiz.__all__) == [
        "ProgressStore", "Rated", "Reviewer", "Session", "Summary", "Terminal", "TtyTerminal",
        "answer_hash", "build_queue", "default_db_path", "make_scheduler", "matching",
        "open_store", "open_terminal", "rating_for", "utc_now",
    ]  # fmt: skip
    for name in mlprep.quiz.__all__:
        assert hasattr(mlprep.quiz, name)
