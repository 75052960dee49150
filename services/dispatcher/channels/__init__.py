"""Delivery channels behind one interface (``base.Channel``): webhook (HMAC-signed), e-mail (SMTP)
and Kafka, all retried by the one ``retry.RetryRunner``."""
