"""Pure notify domain: routing, severity, summaries, case workflow, grouping, silences,
inhibition and flood limits. No Kafka, MongoDB or network in here; everything takes explicit
inputs (including ``now``) so it can be table-tested."""
