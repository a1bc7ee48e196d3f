"""The extraction engine: spaCy parse, then numbered rule stages over the Doc."""
