#!/usr/bin/env bash
# Install everything, then lint, type-check and run the whole test suite. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
# What the tests need from the system, installed with Debian's apt when missing (as root), or named:
# headless Chromium for the report test, PostgreSQL 15's server binaries for the tests on PostgreSQL
# (each test starts its own server on a temporary folder and a local port; none is left running).
need_package() {  # need_package PACKAGE WHAT-FOR TEST-COMMAND...
    local package="$1" what="$2"
    shift 2
    if "$@" >/dev/null 2>&1; then
        return
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "test: installing Debian's $package ($what)" >&2
        (apt-get install -y -qq "$package" >/dev/null 2>&1 \
            || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$package" >/dev/null 2>&1)) \
            || echo "test: could not install $package: $what will fail under CI=true" >&2
    else
        echo "test: $what needs $package (sudo apt-get install $package); those tests skip, or fail under CI=true" >&2
    fi
}
need_package chromium "the report test" command -v chromium
need_package postgresql-15 "the PostgreSQL tests" test -x /usr/lib/postgresql/15/bin/initdb
echo "== ruff" >&2
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy" >&2
.venv/bin/mypy
echo "== pytest" >&2
.venv/bin/pytest "$@"
