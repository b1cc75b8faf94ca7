# Resume and spawn (train --resume, --from): a run stopped at step K and resumed ends with the
# fingerprint (and the file bytes) of one never stopped: at an epoch boundary and within an epoch,
# with 1 and 2 threads, with on_nan stop (the last-finite block) and early stopping (its state);
# spawning at step 0 with only a new order seed is train --order-seed; a spawn records its parent.
. tests/common.sh
DATA=$(mnist_dir) || exit 77
make_slice "$DATA" 1000 300
fp() { json_field fingerprint; }
SLICE=${SLICE% --train-size 0}
# A fingerprint missing (a command failed) fails the check, whichever way it compares.
expect_eq() { if [ -z "$2" ] || [ -z "$3" ]; then bad "$1: no fingerprint ('$2', '$3')"; elif [ "$2" = "$3" ]; then ok "$1"; else bad "$1: '$2' != '$3'"; fi; }
expect_ne() { if [ -z "$2" ] || [ -z "$3" ]; then bad "$1: no fingerprint ('$2', '$3')"; elif [ "$2" != "$3" ]; then ok "$1"; else bad "$1: both '$2'"; fi; }
run() { "$TWINNET" train $SLICE --train-size 800 --epochs "${EPOCHS:-3}" --quiet --json --force "$@" | tail -n 1 | fp; }

full=$(run --out "$SCRATCH/full.tnm")
# 800 examples in batches of 10: 80 steps an epoch. K = 80 is an epoch's end; 123 and 45 within one.
for case in "80 1" "123 1" "45 2" "123 2"; do
    set -- $case
    run --out "$SCRATCH/part.tnm" --stop-at-step "$1" --threads "$2" > /dev/null
    steps=$("$TWINNET" info --json "$SCRATCH/part.tnm" | json_field steps)
    expect_eq "stopped at step $1" "${steps:-?}" "$1"
    got=$("$TWINNET" train $SLICE --resume "$SCRATCH/part.tnm" --out "$SCRATCH/res.tnm" --threads "$2" --quiet --json --force | tail -n 1 | fp)
    expect_eq "stopped at step $1 (threads $2) and resumed: the fingerprint of a run never stopped" "$got" "$full"
    cmp -s "$SCRATCH/res.tnm" "$SCRATCH/full.tnm" && ok "... and the same file bytes" || bad "step $1: file bytes differ"
done
expect_ne "a stopped run is not the full run (the test can fail)" "$(run --out "$SCRATCH/p.tnm" --stop-at-step 45)" "$full"

# Resume twice, raising --epochs: 3 epochs stopped at 45, resumed to 200 (stopped), then to 4 epochs.
four=$(EPOCHS=4 run --out "$SCRATCH/four.tnm")
run --out "$SCRATCH/a.tnm" --stop-at-step 45 > /dev/null
"$TWINNET" train $SLICE --resume "$SCRATCH/a.tnm" --stop-at-step 200 --quiet > /dev/null
got=$("$TWINNET" train $SLICE --resume "$SCRATCH/a.tnm" --epochs 4 --quiet --json | tail -n 1 | fp)
expect_eq "resumed twice, --epochs raised to 4: the 4-epoch run" "$got" "$four"

# Early stopping's state is kept: eta 9 makes validation accuracy wander.
es() { EPOCHS=6 run --eta 9 --early-stop 1 "$@"; }
want=$(es --out "$SCRATCH/es.tnm")
es --out "$SCRATCH/esp.tnm" --stop-at-step 250 > /dev/null
got=$("$TWINNET" train $SLICE --resume "$SCRATCH/esp.tnm" --out "$SCRATCH/esr.tnm" --quiet --json | tail -n 1 | fp)
expect_eq "early stopping resumed" "$got" "$want"

# Spawn at step 0 with a new order seed: train --order-seed's fingerprint.
run --out "$SCRATCH/zero.tnm" --stop-at-step 0 > /dev/null
want=$(run --out "$SCRATCH/o5.tnm" --order-seed 5)
got=$("$TWINNET" train $SLICE --from "$SCRATCH/zero.tnm" --order-seed 5 --out "$SCRATCH/c5.tnm" --quiet --json | tail -n 1 | fp)
expect_eq "spawned at step 0 with order seed 5 = train --order-seed 5" "$got" "$want"
expect_ne "... which differs from order seed 1" "$got" "$full"
parent=$("$TWINNET" info --json "$SCRATCH/zero.tnm" | json_field fingerprint)
grep -q "\"parents\":\[\"$parent\"\],\"spawn_step\":0,\"spawn\":\"order seed 5\"" "$SCRATCH/c5.tnm" &&
    ok "the child records its parent's fingerprint and the spawn step" || bad "no parent in the child's provenance"
# Spawned mid-run: a child that perturbs differs; one that does not is the parent's run.
run --out "$SCRATCH/mid.tnm" --stop-at-step 100 > /dev/null
same=$("$TWINNET" train $SLICE --from "$SCRATCH/mid.tnm" --out "$SCRATCH/s0.tnm" --quiet --json | tail -n 1 | fp)
expect_eq "spawned at step 100 with no change: the parent's own end" "$same" "$full"
g1=$("$TWINNET" train $SLICE --from "$SCRATCH/mid.tnm" --perturb-gauss 1e-2 --perturb-seed 3 --out "$SCRATCH/g1.tnm" --quiet --json | tail -n 1 | fp)
g2=$("$TWINNET" train $SLICE --from "$SCRATCH/mid.tnm" --perturb-gauss 1e-2 --perturb-seed 3 --out "$SCRATCH/g2.tnm" --quiet --json --threads 2 | tail -n 1 | fp)
expect_eq "a Gaussian perturbation is reproducible" "$g1" "$g2"
expect_ne "... and changes the run" "$g1" "$full"
u=$("$TWINNET" train $SLICE --from "$SCRATCH/mid.tnm" --perturb-ulp 5000 --out "$SCRATCH/u.tnm" --quiet --json | tail -n 1 | fp)
expect_ne "a flipped bit at step 100 changes the run" "$u" "$full"

expect 2 - "keeps the model's configuration" "$TWINNET" train $SLICE --resume "$SCRATCH/part.tnm" --lambda 1
expect 2 - "only a spawned run" "$TWINNET" train $SLICE --resume "$SCRATCH/part.tnm" --perturb-ulp 3
expect 2 - "no --from" "$TWINNET" train --perturb-gauss 0.1 --out "$SCRATCH/x.tnm"
# Another validation set (the first 900 examples: 100 for validation) is refused.
make_slice "$DATA" 900 300
expect 2 - "not the validation examples" "$TWINNET" train ${SLICE% --train-size 0} --resume "$SCRATCH/esp.tnm"
finish
