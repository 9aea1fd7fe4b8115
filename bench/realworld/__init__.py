"""Quality and speed on real pages: ``../shared/realworld`` (Readability's test pages, trafilatura's evaluation set)."""
