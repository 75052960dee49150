"""The notify dispatcher, its own process (``python -m services.dispatcher``): cases and alerts
become grouped, de-duplicated, retried notifications. ``cycle`` says how one cycle runs."""
