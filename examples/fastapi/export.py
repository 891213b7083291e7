"""Prints the OpenAPI document FastAPI serves for app.py at /openapi.json (indented JSON)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from app import app  # noqa: E402

json.dump(app.openapi(), sys.stdout, indent=2)
sys.stdout.write("\n")
