#!/usr/bin/env python3
"""Builds the OpenAPI document the broker serves at /docs/openapi.json.

It is Brokkr's v0.4.2 wire contract (`brokkr-v1.openapi.json`) plus what this implementation
documents on top of it: the responses every operation can also give (401 for a missing or unknown
PAK, 400 for a malformed path, query or body, 404 for an unknown id, 409/422 for conflicts and
references the original answered with 500, 413 for an oversized body), the `error` field kept in
error bodies for older clients, the 202 of a work-order completion that schedules a retry, and the
conditional, long-polled target state (`ETag`, `If-None-Match`, `wait`, 304), and the conditional
pending work orders and diagnostics (`ETag`, `If-None-Match`, 304).

    scripts/openapi-document.py CONTRACT.json > Sources/API/Server/OpenAPI/brokkr-v1.openapi.json

The output is committed; rerun this when the contract changes.
"""

import copy
import json
import sys

ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}

ADDED = {
    "400": "Malformed path or query parameter, malformed JSON body, or text PostgreSQL cannot store (e.g. U+0000)",
    "401": "Missing, malformed or unknown PAK",
    "404": "A resource named in the path does not exist",
    "409": "Conflicts with an existing resource (`unique_violation`) or with the resource's state",
    "413": "Request body larger than the broker accepts",
    "422": "A required field is missing or has the wrong type (`invalid_field`), or a referenced resource does not exist (`foreign_key_violation`)",
}


def responses_for(method: str, path: str, operation: dict) -> list[str]:
    codes = ["400", "401"]
    if "{" in path:
        codes.append("404")
    if "requestBody" in operation:
        codes += ["409", "413", "422"]
    if method == "post" and path.endswith(("/claim", "/complete", "/result")):
        codes.append("409")
    return codes


ETAG = {
    "description": 'The target state\'s version: `"<version>-<mode>"` (a strong tag; `mode` is `incremental` or `full`)',
    "schema": {"type": "string"},
}


def add_target_state_polling(operation: dict) -> None:
    """GET target-state answers 304 to a matching If-None-Match, after waiting up to `wait` seconds for a change."""
    operation["parameters"] += [
        {
            "name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "The ETag of the target state the agent last processed: answers 304 when it is still current",
        },
        {
            "name": "wait", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
            "description": "With If-None-Match: seconds to wait for a change before answering 304 (a long poll; "
                           "longer waits are cut to 60). A change during the wait answers 200 at once",
        },
    ]
    responses = operation["responses"]
    responses["200"].setdefault("headers", {})["ETag"] = copy.deepcopy(ETAG)
    responses.setdefault("304", {
        "description": "Not modified: If-None-Match names the current target state (no body)",
        "headers": {"ETag": copy.deepcopy(ETAG)},
    })


LIST_ETAG = {
    "description": "A strong tag of the list's content: send it back in If-None-Match to get 304 while the list is unchanged",
    "schema": {"type": "string"},
}


def add_conditional_list(operation: dict) -> None:
    """A polled pending list answers 304 to an If-None-Match naming the tag of its current content."""
    operation["parameters"].append({
        "name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
        "description": "The ETag of the list the agent last received: answers 304 when the list is unchanged",
    })
    responses = operation["responses"]
    responses["200"].setdefault("headers", {})["ETag"] = copy.deepcopy(LIST_ETAG)
    responses.setdefault("304", {
        "description": "Not modified: If-None-Match names the current list (no body)",
        "headers": {"ETag": copy.deepcopy(LIST_ETAG)},
    })


def describe(contract: dict) -> dict:
    document = copy.deepcopy(contract)
    info = document["info"]
    info["title"] = "Brokkr broker (Swift)"
    info["description"] = (
        "Brokkr's v0.4.2 HTTP API as this implementation serves it. Paths, bodies, status codes and "
        "error codes follow Brokkr's contract; this document adds the responses every operation can "
        "also give (see the README's compatibility notes). Authenticate with `Authorization: Bearer <PAK>`."
    )
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation.setdefault("responses", {})
            for code in responses_for(method, path, operation):
                responses.setdefault(code, {"description": ADDED[code], **copy.deepcopy(ERROR)})
    complete = document["paths"]["/work-orders/{id}/complete"]["post"]["responses"]
    complete.setdefault("202", {
        "description": "The failure is retryable and a retry is scheduled",
        "content": {"application/json": {"schema": {
            "type": "object", "required": ["status"],
            "properties": {"status": {"type": "string", "enum": ["retry_scheduled"]}}}}},
    })
    add_target_state_polling(document["paths"]["/agents/{id}/target-state"]["get"])
    add_conditional_list(document["paths"]["/agents/{agent_id}/work-orders/pending"]["get"])
    add_conditional_list(document["paths"]["/agents/{id}/diagnostics/pending"]["get"])
    error = document["components"]["schemas"]["ErrorResponse"]
    error["properties"]["error"] = {
        "type": "string",
        "description": "The same text as `message`, kept for clients written before structured errors.",
    }
    return document


if __name__ == "__main__":
    source = sys.argv[1] if len(sys.argv) > 1 else "../shared/contract/brokkr-v1.openapi.json"
    with open(source) as f:
        json.dump(describe(json.load(f)), sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
