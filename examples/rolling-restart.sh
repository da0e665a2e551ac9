#!/usr/bin/env bash
# Restarts the members of a syncobj-node cluster one at a time without an election timeout:
# for each member, drain it (it hands leadership over if it leads, and stays out of elections
# while it restarts), restart it, wait until the whole cluster is healthy and caught up again,
# undrain it. Stops at the first step that fails, with that step's exit code.
set -uo pipefail

me=${0##*/}

usage() {
  cat <<EOF
Usage: $me -r COMMAND [-p PASSWORD_FILE] [-w SECONDS] [-l ENTRIES] [-t SECONDS] MEMBER...

Restarts each MEMBER (HOST:PORT, in the order given) of a syncobj-node cluster:
  1. syncobj-admin -drain        it never leads (a leader hands over first), even while it restarts
  2. COMMAND                     restarts it
  3. syncobj-admin -health -cluster -wait SECONDS -max-lag ENTRIES
                                 until the whole cluster is healthy and caught up again
  4. syncobj-admin -undrain      it may lead again
Before the first member, the cluster must be healthy (step 'check').

  -r COMMAND        how to restart a member, run with sh -c; {member}, {host} and {port} are
                    replaced by the member's address, host and port (also in \$MEMBER),
                    e.g. 'ssh {host} systemctl restart syncobj-node'
  -p PASSWORD_FILE  the cluster's password file (else SYNCOBJ_PASSWORD, else none)
  -w SECONDS        how long step 3 waits for each member (default 300)
  -l ENTRIES        how far behind the leader's commit index a member may be (default 100)
  -t SECONDS        timeout of each syncobj-admin request (default 10)
  -h                this help

It stops at the first step that fails, says which member and step, and exits with that step's
exit code (syncobj-admin's: 1 refused, e.g. against PySyncObj, which cannot be drained; 3
unreachable; 6 degraded; 7 no quorum; ...; or the restart command's). A member it stopped at may
still be drained: it says so, and 'syncobj-admin -conn MEMBER -undrain' undoes that.
SYNCOBJ_ADMIN names the syncobj-admin to run (default: syncobj-admin on the PATH).
EOF
}

restart_template=''
password_file=''
wait_seconds=300
max_lag=100
timeout_seconds=10
while getopts ':r:p:w:l:t:h' opt; do
  case $opt in
    r) restart_template=$OPTARG ;;
    p) password_file=$OPTARG ;;
    w) wait_seconds=$OPTARG ;;
    l) max_lag=$OPTARG ;;
    t) timeout_seconds=$OPTARG ;;
    h) usage; exit 0 ;;
    :) echo "$me: -$OPTARG needs a value (see $me -h)" >&2; exit 2 ;;
    *) echo "$me: unknown option -$OPTARG (see $me -h)" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

fail_usage() {
  echo "$me: $1 (see $me -h)" >&2
  exit 2
}
[ -n "$restart_template" ] || fail_usage 'missing -r COMMAND: how do I restart a member?'
[ $# -gt 0 ] || fail_usage 'no members given: name them as HOST:PORT'
case $wait_seconds in '' | *[!0-9]*) fail_usage "-w needs whole seconds, not '$wait_seconds'" ;; esac
case $max_lag in '' | *[!0-9]*) fail_usage "-l needs a whole number of entries, not '$max_lag'" ;; esac
if [ -n "$password_file" ] && [ ! -r "$password_file" ]; then fail_usage "cannot read the password file $password_file"; fi
for member in "$@"; do
  # The address goes into a shell command: only what an address can hold, so it cannot inject anything.
  [[ $member =~ ^([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):[0-9]+$ ]] || fail_usage "'$member' is not HOST:PORT"
done

admin_bin=${SYNCOBJ_ADMIN:-syncobj-admin}
command -v "$admin_bin" >/dev/null 2>&1 || fail_usage "$admin_bin is not on the PATH (set SYNCOBJ_ADMIN)"

admin() {
  local conn=$1
  shift
  if [ -n "$password_file" ]; then
    "$admin_bin" -conn "$conn" -pass-file "$password_file" -timeout "$timeout_seconds" "$@"
  else
    "$admin_bin" -conn "$conn" -timeout "$timeout_seconds" "$@"
  fi
}

total=$#
position=0
member=''
drained=''

say() {
  printf '%s %s\n' "$(date +%H:%M:%S)" "$*"
}

# Stops the roll: which member, which step, its exit code, and what is left drained.
stop_at() {
  local step=$1 code=$2
  local where="$member ($position of $total)"
  [ -n "$member" ] || where='the cluster, before any member'
  echo "$me: stopped at $where, step $step: exit code $code" >&2
  if [ -n "$drained" ]; then
    echo "$me: $drained is still drained; once it is fixed: $admin_bin -conn $drained -undrain" >&2
  fi
  if [ "$position" -gt 1 ]; then echo "$me: restarted before it: ${done_members# }" >&2; fi
  exit "$code"
}

on_signal() {
  echo "$me: interrupted" >&2
  stop_at "${current_step:-?}" "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

done_members=''
current_step='check'
say "check: the cluster must be healthy before the first member"
admin "$1" -health -cluster -max-lag "$max_lag" || stop_at check $?

for member in "$@"; do
  position=$((position + 1))
  host=${member%:*}
  port=${member##*:}
  host=${host#[}
  host=${host%]}

  current_step='drain'
  say "$member ($position of $total): drain"
  admin "$member" -drain || stop_at drain $?
  drained=$member

  current_step='restart'
  command=${restart_template//\{member\}/$member}
  command=${command//\{host\}/$host}
  command=${command//\{port\}/$port}
  say "$member ($position of $total): restart: $command"
  MEMBER=$member sh -c "$command" || stop_at restart $?

  current_step='wait'
  say "$member ($position of $total): wait up to $wait_seconds s until the cluster is healthy, lag at most $max_lag"
  admin "$member" -health -cluster -wait "$wait_seconds" -max-lag "$max_lag" || stop_at wait $?

  current_step='undrain'
  say "$member ($position of $total): undrain"
  admin "$member" -undrain || stop_at undrain $?
  drained=''
  done_members="$done_members $member"
done
say "done: restarted $total member$([ "$total" -eq 1 ] || echo s), one at a time"
