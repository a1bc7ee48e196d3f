"""The OpenAPI description, made to say what the server does.

FastAPI describes every route as JSON answering 200 or 422. This server decides the format
by the path (``wants_json``: ``.json`` and ``/api/`` are JSON, ``.csv`` is CSV, the rest is
HTML), answers bad parameters with 400 (never 422) in the one error shape, 404 for an unknown
id, 503 when the store is slow or busy, and 411/413 for a body without a length or too large.
``describe`` rewrites the generated description by those same rules, so a client (or
schemathesis) can trust it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

DESCRIPTION = ("Who said what, when: every HTML page has a .json twin. Errors are "
               '{"error": "...", "status": N} on JSON and CSV paths, a page on HTML ones.')
ERROR = {"type": "object", "required": ["error", "status"],
         "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}}
TEXT = {"type": "string"}
MEDIA = {"json": "application/json", "csv": "text/csv", "html": "text/html"}
COMMON = {"400": "bad parameters: the message says which and what to send",
          "503": "the store is busy or the query took too long; retry shortly"}
BY_ID = {"404": "nothing has that id (or the id is not a number)"}
BODY = {"411": "a Content-Length header is required", "413": "the body is too large"}
# What only some operations answer ("method path" -> status -> why).
ANALYZE = {"400": "neither text nor url, a date that is not one, or a URL that cannot be "
                  "fetched (not http(s), private, failing)",
           "403": "storing needs a server started with --allow-writes and its token"}
SPECIAL = {"post /api/articles": {"401": "the bearer token is missing or wrong",
                                  "403": "this server is read-only (no --allow-writes)"},
           "post /analyze.json": ANALYZE, "post /analyze": ANALYZE}
DATE_OR_BLANK = [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]
NOT_BLANK = r"\S"  # what "text.strip()" keeps


def kind_of(path: str) -> str:
    """"json", "csv" or "html": the format a path answers in (the rule of ``wants_json``)."""
    if path.endswith(".json") or path.startswith("/api/"):
        return "json"
    return "csv" if path.endswith(".csv") else "html"


def install(app: FastAPI) -> None:
    """Serve ``describe``'s description at the app's openapi_url (built once)."""
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def describe(schema: dict[str, Any]) -> dict[str, Any]:
    """The generated description with the server's real formats, statuses and bodies."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    if "/analyze" in schema.get("paths", {}) and "AnalyzeIn" in schemas:
        schema["paths"]["/analyze"]["post"] = _form_post(schemas)
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            _responses(path, method, op)
    _bodies(schema.get("components", {}).get("schemas", {}))
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)
    return schema


def _responses(path: str, method: str, op: dict[str, Any]) -> None:
    kind = kind_of(path)
    responses: dict[str, Any] = op.setdefault("responses", {})
    responses.pop("422", None)  # validation errors are answered 400
    ok = responses.setdefault("200", {"description": "OK"})
    if kind != "json" and len(ok.get("content", {})) <= 1:  # several: described as served
        ok["content"] = {MEDIA[kind]: {"schema": TEXT}}
    errors = dict(COMMON)
    if "{" in path:
        errors.update(BY_ID)
    if method == "post":
        errors.update(BODY)
    errors.update(SPECIAL.get(f"{method} {path}", {}))
    error_media = ("text/html", TEXT) if kind == "html" else ("application/json", ERROR)
    for status, why in errors.items():
        responses[status] = {"description": why,
                             "content": {error_media[0]: {"schema": error_media[1]}}}


def _form_post(schemas: dict[str, Any]) -> dict[str, Any]:
    """POST /analyze: the form the analyze page posts (fields as in AnalyzeIn, ``store`` as a
    checkbox, plus the write ``token``), answered with the results page."""
    fields = {k: v for k, v in schemas["AnalyzeIn"]["properties"].items()
              if k in ("text", "url", "published")}
    schemas["AnalyzeForm"] = {
        "type": "object", "title": "AnalyzeForm",
        "properties": {**fields,
                       "store": {"type": "string", "description": "any value: store it"},
                       "token": {"type": "string", "description": "the write token"},
                       "download": {"type": "string", "enum": ["", "csv", "json"],
                                    "description": "csv or json: the results as a file"}}}
    return {"summary": "Analyze pasted text or a URL (html form)",
            "operationId": "analyze_page_analyze_post",
            "requestBody": {"required": True, "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"$ref": "#/components/schemas/AnalyzeForm"}}}},
            "responses": {"200": {"description": "the results page, or with ``download`` the "
                                                 "results as a CSV or JSON file",
                                  "content": {"text/html": {"schema": TEXT},
                                              "text/csv": {"schema": TEXT},
                                              "application/json": {"schema": {"type": "object"}}}}}}


def _bodies(schemas: dict[str, Any]) -> None:
    """Request bodies as the handlers check them: a date or nothing, and text or a URL."""
    for name in ("AnalyzeIn", "ArticleIn"):
        published = schemas.get(name, {}).get("properties", {}).get("published")
        if published is not None:
            nullable = {"type": "null"} in published.pop("anyOf", [])
            published.pop("type", None)
            published["anyOf"] = DATE_OR_BLANK + ([{"type": "null"}] if nullable else [])
    for name in ("AnalyzeIn", "AnalyzeForm"):  # neither text nor url: nothing to analyze
        if name in schemas:
            schemas[name]["anyOf"] = [
                {"required": [field], "properties": {field: {"pattern": NOT_BLANK}}}
                for field in ("text", "url")]
