#!/usr/bin/env python3
"""Writes a synthetic OpenAPI 3.0 document of 500 operations, the size the "bring your own
spec" issue asks compile times for: 100 resources, each with list (paged, filtered), get,
create (201 + Location), replace and delete (204), a schema of eight typed fields (string
with pattern and length, integer with bounds, number, boolean, date-time, enum, array,
nested object) and problem-details errors. Deterministic: the same bytes every run.

    python3 benches/coverage/synthetic.py [OUT]   (default .cache/specs-synthetic/synthetic_500.yaml)

then time `target/release/codegen generate OUT` and `cargo check` of the module (see
BENCHMARKS.md, "Generator coverage").
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESOURCES = 100


def resource(i):
    name = f"Resource{i:03}"
    path = f"/resources{i:03}"
    ref = f"'#/components/schemas/{name}'"
    problem = "'#/components/responses/Problem'"
    return f"""  {path}:
    get:
      operationId: list{name}
      tags: [r{i // 10}]
      parameters:
        - {{name: limit, in: query, schema: {{type: integer, format: int32, minimum: 1, maximum: 100, default: 20}}}}
        - {{name: cursor, in: query, schema: {{type: string, maxLength: 64}}}}
        - {{name: status, in: query, schema: {{$ref: '#/components/schemas/Status'}}}}
      responses:
        '200':
          description: A page.
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {{type: array, items: {{$ref: {ref}}}}}
                  next_cursor: {{type: string, nullable: true}}
        '400': {{$ref: {problem}}}
    post:
      operationId: create{name}
      tags: [r{i // 10}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {{$ref: {ref}}}
      responses:
        '201':
          description: Created.
          headers:
            Location: {{schema: {{type: string}}}}
          content:
            application/json:
              schema: {{$ref: {ref}}}
        '4XX': {{$ref: {problem}}}
  {path}/{{id}}:
    parameters:
      - {{name: id, in: path, required: true, schema: {{type: string, pattern: '^[a-z0-9-]{{1,36}}$'}}}}
    get:
      operationId: get{name}
      tags: [r{i // 10}]
      responses:
        '200':
          description: Found.
          content:
            application/json:
              schema: {{$ref: {ref}}}
        '404': {{$ref: {problem}}}
        '400': {{$ref: {problem}}}
    put:
      operationId: replace{name}
      tags: [r{i // 10}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {{$ref: {ref}}}
      responses:
        '200':
          description: Replaced.
          content:
            application/json:
              schema: {{$ref: {ref}}}
        '4XX': {{$ref: {problem}}}
    delete:
      operationId: delete{name}
      tags: [r{i // 10}]
      responses:
        '204': {{description: Deleted.}}
        '404': {{$ref: {problem}}}
        '400': {{$ref: {problem}}}
"""


def schema(i):
    return f"""    Resource{i:03}:
      type: object
      required: [name, count]
      additionalProperties: false
      properties:
        name: {{type: string, minLength: 1, maxLength: 100, pattern: '^[^\\x00]*$'}}
        count: {{type: integer, format: int64, minimum: 0}}
        weight: {{type: number, format: double}}
        active: {{type: boolean, default: true}}
        updated_at: {{type: string, format: date-time, readOnly: true}}
        status: {{$ref: '#/components/schemas/Status'}}
        labels: {{type: array, maxItems: 20, items: {{type: string}}}}
        owner:
          type: object
          properties:
            id: {{type: string, format: uuid}}
            email: {{type: string, format: email}}
"""


def document():
    head = """openapi: 3.0.3
info:
  title: Synthetic 500
  version: 1.0.0
  description: 100 resources x 5 operations, written by benches/coverage/synthetic.py.
paths:
"""
    components = """components:
  responses:
    Problem:
      description: RFC 9457 problem details.
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
  schemas:
    Status: {type: string, enum: [draft, active, archived]}
    Problem:
      type: object
      required: [type, title, status]
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer, format: int32}
        detail: {type: string}
"""
    return (head + "".join(resource(i) for i in range(RESOURCES)) + components
            + "".join(schema(i) for i in range(RESOURCES)))


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / ".cache/specs-synthetic/synthetic_500.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document())
    print(out)


if __name__ == "__main__":
    main()
