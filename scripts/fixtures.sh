#!/usr/bin/env bash
# Builds the framework fixtures the attach tests copy: a Python virtual
# environment with the frameworks from PyPI (made again when the pinned
# requirements change), then each back end by its own migrations.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/fixtures/venv
req=tests/fixtures/django/requirements.txt
if [[ ! -x $venv/bin/python ]] || ! cmp -s "$req" "$venv/requirements.txt"; then
  echo "fixtures: installing the frameworks into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$venv/requirements.txt"
fi
"$venv/bin/python" tests/fixtures/build_all.py
