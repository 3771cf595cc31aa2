#!/usr/bin/env bash
# install-benji017.sh VENV_DIR
# Create a Python venv at VENV_DIR and install benji 0.17.0 with zstd
# compression support (the "compression" extra). Idempotent: does nothing if
# a working benji 0.17.0 with zstandard is already present in VENV_DIR.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 VENV_DIR" >&2
    exit 2
fi
VENV_DIR=$1
PYTHON=${PYTHON:-python3}

CHECK_PY='
from importlib.metadata import version
assert version("benji") == "0.17.0", version("benji")
import zstandard      # needed by the zstd transform
import pkg_resources  # imported by benji.config at runtime
'

is_installed() {
    [ -x "$VENV_DIR/bin/benji" ] && [ -x "$VENV_DIR/bin/python" ] || return 1
    "$VENV_DIR/bin/python" -c "$CHECK_PY" >/dev/null 2>&1 || return 1
    "$VENV_DIR/bin/benji" --help >/dev/null 2>&1 || return 1
}

if is_installed; then
    echo "benji 0.17.0 already installed in $VENV_DIR, skipping"
    exit 0
fi

if [ ! -x "$VENV_DIR/bin/python" ]; then
    "$PYTHON" -m venv "$VENV_DIR"
fi
PIP=("$VENV_DIR/bin/python" -m pip --disable-pip-version-check --no-input)
# Don't read or write the user's pip cache unless the caller set one explicitly.
if [ -z "${PIP_CACHE_DIR:-}" ]; then export PIP_NO_CACHE_DIR=1; fi

# benji 0.17.0 imports pkg_resources at runtime (benji/config.py); setuptools
# >= 81 no longer ships it, so pin an older setuptools inside the venv.
"${PIP[@]}" install 'setuptools>=40,<70' wheel

# benji 0.17.0 pins ruamel.yaml==0.15.100 whose C extension fails to build on
# Python 3.11. With a non-existent compiler its setup.py falls back to the
# pure-Python implementation. Install it first so the later resolve reuses it.
# --no-cache-dir: never pick up a cached wheel built differently.
CC=nonexistent-cc "${PIP[@]}" install --no-cache-dir 'ruamel.yaml==0.15.100'

"${PIP[@]}" install 'benji[compression]==0.17.0'

if ! is_installed; then
    echo "ERROR: benji installation in $VENV_DIR is not functional" >&2
    "$VENV_DIR/bin/python" -c "$CHECK_PY" || true
    "$VENV_DIR/bin/benji" --help || true
    exit 1
fi
"$VENV_DIR/bin/python" -c 'from importlib.metadata import version as v; print("installed benji", v("benji"), "zstandard", v("zstandard"), "ruamel.yaml", v("ruamel.yaml"), "setuptools", v("setuptools"))'
echo "OK: $VENV_DIR/bin/benji"
