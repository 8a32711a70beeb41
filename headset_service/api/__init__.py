"""The JSON API: one router per resource, for staff tools and headsets (OpenAPI at /docs)."""
