#!/usr/bin/env bash
# A private, throw-away PostgreSQL server for tests and the postgres build.
#
#   bash scripts/postgres.sh start|stop|status
#   bash scripts/postgres.sh run -- CMD [ARG...]   # start, run CMD, always stop; exits with CMD's status
#
# Settings (env):
#   MKPI_PG_PORT      TCP port on localhost            (default 55432)
#   MKPI_PG_DIR       data dir, log and unix socket    (default /tmp/mkpi-pg-$MKPI_PG_PORT)
#   MKPI_PG_USER      superuser that clients log in as (default postgres)
#   MKPI_PG_PASSWORD  its password (TCP uses scram)    (default postgres)
#   MKPI_PG_DATABASE  database created on start        (default marketing)
#   MKPI_PG_INSTALL   0 = never apt-get install PostgreSQL when initdb is missing (default 1)
#
# The server listens on localhost only, with fsync off: it is a test server, not a store of record.
# As root, initdb and the server run as the `postgres` OS user; otherwise as the current user.
set -euo pipefail

PORT="${MKPI_PG_PORT:-55432}"
ROOT_DIR="${MKPI_PG_DIR:-/tmp/mkpi-pg-$PORT}"
PG_USER="${MKPI_PG_USER:-postgres}"
PG_PASSWORD="${MKPI_PG_PASSWORD:-postgres}"
PG_DATABASE="${MKPI_PG_DATABASE:-marketing}"
INSTALL="${MKPI_PG_INSTALL:-1}"

DATA_DIR="$ROOT_DIR/data"
LOG_FILE="$ROOT_DIR/postgres.log"
SOCKET_DIR="$ROOT_DIR"
BOOTSTRAP_USER_FILE="$ROOT_DIR/bootstrap-user" # superuser created by initdb (for socket logins)
INIT_DONE="$ROOT_DIR/initialized"              # written only after initdb succeeded
LOCK_FILE="$ROOT_DIR.lock"                     # serialises concurrent start/stop on this dir

say() { echo "postgres.sh: $*"; }
die() {
    echo "postgres.sh: error: $*" >&2
    exit 1
}

IS_ROOT=0
[[ "$(id -u)" == 0 ]] && IS_ROOT=1

# Two `start`s at once (parallel make, two test sessions) must not both run initdb. fd 9 holds
# the lock; the server itself is started with fd 9 closed so it never inherits the lock.
lock() {
    command -v flock >/dev/null 2>&1 || return 0
    exec 9>>"$LOCK_FILE"
    flock -w 300 9 || die "timed out waiting for $LOCK_FILE (another postgres.sh start/stop?)"
}
unlock() {
    command -v flock >/dev/null 2>&1 || return 0
    flock -u 9
    exec 9>&-
}

# --- binaries -------------------------------------------------------------------------------------

has_all_tools() {
    local tool
    for tool in initdb pg_ctl pg_isready psql; do
        [[ -x "$1/$tool" ]] || return 1
    done
}

# The folder with initdb, pg_ctl, pg_isready and psql: initdb's real folder if initdb is on PATH
# (it may be a lone symlink), else Debian's /usr/lib/postgresql/<major>/bin, newest major first.
find_bin_dir() {
    local found dir
    if found="$(command -v initdb 2>/dev/null)" && [[ -n "$found" ]]; then
        dir="$(dirname "$(readlink -f "$found")")"
        if has_all_tools "$dir"; then
            echo "$dir"
            return 0
        fi
    fi
    while IFS= read -r dir; do
        if [[ -n "$dir" ]] && has_all_tools "$dir"; then
            echo "$dir"
            return 0
        fi
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
    return 1
}

install_postgres() {
    [[ "$INSTALL" == 1 ]] || die "PostgreSQL (initdb) not found and MKPI_PG_INSTALL=0; install postgresql or put initdb on PATH"
    command -v apt-get >/dev/null 2>&1 || die "PostgreSQL (initdb) not found and no apt-get to install it; install postgresql or put initdb on PATH"
    local sudo=()
    if [[ "$IS_ROOT" != 1 ]]; then
        command -v sudo >/dev/null 2>&1 || die "PostgreSQL (initdb) not found; installing it needs root or sudo (or put initdb on PATH)"
        sudo=(sudo -n)
    fi
    say "installing PostgreSQL (apt-get install postgresql)"
    local log
    log="$(mktemp)"
    if ! { "${sudo[@]}" apt-get update -qq &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; } >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        rm -f "$log"
        die "apt-get install postgresql failed (output above)"
    fi
    rm -f "$log"
}

