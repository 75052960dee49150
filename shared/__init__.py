"""Code shared by every Pantau Netral service: schemas, settings, topics and adapters."""
