"""The OpenAPI document tells a reader (and Swagger's "Authorize") how to authenticate."""
from __future__ import annotations

from services.agency_api.api import create_app


def test_every_keyed_route_declares_the_key_schemes_and_the_public_check_does_not():
    spec = create_app().openapi()
    assert set(spec["components"]["securitySchemes"]) == {"APIKeyHeader", "HTTPBearer"}
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            declared = {name for entry in operation.get("security", []) for name in entry}
            if path == "/v1/check":
                assert not declared, "Cek Netral needs no key"
            else:
                assert declared == {"APIKeyHeader", "HTTPBearer"}, f"{method.upper()} {path}"
