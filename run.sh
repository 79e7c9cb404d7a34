#!/usr/bin/env bash
# Địa bàn: the project's only entry point on a fresh machine.
#   bash run.sh app    install what is missing, start the embedded PostGIS, migrate, load the
#                      boundaries (and demo data) when the database is empty, start the app and,
#                      beside it, the API (OGC API – Features, ingestion) on DIABAN_API_PORT (8502,
#                      bound to DIABAN_API_HOST, 127.0.0.1 by default; DIABAN_API_ENABLED=false: none);
#                      both stop together (Ctrl-C, or a TERM to this script)
#   bash run.sh test   the same preparation, then the whole test suite
#   bash run.sh stop   stop the embedded PostGIS cluster
#   bash run.sh replica [start|status|promote|stop]   a hot standby + PgBouncer (the app reads from it)
#   bash run.sh backup [--keep N] [--every HOURS]     WAL archiving and a base backup
# With DATABASE_URL set, no database is started: that server is used.
set -euo pipefail
cd "$(dirname "$0")"

PY=${PYTHON:-python3}
VENV=.venv

bootstrap() {
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -m venv "$VENV" 2>/dev/null; then
      echo "python3-venv is missing: installing it from the OS packages" >&2
      apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
      rm -rf "$VENV" && "$PY" -m venv "$VENV"
    fi
  fi
  local want have
  want=$(sha256sum requirements.txt | cut -d' ' -f1)
  have=$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    echo "Cài thư viện Python / installing Python packages…" >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt
    echo "$want" > "$VENV/.requirements.sha256"
  fi
  # The project itself, editable: bench scripts and `python -m …` import its packages from here.
  local root
  root=$(pwd)
  if ! (cd / && "$root/$VENV/bin/python" -c "import geo, sys; sys.exit(geo.__file__ != sys.argv[1])" \
        "$root/geo/__init__.py") 2>/dev/null; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e . \
      --config-settings editable_mode=compat
  fi
  "$VENV/bin/python" -m layers vendor >/dev/null
}

case "${1:-}" in
  app)
    bootstrap
    "$VENV/bin/python" -m etl prepare
    port=${DIABAN_PORT:-8501}
    pids=()
    trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    case "${DIABAN_API_ENABLED:-true}" in
      false|0|no) ;;
      *)
        "$VENV/bin/python" -m api &
        pids+=($!)
        echo "API (OGC API – Features): http://${DIABAN_API_HOST:-127.0.0.1}:${DIABAN_API_PORT:-8502}/"
        ;;
    esac
    echo "Địa bàn đang chạy tại / running at: http://localhost:${port}"
    "$VENV/bin/python" -m streamlit run app.py --server.port "$port" --server.address 0.0.0.0 &
    pids+=($!)
    wait "${pids[-1]}"
    ;;
  test)
    bootstrap
    shift
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  stop)
    bootstrap
    "$VENV/bin/python" -m geo replica stop >/dev/null 2>&1 || true
    "$VENV/bin/python" -c "from geo.embedded import stop_cluster; print('stopped' if stop_cluster() else 'not running')"
    ;;
  replica)
    bootstrap
    shift
    exec "$VENV/bin/python" -m geo replica "${@:-start}"
    ;;
  backup)
    bootstrap
    shift
    exec "$VENV/bin/python" -m geo backup "$@"
    ;;
  *)
    echo "usage: bash run.sh app | test | stop | replica | backup" >&2
    exit 2
    ;;
esac
