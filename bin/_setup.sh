# Shared by bin/run and bin/test: find Python >= 3.12 and keep .venv installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# "3.12.1" for a Python interpreter; fails if it does not run.
python_version() {
  "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null
}

# Python 3.12 or newer.
python_new_enough() {
  local version major minor
  version="$(python_version "$1")" || return 1
  IFS=. read -r major minor _ <<<"$version"
  [ "${major:-0}" -gt 3 ] || { [ "${major:-0}" -eq 3 ] && [ "${minor:-0}" -ge 12 ]; }
}

# New enough, and able to make a virtual environment (Debian and Ubuntu split venv and
# ensurepip into python3.X-venv).
python_ok() {
  python_new_enough "$1" && "$1" -c 'import ensurepip, venv' >/dev/null 2>&1
}

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.12 python3.13 python3.14 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
      command -v "$candidate"; return 0
    fi
  done
  # pyenv honours .python-version but only when its shims are on PATH.
  if command -v pyenv >/dev/null 2>&1; then
    candidate="$(pyenv which python3 2>/dev/null || true)"
    if [ -n "$candidate" ] && python_ok "$candidate"; then echo "$candidate"; return 0; fi
  fi
  return 1
}

# Every Python on PATH (and PYTHON), one a line: "python3 3.11.2 (/usr/bin/python3)".
pythons_found() {
  local name path version seen=" "
  for name in ${PYTHON:-} $(compgen -c python | grep -E '^python[0-9.]*$' | sort -u); do
    path="$(command -v "$name" 2>/dev/null)" || continue
    case "$seen" in *" $path "*) continue ;; esac
    seen="$seen$path "
    if ! version="$(python_version "$path")"; then
      echo "  $name ($path) does not run"
    elif python_new_enough "$path" && ! python_ok "$path"; then
      echo "  $name $version ($path), without venv: install python${version%.*}-venv"
    else
      echo "  $name $version ($path)"
    fi
  done
}

no_python_found() {
  local found
  found="$(pythons_found)"
  {
    echo "This console needs Python 3.12 or newer, and none was found."
    if [ -n "$found" ]; then echo "Found:"; echo "$found"; else echo "Found no Python at all."; fi
    if [ -d .venv ]; then
      echo "The existing .venv is kept as it is; it is replaced once a Python 3.12+ is found."
    fi
    echo "To get one:"
    echo "  - pyenv (https://github.com/pyenv/pyenv): pyenv install 3.12 (.python-version selects it)"
    echo "  - uv (https://docs.astral.sh/uv/): uv python install 3.12, then"
    echo "    PYTHON=\"\$(uv python find 3.12)\" $0"
    echo "  - Ubuntu: the deadsnakes PPA: sudo add-apt-repository ppa:deadsnakes/ppa &&"
    echo "    sudo apt install python3.12 python3.12-venv"
    echo "  - Debian 12 (bookworm) has no python3.12 package: use pyenv or uv (Debian 13 has"
    echo "    python3.13)."
    echo "Or point PYTHON at one: PYTHON=/path/to/python3.12 $0"
  } >&2
}

# ensure_venv EXTRAS: EXTRAS is "" for the console alone or "dev" for the test tools too.
ensure_venv() {
  local extras="$1" target="." stamp_file digest python=""
  [ -n "$extras" ] && target=".[$extras]"
  if [ -x .venv/bin/python ] && ! python_new_enough .venv/bin/python; then
    # Find the replacement first: without one, the old .venv stays.
    if ! python="$(find_python)"; then
      no_python_found
      exit 1
    fi
    echo "Replacing .venv (made with Python $(python_version .venv/bin/python || echo "that no longer runs")) with Python $(python_version "$python") ($python)." >&2
    rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    if [ -z "$python" ] && ! python="$(find_python)"; then
      no_python_found
      exit 1
    fi
    echo "Creating .venv with Python $(python_version "$python") ($python)"
    "$python" -m venv .venv
  fi
  stamp_file=".venv/.installed-${extras:-run}"
  digest="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp_file" ] || [ "$(cat "$stamp_file")" != "$digest" ]; then
    echo "Installing the console${extras:+ and its test tools} into .venv (once) …"
    .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    # Quiet unless it fails: then the whole log says why.
    if ! .venv/bin/python -m pip install --quiet -e "$target" > .venv/install.log 2>&1; then
      cat .venv/install.log >&2
      echo "Installing $target failed (the log is above and in .venv/install.log)." >&2
      exit 1
    fi
    echo "$digest" > "$stamp_file"
  fi
}
