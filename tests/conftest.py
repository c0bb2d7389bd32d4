import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

# Each folder there is a student's submission, graded by test_grade.py, not collected here.
collect_ignore = ["submissions"]
