"""headset_service: the local FastAPI service that serves scene bundles to headsets, takes
session events and shows staff pages.

    app = create_app(settings)      # then: uvicorn, or zorgblik serve
"""

from headset_service.app import create_app

__all__ = ["create_app"]
