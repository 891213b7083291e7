"""FastAPI's "Additional Status Codes" tutorial app, as the tutorial writes it (Python 3.10+).

The PUT answers 200 when the item existed and 201 when it did not, but the 201 is returned by
hand, so FastAPI's exported document (export.py) does not declare it. openapi.json
is that export with the 201 declared: the one edit a user makes when moving to items.
"""

from fastapi import Body, FastAPI, status
from fastapi.responses import JSONResponse

app = FastAPI()

items = {"foo": {"name": "Fighters", "size": 6}, "bar": {"name": "Tenders", "size": 3}}


@app.put("/items/{item_id}")
async def upsert_item(
    item_id: str,
    name: str | None = Body(default=None),
    size: int | None = Body(default=None),
):
    if item_id in items:
        item = items[item_id]
        item["name"] = name
        item["size"] = size
        return item
    else:
        item = {"name": name, "size": size}
        items[item_id] = item
        return JSONResponse(status_code=status.HTTP_201_CREATED, content=item)
