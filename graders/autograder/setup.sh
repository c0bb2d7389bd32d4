#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: the grader's
# sandbox (bubblewrap), Python 3.11 or newer, and the grader with CPU-only torch in a venv.
set -euo pipefail
ROOT="${TAPEGRADE_AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive

apt-get update -qq
apt-get install -y -qq bubblewrap >/dev/null

# Gradescope's Ubuntu 22.04 image has Python 3.10; the grader needs 3.11 or newer.
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  PYTHON=python3
  apt-get install -y -qq python3-venv >/dev/null
else
  apt-get install -y -qq python3.11 python3.11-venv >/dev/null
  PYTHON=python3.11
fi

"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install -q --upgrade pip
# The CPU build of torch: Gradescope's machines have no GPU, and it is a tenth of the size.
"$ROOT/venv/bin/pip" install -q --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
"$ROOT/venv/bin/pip" install -q -e "$ROOT/source"
