# Sourced by check-deploy.sh and check-slurm.sh (which define `bin` and `fail`): the Slurm
# example of deploy/slurm set up in WORK/deploy against a Redis on 127.0.0.1:PORT, and its
# merged output compared with an unsharded run of the same corpus.

# slurm_example_setup WORK PORT
slurm_example_setup() {
  mkdir -p "$1/deploy"
  cp deploy/slurm/*.sbatch deploy/slurm/submit.sh "$1/deploy/"
  sed "s#redis://127.0.0.1:6379/0#redis://127.0.0.1:$2/0#; s#\.\./\.\./examples/corpus#$(pwd)/examples/corpus#" \
    deploy/slurm/config.toml >"$1/deploy/config.toml"
  export TRANSALIGN_BIN="$bin" TRANSALIGN_DEPLOY="$1/deploy" OUT="$1/out"
}

# slurm_example_matches_unsharded WORK PORT: an unsharded run (Redis database 1) writes the
# files the merge wrote.
slurm_example_matches_unsharded() {
  "$bin" --quiet --config "$1/deploy/config.toml" run --cache-url "redis://127.0.0.1:$2/1" \
    --out "$1/whole"
  for f in aligned.jsonl claims.jsonl aligned.tsv claims.tsv; do
    cmp -s "$1/out/merged/$f" "$1/whole/$f" || fail "merged $f differs from the unsharded run"
  done
}
