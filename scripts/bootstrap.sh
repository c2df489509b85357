#!/usr/bin/env bash
# Install everything the project needs into ./.venv (idempotent). Used by the README commands and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "bootstrap: Python 3.11 or newer is required (found $("$PYTHON" --version 2>&1))" >&2
    exit 1
fi
# A Japanese font for the report's charts (Debian's IPA Gothic), installed when missing.
if ! fc-list 2>/dev/null | grep -qi "IPAGothic\|IPAexGothic\|Noto Sans CJK"; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bootstrap: installing a Japanese font (fonts-ipafont-gothic)" >&2
        (apt-get install -y -qq fonts-ipafont-gothic >/dev/null 2>&1 \
            || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq fonts-ipafont-gothic >/dev/null 2>&1)) \
            || echo "bootstrap: could not install fonts-ipafont-gothic: Japanese names in charts will not render" >&2
    else
        echo "bootstrap: no Japanese font found; install fonts-ipafont-gothic for the report's charts" >&2
    fi
fi
if [ ! -x .venv/bin/python ]; then
    echo "bootstrap: creating .venv" >&2
    "$PYTHON" -m venv .venv
fi
echo "bootstrap: installing tokyo-condo-tracker and its dev tools into .venv" >&2
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
