"""Adapters over HTTP: the FastAPI app, GraphQL at /api, auth and file routes."""
