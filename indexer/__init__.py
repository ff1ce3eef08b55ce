"""Indexing stage: from the corpus files to an index directory on disk."""
