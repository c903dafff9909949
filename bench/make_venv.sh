#!/bin/sh
# Create (or keep, when the stamp matches) the benchmark venv: run inside the project
# environment by scripts/bench as `sh bench/make_venv.sh VENV STAMP`.
set -eu
venv=$1 stamp=$2
[ "$(cat "$venv/.stamp" 2>/dev/null)" = "$stamp" ] && exit 0
rm -rf "$venv"
purelib='import sysconfig; print(sysconfig.get_paths()["purelib"])'
project_site=$(python -c "$purelib")
python -m venv "$venv"
# The project environment stays visible (aiohttp, cryptography...) without copying it.
echo "$project_site" >"$("$venv/bin/python" -c "$purelib")/_miele_local_project.pth"
PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install --quiet -r requirements_bench.txt
echo "$stamp" >"$venv/.stamp"
