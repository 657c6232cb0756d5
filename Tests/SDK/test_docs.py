"""The broker serves its own contract, and Swagger UI over it, without a key and without the internet."""

import json
import os
import shutil
import subprocess
import urllib.request


def base() -> str:
    return os.environ.get("BROKKR_URL", "http://127.0.0.1:3000").rstrip("/")


def test_openapi_document_is_served_unauthenticated():
    with urllib.request.urlopen(base() + "/docs/openapi.json") as response:
        assert response.status == 200
        document = json.load(response)
    assert document["info"]["version"] == "0.4.2"
    assert document["servers"] == [{"url": "/api/v1"}]
    operations = [op for path in document["paths"].values() for method, op in path.items() if method != "parameters"]
    assert len(operations) == 85
    assert "error" in document["components"]["schemas"]["ErrorResponse"]["properties"]


def test_swagger_ui_lists_the_operations_in_headless_chromium():
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Debian's chromium package is required (scripts/test.sh installs it)"
    # The page's scripts and styles come from the broker itself: block every other host.
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         "--virtual-time-budget=15000", "--dump-dom", base() + "/swagger-ui"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert 'class="swagger-ui"' in dom, dom[:2000]
    assert "Brokkr broker (Swift)" in dom
    for path in ("/agents/{id}/target-state", "/stacks/{id}/deployment-objects", "/work-orders/{id}/claim"):
        assert path in dom, f"{path} is not listed"
    assert dom.count("opblock-summary-method") >= 85, "every operation has a row"