BIN_DIR="$(find_bin_dir || true)"
ensure_binaries() {
    if [[ -z "$BIN_DIR" ]]; then
        install_postgres
        BIN_DIR="$(find_bin_dir)" || die "PostgreSQL was installed but initdb is still not found"
    fi
}

# --- running things as the server's OS user -------------------------------------------------------

ensure_os_user() {
    [[ "$IS_ROOT" == 1 ]] || return 0
    id postgres >/dev/null 2>&1 && return 0
    command -v useradd >/dev/null 2>&1 || die "running as root but there is no 'postgres' OS user to run the server as"
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
}

# as_server CMD...: run a PostgreSQL binary as the OS user that owns the data dir.
as_server() {
    if [[ "$IS_ROOT" != 1 ]]; then
        (cd "$ROOT_DIR" && "$@")
    elif command -v runuser >/dev/null 2>&1; then
        (cd "$ROOT_DIR" && runuser -u postgres -- "$@")
    else
        local quoted
        quoted="$(printf '%q ' "$@")"
        (cd "$ROOT_DIR" && su -s /bin/sh postgres -c "$quoted")
    fi
}

# --- state ---------------------------------------------------------------------------------------

# pid_is_postgres PID: the process exists, is not a zombie and is a postgres server process. A pid
# from a killed server may have been recycled by another program (e.g. after a container restart).
pid_is_postgres() {
    local pid="$1" stat comm
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    if [[ -d /proc/$pid ]]; then
        stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
        stat="${stat##*) }"
        [[ "${stat%% *}" != Z ]] || return 1
        comm="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
        [[ "$comm" == postgres* || "$comm" == postmaster* ]]
    else
        kill -0 "$pid" 2>/dev/null # no /proc (macOS): trust kill -0
    fi
}

# The pid in postmaster.pid, if that process really is a running postgres server.
live_server_pid() {
    local pid_file="$DATA_DIR/postmaster.pid" pid
    [[ -f "$pid_file" ]] || return 1
    pid="$(head -n 1 "$pid_file" 2>/dev/null || true)"
    pid_is_postgres "$pid" || return 1
    echo "$pid"
}

is_running() {
    live_server_pid >/dev/null && "$BIN_DIR/pg_isready" -q -h "$SOCKET_DIR" -p "$PORT" >/dev/null 2>&1
}

# A previous server that was killed (container restart, kill -9) leaves postmaster.pid and the
# socket lock behind; a recycled pid would make PostgreSQL refuse to start. Remove them.
clear_stale_locks() {
    if [[ -f "$DATA_DIR/postmaster.pid" ]] && ! live_server_pid >/dev/null; then
        say "removing stale postmaster.pid"
        rm -f "$DATA_DIR/postmaster.pid"
    fi
    local lock="$SOCKET_DIR/.s.PGSQL.$PORT.lock" pid
    if [[ -f "$lock" ]]; then
        pid="$(head -n 1 "$lock" 2>/dev/null || true)"
        if ! pid_is_postgres "$pid"; then
            rm -f "$lock" "$SOCKET_DIR/.s.PGSQL.$PORT"
        fi
    fi
}

# --- init ----------------------------------------------------------------------------------------

init_cluster() {
    mkdir -p "$ROOT_DIR"
    if [[ "$IS_ROOT" == 1 ]]; then
        chown postgres: "$ROOT_DIR"
    fi
    chmod 700 "$ROOT_DIR"
    local major
    major="$("$BIN_DIR/pg_ctl" --version | awk '{print $3}' | cut -d. -f1)"
    if [[ -f "$INIT_DONE" && "$(cat "$DATA_DIR/PG_VERSION" 2>/dev/null || true)" == "$major" ]]; then
        return 0
    fi
    # A half-made data dir (initdb interrupted) or one of another major version is useless here:
    # this is a throw-away server, so start over.
    rm -rf "$DATA_DIR" "$INIT_DONE"
    say "initdb (PostgreSQL $major) in $DATA_DIR"
    local pwfile="$ROOT_DIR/.pwfile"
    (umask 077 && printf '%s\n' "$PG_PASSWORD" >"$pwfile")
    [[ "$IS_ROOT" == 1 ]] && chown postgres: "$pwfile"
    if ! as_server "$BIN_DIR/initdb" -D "$DATA_DIR" -U "$PG_USER" --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync \
        >"$ROOT_DIR/initdb.log" 2>&1; then
        rm -f "$pwfile"
        tail -n 20 "$ROOT_DIR/initdb.log" >&2
        die "initdb failed (log: $ROOT_DIR/initdb.log)"
    fi
    rm -f "$pwfile"
    cat >>"$DATA_DIR/postgresql.conf" <<'CONF'

# --- mkpi test server (scripts/postgres.sh) ---
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 4GB
checkpoint_timeout = 30min
shared_buffers = 256MB
dynamic_shared_memory_type = mmap
maintenance_work_mem = 256MB
work_mem = 32MB
log_min_messages = warning
include_if_exists = 'mkpi-runtime.conf'
CONF
    printf '%s\n' "$PG_USER" >"$BOOTSTRAP_USER_FILE"
    touch "$INIT_DONE"
}

