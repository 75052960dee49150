"""The agency API and the verification desk: one web process (FastAPI) over the notify store.

``api`` is its composition root; ``application`` holds the use cases (no HTTP); ``routers`` and the desk
are the adapters; ``auth`` the API keys; ``web`` the desk's templates and assets. The notify stage
(``services.notify``) opens the cases it serves; the dispatcher (``services.dispatcher``) sends them.
"""
