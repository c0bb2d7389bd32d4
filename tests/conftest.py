import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

# Each folder there is a student's submission (graded by test_grade.py and test_hostile.py),
# with test files and even a conftest.py of its own: none of it is collected here.
collect_ignore = ["submissions", "hostile"]
