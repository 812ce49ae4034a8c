# Shared by scripts/run and scripts/test: find Python 3.11+, make .venv, install the project.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Switchboard needs Python 3.11 or newer; none was found on PATH (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

bootstrap() {  # $1: pip extras, e.g. "[dev]" or ""
  local py
  py="$(find_python)"
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating virtual environment in .venv"
    "$py" -m venv .venv
  fi
  # Reinstall only when pyproject.toml changed since the last install.
  local stamp=".venv/.installed$1"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> installing Switchboard and its dependencies"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".$1"
    touch "$stamp"
  fi
}
