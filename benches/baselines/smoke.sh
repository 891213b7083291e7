#!/usr/bin/env bash
# Hand check of a running items server: `./smoke.sh 127.0.0.1:8101`. Prints one line per
# request: method, path, what was sent, status, Content-Type, Location and body (cut at 160).
# Expects the seed items (foo, bar); creates and deletes its own items.
set -u
base="http://${1:-127.0.0.1:8000}"
big=$(head -c $((70 * 1024)) /dev/zero | tr '\0' a)
req() { # label method path content-type body [extra curl args...]
    local label=$1 method=$2 path=$3 ct=$4 body=$5; shift 5
    local args=(-s -o /tmp/smoke.body -D /tmp/smoke.head -X "$method")
    [ -n "$ct" ] && args+=(-H "Content-Type: $ct")
    [ -n "$body" ] && args+=(--data-binary "$body")
    curl "${args[@]}" "$@" "$base$path"
    local status ctype loc
    status=$(head -1 /tmp/smoke.head | awk '{print $2}')
    ctype=$(grep -i '^content-type:' /tmp/smoke.head | tr -d '\r' | cut -d' ' -f2-)
    loc=$(grep -i '^location:' /tmp/smoke.head | tr -d '\r' | cut -d' ' -f2-)
    printf '%-22s %-6s %-24s -> %s [%s]%s %s\n' "$label" "$method" "$path" "$status" "$ctype" \
        "${loc:+ Location: $loc}" "$(head -c 160 /tmp/smoke.body)"
}
J=application/json
req seed-get        GET    /items/foo     "" ""
req put-new         PUT    /items/smoke1  $J '{"name":"Smoke","size":1}'
req put-again       PUT    /items/smoke1  $J '{"size":2}'
req get-nulls       GET    /items/smoke1  "" ""
req put-charset     PUT    /items/smoke1  "$J; charset=utf-8" '{"name":null}'
req unknown-field   PUT    /items/foo     $J '{"nmae":1}'
req text-plain      PUT    /items/foo     text/plain '{"name":"x"}'
req no-content-type PUT    /items/foo     "" '{"name":"x"}' -H 'Content-Type:'
req body-70KiB      PUT    /items/foo     $J "{\"name\":\"$big\"}"
req chunked-70KiB   PUT    /items/foo     $J "{\"name\":\"$big\"}" -H 'Transfer-Encoding: chunked'
req size-float      PUT    /items/foo     $J '{"size":1.5}'
req size-string     PUT    /items/foo     $J '{"size":"5"}'
req size-neg        PUT    /items/foo     $J '{"size":-1}'
req size-big        PUT    /items/foo     $J '{"size":1000001}'
req name-nul        PUT    /items/foo     $J '{"name":"a\u0000b"}'
req name-101        PUT    /items/foo     $J "{\"name\":\"$(head -c 101 /dev/zero | tr '\0' n)\"}"
req body-null       PUT    /items/foo     $J 'null'
req body-array      PUT    /items/foo     $J '[1,2]'
req body-broken     PUT    /items/foo     $J '{"name":'
req body-empty      PUT    /items/foo     $J '' -H 'Content-Length: 0'
req bad-id          GET    /items/bad%20id "" ""
req bad-id-slash    GET    /items/a%2Fb   "" ""
req bad-id-utf8     GET    /items/%C3%A9  "" ""
req bad-id-65       GET    "/items/$(head -c 65 /dev/zero | tr '\0' x)" "" ""
req bad-id-put      PUT    /items/b%20z   $J '{}'
req nope            GET    /nope          "" ""
req deeper          GET    /items/foo/bar "" ""
req post-405        POST   /items/foo     $J '{}'
req patch-405       PATCH  /items         $J '{}'
req list-1          GET    '/items?limit=1' "" ""
req list-cursor     GET    '/items?limit=1&cursor=bar' "" ""
req list-all        GET    /items         "" ""
req limit-0         GET    '/items?limit=0' "" ""
req limit-101       GET    '/items?limit=101' "" ""
req limit-ten       GET    '/items?limit=ten' "" ""
req cursor-bad      GET    '/items?cursor=a%20b' "" ""
req delete          DELETE /items/smoke1  "" ""
req delete-again    DELETE /items/smoke1  "" ""
req get-missing     GET    /items/smoke1  "" ""
