#!/usr/bin/env bash
# Starts a private one-node Slurm cluster (slurmctld + slurmd from Debian's slurmctld, slurmd and
# slurm-client packages) in a scratch folder, runs one command against it, and stops every daemon
# and job step it started, whatever happens. The command finds the cluster through SLURM_CONF, as
# every Slurm client does; its exit status is the script's.
#
#   tools/slurm-cluster.sh COMMAND [ARG...]     e.g. tools/slurm-cluster.sh sinfo
#
# No systemd, munge, cgroups or database: AuthType=auth/none, CredType=cred/none,
# ProctrackType=proctrack/linuxproc, TaskPlugin=task/none, no accounting (so no sacct). Runs as
# root or as any user; both daemons listen on random free loopback ports, so two clusters can run
# at once. XAI_SLURM_CPUS sets the CPUs the node advertises (default: the cores, at least 4, so a
# few one-CPU array tasks run at once even on 2 cores). XAI_SLURM_KEEP=1 keeps the scratch folder
# (logs, state) for a post-mortem. Exit 3 when the packages are missing.
set -uo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi
# The daemons live in /usr/sbin, which a user's PATH often lacks.
export PATH="$PATH:/usr/sbin:/sbin"
for tool in slurmctld slurmd sbatch sinfo scontrol; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "slurm-cluster: $tool not found; install with: sudo apt-get install -y --no-install-recommends slurmctld slurmd slurm-client" >&2
        exit 3
    fi
done

# Short path: slurmd's socket paths are limited to 107 bytes.
scratch=$(mktemp -d /tmp/xslurm.XXXXXX) || exit 1
conf=$scratch/slurm.conf
# slurmctld runs only on a host named in SlurmctldHost, so the node takes this host's name.
node=$(hostname -s)
user=$(id -un)
cores=$(nproc 2>/dev/null || echo 2)
cpus=${XAI_SLURM_CPUS:-$(( cores < 4 ? 4 : cores ))}
pids=()

free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$(( 20000 + RANDOM % 30000 ))
        # A connection that succeeds means something listens there already.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

stop() {
    local status=$?
    trap - EXIT INT TERM
    # Nothing this function starts carries SLURM_CONF, so the sweep below cannot hit it.
    unset SLURM_CONF
    # Cancel what is queued or running, then ask the controller to stop the daemons.
    local jobs
    jobs=$(SLURM_CONF=$conf squeue -h -o %i 2>/dev/null)
    [ -n "$jobs" ] && SLURM_CONF=$conf scancel --quiet $jobs 2>/dev/null
    SLURM_CONF=$conf scontrol shutdown >/dev/null 2>&1
    sleep 0.3
    kill -TERM "${pids[@]}" 2>/dev/null
    for _ in $(seq 1 50); do
        local alive=0 pid
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null
    # Job steps (slurmstepd and the job's processes) that outlived the daemons: only those whose
    # environment names this cluster's configuration, or that hold a file open in its folder.
    for proc in /proc/[0-9]*; do
        local pid=${proc#/proc/}
        [ "$pid" = "$$" ] && continue
        if { tr '\0' '\n' < "$proc/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$conf" \
            || { ls -l "$proc/fd"; } 2>/dev/null | grep -qF "$scratch/"; then
            kill -KILL "$pid" 2>/dev/null
        fi
    done
    if [ "${XAI_SLURM_KEEP:-0}" = "1" ]; then
        echo "slurm-cluster: kept $scratch" >&2
    else
        rm -rf "$scratch"
    fi
    exit "$status"
}
trap stop EXIT
trap 'exit 130' INT TERM

ctld_port=$(free_port) && slurmd_port=$(free_port) || { echo "slurm-cluster: no free port" >&2; exit 1; }
mkdir -p "$scratch/state" "$scratch/spool"
: > "$scratch/plugstack.conf"
cat > "$conf" <<EOF
ClusterName=xai
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/none
CredType=cred/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
DependencyParameters=kill_invalid_depend
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/ctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/ctld.log
SlurmdLogFile=$scratch/slurmd.log
PlugStackConfig=$scratch/plugstack.conf
MailProg=/bin/true
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$conf

slurmctld -D -i -f "$conf" >/dev/null 2>&1 &
pids+=($!)
slurmd -D -f "$conf" -N "$node" >/dev/null 2>&1 &
pids+=($!)
# Stopped by stop() below: no "Killed" report from the shell.
disown -a

# The node is idle in sinfo about a second after start; a daemon that exits has said why in its log.
deadline=$(( $(date +%s) + 30 ))
while :; do
    state=$(timeout 2 sinfo -h -o %T 2>/dev/null)
    [ "$state" = "idle" ] && break
    for pid in "${pids[@]}"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "slurm-cluster: a Slurm daemon exited at start; its log:" >&2
            tail -n 3 "$scratch/ctld.log" "$scratch/slurmd.log" >&2
            exit 1
        fi
    done
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "slurm-cluster: the node did not become idle within 30 s (state: ${state:-none})" >&2
        exit 1
    fi
    sleep 0.1
done

"$@"
