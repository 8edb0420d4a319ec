# shellcheck shell=bash
# Throwaway PostgreSQL cluster for the test run. Sourced by scripts/test.sh.
#
#   gov_pg_find_bindir        -> prints the bin dir of the newest installed server (or nothing)
#   gov_pg_start BINDIR       -> initdb + start in a fresh temp dir; sets GOV_PG_* below
#   gov_pg_stop               -> stops the cluster and removes the temp dir (idempotent, never fails)
#
# State (globals):
#   GOV_PG_TMP   temp dir (data in $GOV_PG_TMP/data, unix socket + logs in $GOV_PG_TMP)
#   GOV_PG_PORT  TCP port on 127.0.0.1
#   GOV_PG_BIN   server bin dir used
#   GOV_PG_USER  OS user that owns the cluster (postgres when running as root)

# shellcheck disable=SC2034 # read by scripts/test.sh
GOV_PG_TMP=""
GOV_PG_PORT=""
GOV_PG_BIN=""
GOV_PG_USER=""
GOV_PG_STARTUP_MS=""

# Newest /usr/lib/postgresql/<major>/bin that has initdb, pg_ctl and postgres.
# Debian/Ubuntu keep the server binaries off PATH, so PATH is only a fallback
# (other distributions, or a dev box with a custom install).
gov_pg_find_bindir() {
  local dir best="" best_major=-1 major
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]] || continue
    major="${dir#/usr/lib/postgresql/}"
    major="${major%%/*}"
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    if (( major > best_major )); then
      best_major=$major
      best=$dir
    fi
  done
  if [[ -z "$best" ]]; then
    local initdb_path
    initdb_path="$(command -v initdb 2>/dev/null || true)"
    if [[ -n "$initdb_path" && -f "$initdb_path" && -x "$initdb_path" ]]; then
      dir="$(dirname "$initdb_path")"
      if [[ -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then
        best=$dir
      fi
    fi
  fi
  [[ -n "$best" ]] && printf '%s\n' "$best"
  return 0
}

# A TCP port on 127.0.0.1 that nobody listens on right now.
gov_pg_free_port() {
  local port
  if command -v python3 >/dev/null 2>&1 &&
    port="$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' 2>/dev/null)" && [[ "$port" =~ ^[0-9]+$ ]]; then
    printf '%s\n' "$port"
    return 0
  fi
  # Fallback without python3: probe random high ports with bash's /dev/tcp.
  local i
  for i in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  return 1
}

# Run a command as the cluster owner, from inside the temp dir (the postgres
# user may not be allowed into the caller's working directory).
gov_pg_as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    (cd "$GOV_PG_TMP" && runuser -u "$GOV_PG_USER" -- "$@")
  else
    (cd "$GOV_PG_TMP" && "$@")
  fi
}

gov_pg_postmaster_pid() {
  local pidfile="$GOV_PG_TMP/data/postmaster.pid" pid=""
  [[ -n "$GOV_PG_TMP" && -r "$pidfile" ]] && read -r pid <"$pidfile" 2>/dev/null
  [[ "$pid" =~ ^[0-9]+$ ]] && printf '%s\n' "$pid"
  return 0
}

