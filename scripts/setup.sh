#!/usr/bin/env bash
# Set up mlprep in ./.venv on a fresh machine; idempotent and quick when nothing changed.
#
#   bash scripts/setup.sh            # runtime only (the quiz, grading, the site)
#   bash scripts/setup.sh --test     # also test tools + Debian packages, then run the whole test suite
#
# torch is installed first and pinned to the CPU build 2.13.0 so that nothing pulls CUDA packages.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=run
[[ "${1:-}" == "--test" ]] && mode=test

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
VPY=.venv/bin/python
pip_install() { "$VPY" -m pip install --disable-pip-version-check -q "$@"; }

if ! "$VPY" -c 'import importlib.metadata as m, sys; sys.exit(m.version("torch") != "2.13.0+cpu" and m.version("torch") != "2.13.0")' 2>/dev/null; then
  pip_install "torch==2.13.0"
fi

extras=""
[[ "$mode" == test ]] && extras="[test]"
stamp=".venv/.mlprep-installed${extras}"
want=$(cat pyproject.toml | sha256sum | cut -c1-16)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  pip_install -e ".${extras}"
  echo "$want" > "$stamp"
fi

if [[ "$mode" == test ]]; then
  # Debian packages the tests need: bubblewrap and libseccomp (the strong sandbox layer),
  # Chromium (browser tests) and tmux (terminal sessions).
  need=()
  command -v bwrap >/dev/null || need+=(bubblewrap)
  # grep reads all of ldconfig's output (-q would exit early, and pipefail would see ldconfig's SIGPIPE)
  ldconfig -p 2>/dev/null | grep 'libseccomp\.so\.2' >/dev/null || need+=(libseccomp2)
  command -v chromium >/dev/null || need+=(chromium)
  command -v tmux >/dev/null || need+=(tmux)
  if ((${#need[@]})); then
    if [[ $(id -u) == 0 ]]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
      echo "setup: missing Debian packages ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
    fi
  fi
  exec "$VPY" -m pytest -q "${@:2}"
fi
