"""Additions to the generated OpenAPI schema: the error answers every operation can give."""

ERROR = {
    "type": "object",
    "additionalProperties": True,
    "description": "`detail` for a general error, else the parameter's name with its messages.",
}
ERRORS = {
    "400": "A parameter could not be read: the body names it and says why.",
    "404": "No such object, or a cursor that is not one this API gave.",
    "429": "Too many requests from this address; `Retry-After` says when to try again.",
}


FORMATS = {
    "application/geo+json": {
        "type": "object",
        "description": "An RFC 7946 FeatureCollection of the events with a point.",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": {"type": "object"}},
            "links": {"type": "object"},
        },
    },
    "application/vnd.citationstyles.csl+json": {
        "description": "CSL-JSON items.",
        "oneOf": [
            {"type": "array", "items": {"type": "object", "required": ["id", "type"]}},
            {"type": "object"},
        ],
    },
    "text/csv": {"type": "string", "description": "ACLED's header, then one row per event."},
}


def format_schemas(result, generator, request, public):
    """drf-spectacular post-processing hook: a format's answer is described as that format,
    not as the JSON it is made from."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for response in operation.get("responses", {}).values():
                for media_type, schema in FORMATS.items():
                    if media_type in response.get("content", {}):
                        response["content"][media_type] = {"schema": schema}
    return result


def error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document 400, 404 and 429 on every operation."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for status, description in ERRORS.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR}},
                    },
                )
    return result
