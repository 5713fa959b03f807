#!/usr/bin/env bash
# Queues the shard array and the merge that waits for all of it.
#   ./submit.sh [SHARDS]   (default 4)
set -euo pipefail
cd "$(dirname "$0")"
shards="${1:-4}"
array=$(sbatch --parsable --array=0-$((shards - 1)) transalign.sbatch)
sbatch --dependency=afterok:"${array%%;*}" merge.sbatch
