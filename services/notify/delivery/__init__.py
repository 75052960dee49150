"""Outbound delivery: webhooks (HMAC-signed), e-mail (SMTP) and the versioned payload."""
