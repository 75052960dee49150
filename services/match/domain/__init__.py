"""Pure matching domain: NIP, handles, names, registry CSV, synthetic registry, match engine.

No Kafka or MongoDB in here; the service (``services.match.app``) and the offline CLI
(``pantau match``) both call ``engine.MatchEngine``.
"""
