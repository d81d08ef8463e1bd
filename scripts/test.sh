#!/usr/bin/env bash
# The test command: installs what the tests need, then runs lint, type checks and the test suite
# on SQLite and on a real PostgreSQL server. Fails (never skips) if the PostgreSQL tests did not run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip >/dev/null
.venv/bin/pip install -q -e '.[test]'
bash scripts/ensure-postgres.sh
# The browser tests drive Debian's Chromium (Chinese pages need CJK fonts); the PDF tests render
# pages with poppler (pdftoppm, pdftotext, pdffonts) and WeasyPrint lays them out with Pango.
# They fail, never skip.
if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1 \
  || ! command -v pdftoppm >/dev/null 2>&1 || ! dpkg -s libpango-1.0-0 >/dev/null 2>&1; then
  apt-get update && apt-get install -y chromium fonts-noto-cjk poppler-utils libpango-1.0-0 libpangoft2-1.0-0
fi
timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --dump-dom about:blank >/dev/null 2>&1 \
  || { echo "headless Chromium does not start: the browser tests cannot run" >&2; exit 1; }

echo "== lint and format (ruff)"
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
echo "== types (mypy)"
.venv/bin/mypy
echo "== tests (pytest, SQLite and PostgreSQL)"
mkdir -p test-artifacts
status=0
.venv/bin/python -m pytest -n 2 --junitxml=test-artifacts/junit.xml "$@" || status=$?
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
.venv/bin/python scripts/check_backends.py test-artifacts/junit.xml