# Port, socket and listen address are written at every start, so MKPI_PG_PORT may change.
write_runtime_conf() {
    local conf="$DATA_DIR/mkpi-runtime.conf"
    {
        echo "listen_addresses = 'localhost'"
        echo "port = $PORT"
        echo "unix_socket_directories = '${SOCKET_DIR//\'/\'\'}'"
    } >"$conf"
    [[ "$IS_ROOT" == 1 ]] && chown postgres: "$conf"
    return 0
}

# Make sure role (with the current password) and database exist. Local socket logins are trusted.
ensure_role_and_database() {
    local bootstrap
    bootstrap="$(cat "$BOOTSTRAP_USER_FILE" 2>/dev/null || echo "$PG_USER")"
    local psql=("$BIN_DIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U "$bootstrap" -d postgres
        -v "role=$PG_USER" -v "password=$PG_PASSWORD" -v "database=$PG_DATABASE")
    local out
    if ! out="$(as_server "${psql[@]}" 2>&1 <<'SQL'
select format('create role %I superuser login', :'role')
where not exists (select from pg_roles where rolname = :'role') \gexec
alter role :"role" password :'password';
select format('create database %I owner %I', :'database', :'role')
where not exists (select from pg_database where datname = :'database') \gexec
SQL
    )"; then
        echo "$out" >&2
        die "could not create role '$PG_USER' / database '$PG_DATABASE'"
    fi
}

# --- commands ------------------------------------------------------------------------------------

cmd_start() {
    lock
    start_locked
    unlock
}

start_locked() {
    ensure_binaries
    ensure_os_user
    if [[ -f "$INIT_DONE" ]] && is_running; then
        ensure_role_and_database
        say "already running on localhost:$PORT (dir $ROOT_DIR)"
        return 0
    fi
    local pid
    if pid="$(live_server_pid)"; then
        die "a server (pid $pid) holds $DATA_DIR but does not answer on port $PORT; run: $0 stop"
    fi
    init_cluster
    clear_stale_locks
    write_runtime_conf
    if ! as_server "$BIN_DIR/pg_ctl" start -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 -s >/dev/null 2>&1 9>&-; then
        tail -n 20 "$LOG_FILE" >&2 || true
        die "server did not start on localhost:$PORT (log: $LOG_FILE)"
    fi
    local tries=0
    until "$BIN_DIR/pg_isready" -q -h localhost -p "$PORT" >/dev/null 2>&1; do
        tries=$((tries + 1))
        ((tries < 60)) || die "server started but localhost:$PORT is not ready (log: $LOG_FILE)"
        sleep 0.5
    done
    ensure_role_and_database
    say "started on localhost:$PORT, database '$PG_DATABASE' (dir $ROOT_DIR)"
}

cmd_stop() {
    lock
    stop_locked
    unlock
}

stop_locked() {
    if [[ -z "$BIN_DIR" || ! -f "$DATA_DIR/postmaster.pid" ]]; then
        say "not running"
        return 0
    fi
    if ! live_server_pid >/dev/null; then
        clear_stale_locks
        say "not running"
        return 0
    fi
    if ! as_server "$BIN_DIR/pg_ctl" stop -D "$DATA_DIR" -m fast -w -t 60 -s >/dev/null 2>&1; then
        as_server "$BIN_DIR/pg_ctl" stop -D "$DATA_DIR" -m immediate -w -t 30 -s >/dev/null 2>&1 ||
            die "could not stop the server (log: $LOG_FILE)"
    fi
    say "stopped (localhost:$PORT)"
}

cmd_status() {
    if [[ -n "$BIN_DIR" ]] && is_running; then
        say "running on localhost:$PORT, pid $(live_server_pid) (dir $ROOT_DIR)"
        return 0
    fi
    say "not running (localhost:$PORT, dir $ROOT_DIR)"
    return 3
}

cmd_run() {
    [[ "${1:-}" == "--" ]] && shift
    (($# > 0)) || die "usage: $0 run -- CMD [ARG...]"
    cmd_start
    trap 'cmd_stop' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    local status=0
    "$@" || status=$?
    exit "$status"
}

usage() {
    echo "usage: $0 start | stop | status | run -- CMD [ARG...]" >&2
    exit 2
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
run)
    shift
    cmd_run "$@"
    ;;
*) usage ;;
esac
