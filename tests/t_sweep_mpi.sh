# twinnet sweep under mpirun (the make MPI=1 build, $BUILD/mpi/twinnet) on a 3,000-image MNIST slice,
# 2 epochs, 3 runs each of init, bit and none: with 2 and 3 ranks on this machine (loopback), the
# MPI binary without mpirun, and a merge of shards by 3 ranks, each writes the same bytes as the
# one-process sweep; a rank killed mid-sweep, the same mpirun again resumes (finished runs kept)
# and ends with the same bytes.
. tests/common.sh
MPI_TWINNET=${MPI_TWINNET:-$BUILD/mpi/twinnet}
command -v mpirun > /dev/null || { echo "skipped: no mpirun (Debian: openmpi-bin libopenmpi-dev)"; exit 77; }
[ -x "$MPI_TWINNET" ] || { echo "skipped: no $MPI_TWINNET (make MPI=1, which needs mpicc)"; exit 77; }
DATA=$(mnist_dir) || exit 77
make_slice "$DATA" 3000 500
S="$SLICE --epochs 2 --runs 3 --vary init --vary bit --vary none --quiet"
# Under make sanitize: what Open MPI itself keeps until exit is not ours to report.
# (its components stay loaded, so that their frames have names to match)
printf 'leak:libmpi.so\nleak:libopen-pal.so\nleak:libopen-rte.so\nleak:libpmix.so\nleak:libhwloc.so\nleak:libevent\nleak:mca_\n' > "$SCRATCH/lsan"
export LSAN_OPTIONS="suppressions=$SCRATCH/lsan:fast_unwind_on_malloc=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}" OMPI_MCA_mca_base_component_disable_dlclose=1
# Ranks talk over shared memory, the launcher over loopback only.
MPIRUN="mpirun --allow-run-as-root --oversubscribe --mca btl self,vader --mca oob_tcp_if_include lo"
mpi() { $MPIRUN -np "$@"; }
"$TWINNET" sweep $S --jobs 1 --out "$SCRATCH/one" > /dev/null || bad "the one-process sweep"
for p in 2 3; do
    mpi $p "$MPI_TWINNET" sweep $S --out "$SCRATCH/np$p" > /dev/null 2> "$SCRATCH/err" || bad "mpirun -np $p: $(cat "$SCRATCH/err")"
    same "$SCRATCH/np$p" "mpirun -np $p"
done
"$MPI_TWINNET" sweep $S --out "$SCRATCH/single" > /dev/null 2> "$SCRATCH/err" || bad "without mpirun: $(cat "$SCRATCH/err")"
same "$SCRATCH/single" "the MPI binary without mpirun"
for k in 1 2; do "$TWINNET" sweep $S --jobs 1 --shard $k/2 --out "$SCRATCH/merged" > /dev/null; done
mpi 3 "$MPI_TWINNET" sweep --merge "$SCRATCH/merged" ${SLICE% --train-size 0} --quiet > /dev/null 2> "$SCRATCH/err" || bad "merge on 3 ranks: $(cat "$SCRATCH/err")"
same "$SCRATCH/merged" "shards merged by mpirun -np 3"
mpi 2 "$MPI_TWINNET" sweep $S --shard 1/2 --out "$SCRATCH/x" > /dev/null 2> "$SCRATCH/err"
rc=$?
[ $rc -eq 2 ] && grep -q "cannot go with mpirun" "$SCRATCH/err" && ok "--shard under mpirun: usage error" || bad "--shard under mpirun: exit $rc"
# Kill one rank (SIGKILL: no chance to clean up) once some runs are recorded; mpirun ends the rest.
$MPIRUN -np 2 "$MPI_TWINNET" sweep $S --out "$SCRATCH/k" > /dev/null 2>&1 &
launcher=$!
recorded() { n=$(cat "$SCRATCH"/k/manifest*.json 2> /dev/null | grep -c '"fingerprint":"'); echo "${n:-0}"; }
i=0
# The first recorded run is the signal (runs take a few tens of ms: waiting for more let the
# sweep finish before the kill on a loaded machine).
while [ $i -lt 30000 ] && [ "$(recorded)" -lt 1 ]; do i=$((i + 1)); done
victim=$(pgrep -P $launcher | tail -n 1)   # mpirun's children are the ranks
[ -n "$victim" ] && kill -KILL $victim
wait $launcher
rc=$? finished=$(recorded)
[ $rc -ne 0 ] && [ "$finished" -ge 1 ] && [ "$finished" -lt 9 ] && [ ! -e "$SCRATCH/k/attribution.csv" ] &&
    ok "a rank killed with $finished of 9 runs recorded: mpirun exit $rc" || bad "kill: exit $rc, $finished runs recorded"
first=$(cat "$SCRATCH"/k/manifest*.json | sed -n 's/.*"name":"\([a-z0-9-]*\)".*"fingerprint":"[0-9a-f]*".*/\1/p' | head -n 1)
touch -d '2001-01-01' "$SCRATCH/k/$first.tnm"
mpi 2 "$MPI_TWINNET" sweep $SLICE --epochs 2 --runs 3 --vary init --vary bit --vary none --out "$SCRATCH/k" > /dev/null 2> "$SCRATCH/err"
grep -q "resuming: $finished of 9 runs finished" "$SCRATCH/err" && ok "resumed with the $finished runs finished before" ||
    bad "resume: $(cat "$SCRATCH/err")"
[ "$(stat -c %Y "$SCRATCH/k/$first.tnm")" = "$(date -d '2001-01-01' +%s)" ] && ok "a finished run ($first) is not redone" ||
    bad "the finished run $first was written again"
rm -f "$SCRATCH"/k/*.tmp.*
same "$SCRATCH/k" "a rank killed, then mpirun again"
finish
