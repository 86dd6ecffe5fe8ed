# Shared by bin/run and bin/test: find Python >= 3.12 and keep .venv installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

python_ok() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
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

# ensure_venv EXTRAS: EXTRAS is "" for the console alone or "dev" for the test tools too.
ensure_venv() {
  local extras="$1" target="." stamp_file digest
  [ -n "$extras" ] && target=".[$extras]"
  if [ -x .venv/bin/python ] && ! python_ok .venv/bin/python; then
    echo "Replacing .venv: it was made with a Python older than 3.12." >&2
    rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    local python
    if ! python="$(find_python)"; then
      echo "This console needs Python 3.12 or newer, and none was found." >&2
      echo "Install it (for example 'pyenv install 3.12' or your system's python3.12 package)," >&2
      echo "or point PYTHON at one: PYTHON=/path/to/python3.12 $0" >&2
      exit 1
    fi
    echo "Creating .venv with $("$python" --version) ($python)"
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
