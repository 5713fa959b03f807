# Shared set-up of the Tatoeba scripts (sourced, not run): builds the release binary and
# writes, into a temporary $work, the English side with four lines in five blanked (line
# numbers kept, so four sources in five have no partner, as in comparable corpora) as
# $work/eng.fifth and an offline lexical configuration as $work/lexical.toml.
# Sets: data, work, bin.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
data=${DATA:-../shared/data/tatoeba-zsm-eng}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
bin=target/release/transalign
awk 'NR % 5 == 1 { print; next } { print "" }' "$data/tatoeba.zsm-eng.eng" >"$work/eng.fifth"
printf '[translate]\nbackend = "lexicon"\n[embed]\nbackend = "none"\n' >"$work/lexical.toml"
