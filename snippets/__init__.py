"""The talk's code: one module per idea shown on a slide.

Run any of them with ``python -m snippets.NAME`` (``--help`` says what it takes).
"""
