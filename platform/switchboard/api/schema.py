"""OpenAPI post-processing: add the unified model components from the connectors' single source of
truth, so the documented schemas are the ones the API validates against."""


def add_unified_components(result, generator, request, public):
    try:
        from connectors.unified import openapi_components
    except ImportError:
        return result
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in openapi_components().items():
        schemas.setdefault(name, schema)
    return result
