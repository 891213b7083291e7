"""The items API (openapi/items.yaml) in FastAPI, as a baseline for items-server.

FastAPI's "Additional Status Codes" example (PUT answers 200 when the item existed and 201 when
it did not) extended to the whole API: pydantic v2 models with the spec's limits, unknown
fields forbidden, keyset paging, and every error as RFC 9457 problem details
(application/problem+json) with the same status codes as items-server.

Run from this directory:
    uvicorn app:app --host 127.0.0.1 --port 8104 --workers 1 --log-level warning
The store is a dict in memory, seeded with foo and bar. One worker (one event loop) owns it:
there is no await between the lookup and the insert of a PUT, so created-vs-updated is atomic.
"""

from bisect import bisect_right, insort
from http import HTTPStatus
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.exceptions import HTTPException as StarletteHTTPException

ID_PATTERN = r"^[A-Za-z0-9._~-]+$"
MAX_BODY_BYTES = 64 * 1024

Name = Annotated[str, StringConstraints(strict=True, max_length=100, pattern=r"^[^\x00]*$")]
Size = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]
ItemId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]


class Item(BaseModel):
    """An item as stored; a field that was never set is null."""

    name: str | None = None
    size: int | None = None


class ItemUpdate(BaseModel):
    """The new state of an item. Both fields are optional; an omitted one becomes null."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    size: Size | None = None


class ItemSummary(BaseModel):
    """An item in a listing, with its id."""

    id: str
    name: str | None = None
    size: int | None = None


class ItemPage(BaseModel):
    """One page of a listing."""

    items: list[ItemSummary]
    next_cursor: str | None = None


# redirect_slashes=False: `/items/` is a 404 as in items-server, not a redirect to `/items`.
app = FastAPI(title="Items API", version="1.0.0", redirect_slashes=False)

items: dict[str, Item] = {
    "foo": Item(name="Fighters", size=6),
    "bar": Item(name="Tenders", size=3),
}
ids: list[str] = sorted(items)  # the keys in order, for keyset paging

# The reason phrases of Rust's `http` crate, which items-server uses as problem titles
# (Python 3.11 calls 413 "Request Entity Too Large").
TITLES = {413: "Payload Too Large", 422: "Unprocessable Entity"}


def problem(status_code: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """Problem details with the status's reason phrase as title (keys in items-server's order)."""
    title = TITLES.get(status_code) or HTTPStatus(status_code).phrase
    body = {"detail": detail, "status": status_code, "title": title, "type": "about:blank"}
    return JSONResponse(body, status_code, headers=headers, media_type="application/problem+json")


@app.exception_handler(StarletteHTTPException)
async def http_exception_handler(request, exc: StarletteHTTPException) -> JSONResponse:
    # Raised by the handlers (404), the router (404, 405) and the body limit (413).
    return problem(exc.status_code, str(exc.detail), exc.headers)


@app.exception_handler(RequestValidationError)
async def validation_exception_handler(request, exc: RequestValidationError) -> JSONResponse:
    # FastAPI answers 422; the spec says 400 for a malformed id, parameter or body.
    detail = "; ".join(
        f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
    )
    return problem(status.HTTP_400_BAD_REQUEST, detail)


class BodyLimitMiddleware:
    """413 for a PUT, POST or PATCH body over 64 KiB, with or without Content-Length.

    A pure ASGI middleware rather than FastAPI's `max_body_size`: when Content-Length is over
    the limit, Starlette's limiter replaces any response with a text/plain 413, and the spec
    wants problem details.
    """

    def __init__(self, app, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("PUT", "POST", "PATCH"):
            return await self.app(scope, receive, send)
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_size:
                return await too_large()(scope, receive, send)
        received = 0

        async def receive_with_limit():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_size:
                    # Raised inside the route's body read; the handler below answers it.
                    raise StarletteHTTPException(413, "payload too large")
            return message

        await self.app(scope, receive_with_limit, send)


def too_large() -> JSONResponse:
    return problem(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "payload too large")


app.add_middleware(BodyLimitMiddleware, max_body_size=MAX_BODY_BYTES)


def not_found(item_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"no item has the id `{item_id}`")


async def require_json(content_type: Annotated[str | None, Header()] = None) -> None:
    """415 unless the body is declared JSON (application/json or application/*+json)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if content_type is None:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "the client request does not include the `Content-Type` header",
        )
    if not (
        media_type == "application/json"
        or (media_type.startswith("application/") and media_type.endswith("+json"))
    ):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"the `Content-Type` requested by the client is not supported: {content_type}",
        )


@app.get("/items")
async def list_items(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(min_length=1, max_length=64, pattern=ID_PATTERN)] = None,
) -> ItemPage:
    start = 0 if cursor is None else bisect_right(ids, cursor)
    # One extra id says whether another page follows.
    page = ids[start : start + limit + 1]
    next_cursor = None
    if len(page) > limit:
        page = page[:limit]
        next_cursor = page[-1]
    return ItemPage(
        items=[ItemSummary(id=i, name=items[i].name, size=items[i].size) for i in page],
        next_cursor=next_cursor,
    )


@app.get("/items/{item_id}")
async def get_item(item_id: ItemId) -> Item:
    item = items.get(item_id)
    if item is None:
        raise not_found(item_id)
    return item


@app.put("/items/{item_id}", dependencies=[Depends(require_json)])
async def upsert_item(item_id: ItemId, update: ItemUpdate) -> Item:
    item = Item(name=update.name, size=update.size)
    if item_id in items:
        items[item_id] = item
        return item
    items[item_id] = item
    insort(ids, item_id)
    return JSONResponse(
        status_code=status.HTTP_201_CREATED,
        content=item.model_dump(),
        # Ids match ^[A-Za-z0-9._~-]+$ (checked before this runs): no escaping needed.
        headers={"Location": f"/items/{item_id}"},
    )


@app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_item(item_id: ItemId) -> Response:
    if items.pop(item_id, None) is None:
        raise not_found(item_id)
    ids.pop(bisect_right(ids, item_id) - 1)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
