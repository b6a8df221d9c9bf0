"""`trocha serve`: a read-only local dashboard over a folder of runs (Starlette + uvicorn)."""
