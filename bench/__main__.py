"""`python -m bench`: run every benchmark and write `bench/results.md` and `bench/results.json`."""

from bench.run import main

main()
