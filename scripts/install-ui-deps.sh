#!/usr/bin/env bash
# Install what the browser tests (pytest -m ui) need, on a fresh Debian machine; safe to re-run.
#   - Debian's Chromium and chromedriver: Playwright's own browser downloads are not
#     reachable here, so the tests drive /usr/bin/chromium.
#   - Playwright for Python into the project venv (.venv, made by `make install`): the `ui` extra.
# Runs as root in CI; elsewhere apt-get goes through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "install-ui-deps: no .venv here; run 'make install' first" >&2
    exit 1
fi
if ! .venv/bin/python -c "import playwright.sync_api" 2>/dev/null; then
    if [ -x .venv/bin/uv ]; then
        .venv/bin/uv pip install --quiet --python .venv/bin/python -e ".[ui]"
    else
        .venv/bin/python -m pip install --quiet -e ".[ui]"
    fi
fi

# The Debian launcher script prints a harmless shell warning on some machines; keep the version line.
/usr/bin/chromium --version 2>/dev/null
.venv/bin/python -c "from importlib.metadata import version; print('playwright', version('playwright'))"
