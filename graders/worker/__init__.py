"""The grading worker: runs next to a submission, in the sandbox, and returns plain numbers.

This package imports nothing from the rest of tapegrade, so it can be copied alone into a
sandbox that sees neither the graders, the fixtures nor the reference.
"""
