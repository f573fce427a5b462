#!/bin/sh
# Fill fuzz/corpus/<target>/ (gitignored) with seeds taken from real packets:
# every IKE message, ESP/AH packet and IPsec frame found in captures/ and in
# ../shared/corpus/ (when present), the hand-built messages of the test
# suite, and the small capture files themselves. The extraction is the
# independent pcap/pcapng walker of tests/common/extract.rs, run as an
# ignored test, so no tshark is needed.
#
# Usage: fuzz/seed.sh        (from anywhere)
# Then (cargo install cargo-fuzz; a nightly toolchain, or stable with
# RUSTC_BOOTSTRAP=1, which is how these targets were run):
#   cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -O ike_parse corpus/ike_parse -- -max_total_time=60
#   (likewise net_decode and capture_reader)
set -eu
cd "$(dirname "$0")/.."
cargo test --test mutation write_fuzz_seeds -- --ignored --nocapture
for t in ike_parse net_decode capture_reader; do
    printf '%s: %s seeds\n' "$t" "$(ls fuzz/corpus/$t | wc -l)"
done