gov_pg_start() {
  GOV_PG_BIN="$1"
  local t0
  t0=$(date +%s%N)

  if [[ "$(id -u)" == 0 ]]; then
    GOV_PG_USER=postgres
    if ! id -u "$GOV_PG_USER" >/dev/null 2>&1; then
      echo "error: running as root, but there is no 'postgres' OS user to own the test cluster" >&2
      echo "       (the Debian package 'postgresql' creates it: apt-get install -y postgresql)" >&2
      return 1
    fi
    # Under /tmp, not $TMPDIR: the postgres user must be able to reach it.
    GOV_PG_TMP="$(mktemp -d /tmp/governance-pg.XXXXXX)"
    chown "$GOV_PG_USER:" "$GOV_PG_TMP"
  else
    GOV_PG_USER="$(id -un)"
    GOV_PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/governance-pg.XXXXXX")"
  fi
  chmod 700 "$GOV_PG_TMP"

  local locale=C
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
    locale=C.UTF-8
  fi

  if ! gov_pg_as_owner "$GOV_PG_BIN/initdb" -D "$GOV_PG_TMP/data" -A trust -U postgres \
    --encoding=UTF8 --locale="$locale" --no-sync >"$GOV_PG_TMP/initdb.log" 2>&1; then
    echo "error: initdb failed:" >&2
    cat "$GOV_PG_TMP/initdb.log" >&2
    return 1
  fi

  # The port is only known to be free when probed; retry if someone grabs it
  # before the postmaster binds it.
  local attempt
  for attempt in 1 2 3 4 5; do
    if ! GOV_PG_PORT="$(gov_pg_free_port)"; then
      echo "error: could not find a free TCP port on 127.0.0.1" >&2
      return 1
    fi
    if gov_pg_as_owner "$GOV_PG_BIN/pg_ctl" -w -t 60 -D "$GOV_PG_TMP/data" -l "$GOV_PG_TMP/postgres.log" \
      -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c listen_addresses=127.0.0.1 -c port=$GOV_PG_PORT -c unix_socket_directories=$GOV_PG_TMP -c max_connections=200" \
      start >"$GOV_PG_TMP/pg_ctl.log" 2>&1; then
      local t1
      t1=$(date +%s%N)
      # shellcheck disable=SC2034 # read by scripts/test.sh
      GOV_PG_STARTUP_MS=$(((t1 - t0) / 1000000))
      return 0
    fi
    if grep -qiE 'could not bind|address already in use' "$GOV_PG_TMP/postgres.log" 2>/dev/null; then
      echo "note: port $GOV_PG_PORT was taken before PostgreSQL could bind it (attempt $attempt), retrying" >&2
      continue
    fi
    break
  done
  echo "error: PostgreSQL did not start. pg_ctl said:" >&2
  cat "$GOV_PG_TMP/pg_ctl.log" >&2 || true
  echo "--- server log ($GOV_PG_TMP/postgres.log):" >&2
  tail -n 50 "$GOV_PG_TMP/postgres.log" >&2 2>/dev/null || true
  return 1
}

# True while the process exists and is not a zombie (an orphaned postmaster is
# reparented to PID 1, which may reap it late; kill -0 succeeds on a zombie).
gov_proc_alive() {
  local pid="$1" stat
  if [[ -r "/proc/$pid/stat" ]]; then
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat:0:1}" != Z ]]
  else
    kill -0 "$pid" 2>/dev/null
  fi
}

# Wait up to $2 tenths of a second for process $1 to go away.
gov_proc_wait_gone() {
  local pid="$1" i
  for ((i = 0; i < $2; i++)); do
    gov_proc_alive "$pid" || return 0
    sleep 0.1
  done
  ! gov_proc_alive "$pid"
}

# Never fails; safe to call more than once and before/after a partial start.
gov_pg_stop() {
  [[ -n "$GOV_PG_TMP" ]] || return 0
  local pid
  pid="$(gov_pg_postmaster_pid)"
  if [[ -n "$pid" ]] && gov_proc_alive "$pid"; then
    # pg_ctl -w returns once postmaster.pid is gone, a moment before the process exits.
    gov_pg_as_owner "$GOV_PG_BIN/pg_ctl" stop -D "$GOV_PG_TMP/data" -m fast -w -t 30 >/dev/null 2>&1 || true
    if ! gov_proc_wait_gone "$pid" 50; then
      gov_pg_as_owner "$GOV_PG_BIN/pg_ctl" stop -D "$GOV_PG_TMP/data" -m immediate -w -t 10 >/dev/null 2>&1 || true
      if ! gov_proc_wait_gone "$pid" 50; then
        echo "warning: PostgreSQL (pid $pid) ignored pg_ctl stop; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
        gov_proc_wait_gone "$pid" 50 || true
      fi
    fi
  fi
  rm -rf -- "$GOV_PG_TMP" 2>/dev/null || true
  GOV_PG_TMP=""
  return 0
}
