"""API keys: created by staff, shown once, stored hashed, scoped, revocable; errors in the DESIGN §4 format."""

import pytest

from shop.models import ApiKey, AuditEntry
from shop.services import hash_key


def _create_key(owner_client, scopes=("catalog:read",)):
    response = owner_client.post("/settings/api-keys/", {"name": "小程序商城", "scopes": list(scopes)})
    html = response.content.decode()
    return html.split('<code class="secret">')[1].split("</code>")[0]


def test_a_key_is_shown_once_and_stored_only_as_its_hash(owner_client):
    plain = _create_key(owner_client)
    key = ApiKey.objects.get()
    assert key.key_hash == hash_key(plain) and plain not in str(key.__dict__)
    assert plain not in owner_client.get("/settings/api-keys/").content.decode()
    assert AuditEntry.objects.filter(action="settings.apikey_create").exists()


def test_a_valid_key_is_accepted_and_a_revoked_key_gets_401(owner_client, client):
    plain = _create_key(owner_client)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    response = client.get("/api/v1/whoami", **auth)
    assert response.status_code == 200 and response.json() == {"name": "小程序商城", "scopes": ["catalog:read"]}
    owner_client.post(f"/settings/api-keys/{ApiKey.objects.get().pk}/revoke/")
    response = client.get("/api/v1/whoami", **auth)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer \x00\x01"])
def test_missing_or_bad_keys_get_401_in_the_error_format(client, db, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get("/api/v1/whoami", **extra)
    assert response.status_code == 401
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}


def test_a_key_needs_a_name_and_a_scope(owner_client):
    response = owner_client.post("/settings/api-keys/", {"name": "", "scopes": []})
    assert response.status_code == 200 and not ApiKey.objects.exists()
    response = owner_client.post("/settings/api-keys/", {"name": "ERP", "scopes": ["root:everything"]})
    assert not ApiKey.objects.exists()


def test_staff_without_the_permission_cannot_create_keys(client_as):
    client = client_as("finance")
    assert client.post("/settings/api-keys/", {"name": "x", "scopes": ["orders:read"]}).status_code == 403
    assert not ApiKey.objects.exists()


def test_health_reports_database_and_queue(client, db, settings):
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["queue"] == ("ok" if settings.REDIS_URL else "in-process")


def test_openapi_schema_is_served(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Houtai API"
    assert "/api/v1/health" in schema["paths"]


def test_unknown_api_path_is_a_json_404(client, db):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
