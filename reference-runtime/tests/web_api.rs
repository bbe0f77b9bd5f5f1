//! The Web APIs of the bootstrap, exercised from worker scripts through the embedding API.
//!
//! Most tests run a handler that records what it observes into an object and returns it as
//! JSON; the test then asserts on each field, so a failure names the one behaviour that broke.

use std::sync::{Mutex, Once};

use bytes::Bytes;
use edgecase_runtime::{Runtime, RuntimeConfig, Syntax, WorkerSpec};
use serde_json::{Value, json};

fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig::default()).expect("runtime starts")
}

fn get(path: &str) -> http::Request<Bytes> {
    http::Request::builder()
        .uri(format!("http://localhost{path}"))
        .body(Bytes::new())
        .expect("valid request")
}

/// Runs `body` inside an async fetch handler that fills the object `out`, and returns `out`.
///
/// An exception in `body` comes back as `{ "uncaught": "<name>: <message>" }`, so the assert on
/// the first missing field shows what went wrong.
async fn observe(body: &str) -> Value {
    let script = format!(
        r##"export default {{
            async fetch(request) {{
                const out = {{}};
                try {{
                    {body}
                }} catch (error) {{
                    out.uncaught = `${{error && error.name}}: ${{error && error.message}}`;
                }}
                return Response.json(out);
            }},
        }};"##
    );
    let rt = runtime();
    rt.add_worker(WorkerSpec::new("observer", script).with_syntax(Syntax::Module))
        .await
        .expect("worker starts");
    let response = rt.fetch("observer", get("/")).await.expect("fetch");
    assert_eq!(response.status(), 200, "the observing handler failed");
    let bytes = response.into_body().collect().await;
    serde_json::from_slice(&bytes).expect("handler returns JSON")
}

/// Calls `fragment` and records `"<name>: <message>"` of what it throws, or "no error".
const CAPTURE_ERROR: &str = r##"
    function errorOf(fragment) {
        try { fragment(); return "no error"; }
        catch (error) { return `${error.name}: ${error.message}`; }
    }
    async function rejectionOf(promise) {
        try { await promise; return "no error"; }
        catch (error) { return `${error.name}: ${error.message}`; }
    }
"##;

fn with_helpers(body: &str) -> String {
    format!("{CAPTURE_ERROR}\n{body}")
}

#[tokio::test]
async fn text_encoder_replaces_lone_surrogates() {
    let out = observe(
        r##"
        const encoder = new TextEncoder();
        out.lone = [...encoder.encode("a\uD800b")];
        out.pair = [...encoder.encode("\uD83D\uDE00")];
        out.trailing = [...encoder.encode("x\uDC00")];
        const target = new Uint8Array(4);
        out.into = encoder.encodeInto("a\uD83D\uDE00b", target);
        out.encoding = encoder.encoding;
        "##,
    )
    .await;
    assert_eq!(out["lone"], json!([0x61, 0xef, 0xbf, 0xbd, 0x62]));
    assert_eq!(out["pair"], json!([0xf0, 0x9f, 0x98, 0x80]));
    assert_eq!(out["trailing"], json!([0x78, 0xef, 0xbf, 0xbd]));
    // The emoji needs 4 bytes and does not fit after "a", so only "a" is written.
    assert_eq!(out["into"], json!({ "read": 1, "written": 1 }));
    assert_eq!(out["encoding"], "utf-8");
}

#[tokio::test]
async fn text_decoder_streams_split_characters() {
    let out = observe(
        r##"
        const bytes = new TextEncoder().encode("a€b😀");
        const decoder = new TextDecoder();
        const pieces = [];
        for (let i = 0; i < bytes.length; i++) {
            pieces.push(decoder.decode(bytes.subarray(i, i + 1), { stream: true }));
        }
        pieces.push(decoder.decode());
        out.pieces = pieces;
        out.joined = pieces.join("");
        out.truncated = new TextDecoder().decode(bytes.subarray(0, 3));
        const reused = new TextDecoder();
        reused.decode(new Uint8Array([0xe2, 0x82]), { stream: true });
        out.flushed = reused.decode();
        out.afterFlush = reused.decode(new Uint8Array([0x41]));
        "##,
    )
    .await;
    assert_eq!(
        out["pieces"],
        json!(["a", "", "", "€", "b", "", "", "", "😀", ""])
    );
    assert_eq!(out["joined"], "a€b😀");
    assert_eq!(out["truncated"], "a\u{fffd}");
    assert_eq!(out["flushed"], "\u{fffd}");
    assert_eq!(out["afterFlush"], "A");
}

#[tokio::test]
async fn text_decoder_options_and_labels() {
    let out = observe(&with_helpers(
        r##"
        const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x41]);
        out.bomRemoved = new TextDecoder().decode(bom);
        out.bomKept = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bom);
        out.fatal = errorOf(() => new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xff])));
        out.replaced = new TextDecoder().decode(new Uint8Array([0x41, 0xff]));
        out.latin1 = new TextDecoder(" Latin1 ").encoding;
        out.windows1252 = new TextDecoder("latin1").decode(new Uint8Array([0x80]));
        out.utf16 = new TextDecoder("utf-16le").decode(new Uint16Array([0x48, 0x69]));
        out.dataView = new TextDecoder().decode(new DataView(new Uint8Array([0x41, 0x42, 0x43]).buffer, 1, 1));
        out.arrayBuffer = new TextDecoder().decode(new Uint8Array([0x5a]).buffer);
        out.badLabel = errorOf(() => new TextDecoder("no-such-encoding"));
        out.replacementLabel = errorOf(() => new TextDecoder("iso-2022-kr"));
        out.badInput = errorOf(() => new TextDecoder().decode("text"));
        "##,
    ))
    .await;
    assert_eq!(out["bomRemoved"], "A");
    assert_eq!(out["bomKept"], "\u{feff}A");
    assert_eq!(out["fatal"], "TypeError: Failed to decode input.");
    assert_eq!(out["replaced"], "A\u{fffd}");
    assert_eq!(out["latin1"], "windows-1252");
    assert_eq!(out["windows1252"], "€");
    assert_eq!(out["utf16"], "Hi");
    assert_eq!(out["dataView"], "B");
    assert_eq!(out["arrayBuffer"], "Z");
    assert_eq!(
        out["badLabel"],
        "RangeError: \"no-such-encoding\" is not a valid encoding."
    );
    assert_eq!(
        out["replacementLabel"],
        "RangeError: \"iso-2022-kr\" is not a valid encoding."
    );
    assert!(out["badInput"].as_str().unwrap().starts_with("TypeError"));
}

#[tokio::test]
async fn base64_round_trip_and_errors() {
    let out = observe(&with_helpers(
        r##"
        out.encoded = btoa("hello\u00ff");
        out.decoded = atob(" aGVs\nbG8= ");
        out.unpadded = atob("aGVsbG8");
        out.nonLatin1 = errorOf(() => btoa("€"));
        out.badLength = errorOf(() => atob("abcde"));
        out.badCharacter = errorOf(() => atob("ab$d"));
        try { atob("a"); } catch (error) { out.code = error.code; out.isDomException = error instanceof DOMException; }
        "##,
    ))
    .await;
    assert_eq!(out["encoded"], "aGVsbG//");
    assert_eq!(out["decoded"], "hello");
    assert_eq!(out["unpadded"], "hello");
    assert_eq!(
        out["nonLatin1"],
        "InvalidCharacterError: btoa() can only operate on characters in the Latin1 (ISO/IEC 8859-1) range."
    );
    assert!(
        out["badLength"]
            .as_str()
            .unwrap()
            .starts_with("InvalidCharacterError: atob() called with invalid base64-encoded data.")
    );
    assert!(
        out["badCharacter"]
            .as_str()
            .unwrap()
            .starts_with("InvalidCharacterError")
    );
    assert_eq!(out["code"], 5);
    assert_eq!(out["isDomException"], true);
}

#[tokio::test]
async fn url_parses_and_rejects() {
    let out = observe(&with_helpers(
        r##"
        const url = new URL("https://user:pass@Example.COM:8443/a/./b/../c?x=1#top");
        out.parts = [url.href, url.origin, url.protocol, url.username, url.password, url.host,
            url.hostname, url.port, url.pathname, url.search, url.hash];
        out.relative = new URL("../d?q", "https://e.com/a/b/c").href;
        out.defaultPort = new URL("https://e.com:443/").href;
        out.invalid = errorOf(() => new URL("not a url"));
        out.invalidBase = errorOf(() => new URL("/path", "also not a url"));
        out.canParse = [URL.canParse("https://e.com"), URL.canParse("/p"), URL.canParse("/p", "https://e.com")];
        out.parseNull = URL.parse("nope");
        out.json = JSON.stringify({ url: new URL("https://e.com/p") });
        out.idna = new URL("https://münchen.de/").hostname;
        "##,
    ))
    .await;
    assert_eq!(
        out["parts"],
        json!([
            "https://user:pass@example.com:8443/a/c?x=1#top",
            "https://example.com:8443",
            "https:",
            "user",
            "pass",
            "example.com:8443",
            "example.com",
            "8443",
            "/a/c",
            "?x=1",
            "#top"
        ])
    );
    assert_eq!(out["relative"], "https://e.com/a/d?q");
    assert_eq!(out["defaultPort"], "https://e.com/");
    assert_eq!(out["invalid"], "TypeError: Invalid URL string.");
    assert_eq!(out["invalidBase"], "TypeError: Invalid URL string.");
    assert_eq!(out["canParse"], json!([true, false, true]));
    assert_eq!(out["parseNull"], Value::Null);
    assert_eq!(out["json"], r##"{"url":"https://e.com/p"}"##);
    assert_eq!(out["idna"], "xn--mnchen-3ya.de");
}

#[tokio::test]
async fn url_setters_follow_the_standard() {
    let out = observe(
        r##"
        const url = new URL("https://example.com/path?a=1#h");
        url.port = "8080"; out.port = url.host;
        url.port = "443"; out.defaultPort = url.port;
        url.port = "not a number"; out.invalidPort = url.port;
        url.protocol = "http"; out.protocol = url.href;
        url.protocol = "mailto"; out.specialToOpaque = url.protocol;
        url.hostname = "other.org"; out.hostname = url.host;
        url.username = "u@s"; url.password = "p w"; out.credentials = url.href;
        url.pathname = "a b/ü"; out.pathname = url.pathname;
        url.hash = "#frag ment"; out.hash = url.hash;
        url.hash = ""; out.noHash = url.href;
        url.host = "h.test:81"; out.host = [url.hostname, url.port];
        url.search = "?q=1 2"; out.search = url.search;
        url.href = "https://reset.test/"; out.href = url.href;
        "##,
    )
    .await;
    assert_eq!(out["port"], "example.com:8080");
    assert_eq!(out["defaultPort"], "");
    assert_eq!(out["invalidPort"], "");
    assert_eq!(out["protocol"], "http://example.com/path?a=1#h");
    assert_eq!(out["specialToOpaque"], "http:");
    assert_eq!(out["hostname"], "other.org");
    assert_eq!(
        out["credentials"],
        "http://u%40s:p%20w@other.org/path?a=1#h"
    );
    assert_eq!(out["pathname"], "/a%20b/%C3%BC");
    assert_eq!(out["hash"], "#frag%20ment");
    assert_eq!(
        out["noHash"],
        "http://u%40s:p%20w@other.org/a%20b/%C3%BC?a=1"
    );
    assert_eq!(out["host"], json!(["h.test", "81"]));
    assert_eq!(out["search"], "?q=1%202");
    assert_eq!(out["href"], "https://reset.test/");
}

#[tokio::test]
async fn url_search_params_stay_in_sync() {
    let out = observe(
        r##"
        const url = new URL("https://e.com/?a=1&b=2");
        const params = url.searchParams;
        params.append("c", "x y");
        out.afterAppend = url.search;
        url.search = "?z=9";
        out.afterSearchSet = [...params];
        out.sameObject = url.searchParams === params;
        params.delete("z");
        out.emptied = [url.search, url.href];
        url.href = "https://e.com/?k=v";
        out.afterHrefSet = params.get("k");
        params.set("k", "é&=");
        out.encoded = url.href;
        "##,
    )
    .await;
    assert_eq!(out["afterAppend"], "?a=1&b=2&c=x+y");
    assert_eq!(out["afterSearchSet"], json!([["z", "9"]]));
    assert_eq!(out["sameObject"], true);
    assert_eq!(out["emptied"], json!(["", "https://e.com/"]));
    assert_eq!(out["afterHrefSet"], "v");
    assert_eq!(out["encoded"], "https://e.com/?k=%C3%A9%26%3D");
}

#[tokio::test]
async fn url_search_params_constructors_and_sort() {
    let out = observe(&with_helpers(
        r##"
        out.fromString = [...new URLSearchParams("?a=1&a=2&b=%20+x")];
        out.fromRecord = [...new URLSearchParams({ one: 1, two: "2" })];
        out.fromPairs = [...new URLSearchParams([["p", "q"], new Set(["r", "s"])])];
        out.fromParams = new URLSearchParams(new URLSearchParams("m=n")).toString();
        out.badPair = errorOf(() => new URLSearchParams([["only"]]));
        const sorted = new URLSearchParams("z=1&\uFB03=2&a=3&\uD83C\uDF08=4&a=0&z=2");
        sorted.sort();
        out.sorted = [...sorted.keys()];
        out.sortedValues = sorted.getAll("a").concat(sorted.getAll("z"));
        const params = new URLSearchParams("a=1&a=2&b=3");
        out.size = params.size;
        out.hasValue = [params.has("a", "2"), params.has("a", "9"), params.has("b")];
        params.delete("a", "1");
        out.afterDelete = params.toString();
        out.spaces = new URLSearchParams({ q: "a b+c~*" }).toString();
        "##,
    ))
    .await;
    assert_eq!(
        out["fromString"],
        json!([["a", "1"], ["a", "2"], ["b", "  x"]])
    );
    assert_eq!(out["fromRecord"], json!([["one", "1"], ["two", "2"]]));
    assert_eq!(out["fromPairs"], json!([["p", "q"], ["r", "s"]]));
    assert_eq!(out["fromParams"], "m=n");
    assert_eq!(
        out["badPair"],
        "TypeError: Invalid URL search params sequence."
    );
    // Code-unit order puts the surrogate pair of U+1F308 before U+FB03.
    assert_eq!(out["sorted"], json!(["a", "a", "z", "z", "🌈", "ﬃ"]));
    assert_eq!(out["sortedValues"], json!(["3", "0", "1", "2"]));
    assert_eq!(out["size"], 3);
    assert_eq!(out["hasValue"], json!([true, false, true]));
    assert_eq!(out["afterDelete"], "a=2&b=3");
    assert_eq!(out["spaces"], "q=a+b%2Bc%7E*");
}

#[tokio::test]
async fn headers_combine_keeps_set_cookie_apart() {
    let out = observe(
        r##"
        const headers = new Headers([["X-B", "1"], ["Set-Cookie", "a=1"], ["content-type", "text/plain"]]);
        headers.append("set-cookie", "b=2; Path=/");
        headers.append("x-b", "2");
        headers.append("Accept", "*/*");
        out.entries = [...headers];
        out.keys = [...headers.keys()];
        out.values = [...headers.values()];
        out.get = headers.get("X-b");
        out.cookieGet = headers.get("set-cookie");
        out.getSetCookie = headers.getSetCookie();
        const visited = [];
        headers.forEach((value, name) => visited.push(name));
        out.forEach = visited;
        "##,
    )
    .await;
    assert_eq!(
        out["entries"],
        json!([
            ["accept", "*/*"],
            ["content-type", "text/plain"],
            ["set-cookie", "a=1"],
            ["set-cookie", "b=2; Path=/"],
            ["x-b", "1, 2"]
        ])
    );
    assert_eq!(
        out["keys"],
        json!(["accept", "content-type", "set-cookie", "set-cookie", "x-b"])
    );
    assert_eq!(
        out["values"],
        json!(["*/*", "text/plain", "a=1", "b=2; Path=/", "1, 2"])
    );
    assert_eq!(out["get"], "1, 2");
    assert_eq!(out["cookieGet"], "a=1, b=2; Path=/");
    assert_eq!(out["getSetCookie"], json!(["a=1", "b=2; Path=/"]));
    assert_eq!(out["forEach"], out["keys"]);
}

#[tokio::test]
async fn headers_validate_and_normalize() {
    let out = observe(&with_helpers(
        r##"
        const headers = new Headers({ "X-Trim": " \t value \r\n" });
        out.trimmed = headers.get("x-trim");
        out.badName = errorOf(() => headers.set("bad name", "x"));
        out.emptyName = errorOf(() => headers.set("", "x"));
        out.badValue = errorOf(() => headers.set("x", "a\nb"));
        out.nulValue = errorOf(() => headers.append("x", "a\0b"));
        out.badSequence = errorOf(() => new Headers([["a", "b", "c"]]));
        out.missing = headers.get("absent");
        headers.set("X-Trim", "new");
        out.replaced = [...headers];
        headers.delete("X-TRIM");
        out.deleted = headers.has("x-trim");
        const copy = new Headers(new Headers({ a: "1" }));
        out.copy = [...copy];
        out.incoming = errorOf(() => request.headers.set("x", "y"));
        const rewritten = new Request(request);
        rewritten.headers.set("x", "y");
        out.rewritten = rewritten.headers.get("x");
        out.redirect = errorOf(() => Response.redirect("https://e.com/").headers.set("x", "y"));
        out.ownResponse = errorOf(() => new Response("x").headers.set("x", "y"));
        "##,
    ))
    .await;
    assert_eq!(out["trimmed"], "value");
    assert_eq!(out["badName"], "TypeError: Invalid header name.");
    assert_eq!(out["emptyName"], "TypeError: Invalid header name.");
    assert_eq!(out["badValue"], "TypeError: Invalid header value.");
    assert_eq!(out["nulValue"], "TypeError: Invalid header value.");
    assert!(
        out["badSequence"]
            .as_str()
            .unwrap()
            .starts_with("TypeError")
    );
    assert_eq!(out["missing"], Value::Null);
    assert_eq!(out["replaced"], json!([["x-trim", "new"]]));
    assert_eq!(out["deleted"], false);
    assert_eq!(out["copy"], json!([["a", "1"]]));
    assert_eq!(
        out["incoming"],
        "TypeError: Can't modify immutable headers."
    );
    assert_eq!(out["rewritten"], "y");
    assert_eq!(
        out["redirect"],
        "TypeError: Can't modify immutable headers."
    );
    assert_eq!(out["ownResponse"], "no error");
}

#[tokio::test]
async fn body_can_be_read_only_once() {
    let out = observe(&with_helpers(
        r##"
        const response = new Response("once");
        out.first = await response.text();
        out.used = response.bodyUsed;
        out.second = await rejectionOf(response.text());
        out.asJson = await rejectionOf(response.json());
        out.clone = errorOf(() => response.clone());
        const pending = new Response("race");
        const first = pending.arrayBuffer();
        out.whilePending = await rejectionOf(pending.text());
        out.firstLength = (await first).byteLength;
        const empty = new Response(null);
        out.emptyTwice = [await empty.text(), await empty.text(), empty.bodyUsed, empty.body];
        const request = new Request("https://e.com", { method: "POST", body: "req" });
        await request.text();
        out.requestSecond = await rejectionOf(request.text());
        "##,
    ))
    .await;
    let used = "TypeError: Body has already been used. It can only be used once. Use tee() first \
                if you need to read it twice.";
    assert_eq!(out["first"], "once");
    assert_eq!(out["used"], true);
    assert_eq!(out["second"], used);
    assert_eq!(out["asJson"], used);
    assert!(out["clone"].as_str().unwrap().starts_with("TypeError"));
    assert_eq!(out["whilePending"], used);
    assert_eq!(out["firstLength"], 4);
    assert_eq!(out["emptyTwice"], json!(["", "", false, null]));
    assert_eq!(out["requestSecond"], used);
}

#[tokio::test]
async fn body_init_types_set_content_type() {
    let out = observe(
        r##"
        const typeOf = (body, init) => new Response(body, init).headers.get("content-type");
        out.string = typeOf("s");
        out.buffer = typeOf(new Uint8Array([1]));
        out.blob = typeOf(new Blob(["b"], { type: "image/png" }));
        out.untypedBlob = typeOf(new Blob(["b"]));
        out.params = typeOf(new URLSearchParams("a=b"));
        out.formData = typeOf(new FormData()).startsWith("multipart/form-data; boundary=");
        out.explicit = typeOf("s", { headers: { "Content-Type": "text/html" } });
        out.none = typeOf(null);
        out.bytes = [...await new Response(new Uint16Array([0x4241]).buffer).bytes()];
        out.view = await new Response(new DataView(new TextEncoder().encode("xyz").buffer, 1)).text();
        out.blobText = await new Response(new Blob(["from blob"])).text();
        out.paramsText = await new Response(new URLSearchParams({ k: "v w" })).text();
        out.objectBody = await new Response({}).text();
        const blob = await new Response("typed", { headers: { "content-type": "text/csv" } }).blob();
        out.readBlob = [blob.type, blob.size, await blob.text()];
        const buffer = await new Response("ab").arrayBuffer();
        out.arrayBuffer = buffer instanceof ArrayBuffer && buffer.byteLength === 2;
        "##,
    )
    .await;
    assert_eq!(out["string"], "text/plain;charset=UTF-8");
    assert_eq!(out["buffer"], Value::Null);
    assert_eq!(out["blob"], "image/png");
    assert_eq!(out["untypedBlob"], Value::Null);
    assert_eq!(
        out["params"],
        "application/x-www-form-urlencoded;charset=UTF-8"
    );
    assert_eq!(out["formData"], true);
    assert_eq!(out["explicit"], "text/html");
    assert_eq!(out["none"], Value::Null);
    assert_eq!(out["bytes"], json!([0x41, 0x42]));
    assert_eq!(out["view"], "yz");
    assert_eq!(out["blobText"], "from blob");
    assert_eq!(out["paramsText"], "k=v+w");
    assert_eq!(out["objectBody"], "[object Object]");
    assert_eq!(out["readBlob"], json!(["text/csv", 5, "typed"]));
    assert_eq!(out["arrayBuffer"], true);
}

#[tokio::test]
async fn body_stream_reads_and_moves() {
    let out = observe(&with_helpers(
        r##"
        const response = new Response("streamed");
        out.sameStream = response.body === response.body;
        const reader = response.body.getReader();
        out.locked = response.body.locked;
        out.lockedRead = await rejectionOf(response.text());
        const chunk = await reader.read();
        out.chunk = new TextDecoder().decode(chunk.value);
        out.done = (await reader.read()).done;
        out.usedAfterRead = response.bodyUsed;

        const original = new Response("moved", { status: 201, headers: { "x-a": "1" } });
        const copy = new Response(original.body, original);
        out.copy = [copy.status, copy.headers.get("x-a"), await copy.text()];
        out.originalUsed = original.bodyUsed;
        out.reuse = errorOf(() => new Response(original.body));

        const [left, right] = new Response("tee").body.tee();
        out.tee = [await new Response(left).text(), await new Response(right).text()];
        const bytes = [];
        for await (const part of new Response("it").body) bytes.push(...part);
        out.iterated = bytes;
        "##,
    ))
    .await;
    assert_eq!(out["sameStream"], true);
    assert_eq!(out["locked"], true);
    assert_eq!(
        out["lockedRead"],
        "TypeError: This ReadableStream is currently locked to a reader."
    );
    assert_eq!(out["chunk"], "streamed");
    assert_eq!(out["done"], true);
    assert_eq!(out["usedAfterRead"], true);
    assert_eq!(out["copy"], json!([201, "1", "moved"]));
    assert_eq!(out["originalUsed"], true);
    assert_eq!(
        out["reuse"],
        "TypeError: This ReadableStream is disturbed (has already been read from), and cannot be \
         used as a body."
    );
    assert_eq!(out["tee"], json!(["tee", "tee"]));
    assert_eq!(out["iterated"], json!([105, 116]));
}

#[tokio::test]
async fn response_constructor_checks_status() {
    let out = observe(&with_helpers(
        r##"
        const response = new Response("x", { status: 418 });
        out.teapot = [response.status, response.statusText, response.ok, response.type, response.url, response.redirected];
        out.defaults = [new Response().status, new Response().statusText, new Response().ok];
        out.unknownText = new Response(null, { status: 599 }).statusText;
        out.explicitText = new Response(null, { statusText: "" }).statusText;
        out.tooLow = errorOf(() => new Response(null, { status: 199 }));
        out.tooHigh = errorOf(() => new Response(null, { status: 600 }));
        out.nullBody = errorOf(() => new Response("body", { status: 204 }));
        out.nullBodyEmpty = new Response("", { status: 304 }).body;
        out.nullBodyNull = new Response(null, { status: 205 }).status;
        out.badStatusText = errorOf(() => new Response(null, { statusText: "a\r\nb" }));
        "##,
    ))
    .await;
    assert_eq!(
        out["teapot"],
        json!([418, "I'm a teapot", false, "default", "", false])
    );
    assert_eq!(out["defaults"], json!([200, "OK", true]));
    assert_eq!(out["unknownText"], "Server Error");
    assert_eq!(out["explicitText"], "");
    let range = "RangeError: Responses may only be constructed with status codes in the range 200 \
                 to 599, inclusive.";
    assert_eq!(out["tooLow"], range);
    assert_eq!(out["tooHigh"], range);
    assert_eq!(
        out["nullBody"],
        "TypeError: Response with null body status (101, 204, 205, or 304) cannot have a body."
    );
    assert_eq!(out["nullBodyEmpty"], Value::Null);
    assert_eq!(out["nullBodyNull"], 205);
    assert_eq!(out["badStatusText"], "TypeError: Invalid statusText");
}

#[tokio::test]
async fn response_statics_check_their_arguments() {
    let out = observe(&with_helpers(
        r##"
        out.redirects = [301, 302, 303, 307, 308].map((status) => Response.redirect("https://e.com/", status).status);
        const redirect = Response.redirect("https://e.com/a b");
        out.redirect = [redirect.status, redirect.headers.get("location"), redirect.body];
        out.badStatus = errorOf(() => Response.redirect("https://e.com/", 200));
        out.badUrl = errorOf(() => Response.redirect("/relative"));
        const json = Response.json({ n: 1 }, { status: 201, headers: { "x-a": "b" } });
        out.json = [json.status, json.headers.get("content-type"), json.headers.get("x-a"), await json.json()];
        out.jsonType = Response.json(1, { headers: { "content-type": "application/x" } }).headers.get("content-type");
        out.jsonUndefined = errorOf(() => Response.json(undefined));
        const error = Response.error();
        out.error = [error.type, error.status, error.statusText, error.ok, error.body];
        out.errorHeaders = errorOf(() => error.headers.set("a", "b"));
        "##,
    ))
    .await;
    assert_eq!(out["redirects"], json!([301, 302, 303, 307, 308]));
    assert_eq!(out["redirect"], json!([302, "https://e.com/a%20b", null]));
    assert_eq!(
        out["badStatus"],
        "RangeError: 200 is not a redirect status code. It must be one of: 301, 302, 303, 307, \
         or 308."
    );
    assert_eq!(out["badUrl"], "TypeError: Unable to parse URL: /relative");
    assert_eq!(
        out["json"],
        json!([201, "application/json", "b", { "n": 1 }])
    );
    assert_eq!(out["jsonType"], "application/x");
    assert!(
        out["jsonUndefined"]
            .as_str()
            .unwrap()
            .starts_with("TypeError")
    );
    assert_eq!(out["error"], json!(["error", 0, "", false, null]));
    assert_eq!(
        out["errorHeaders"],
        "TypeError: Can't modify immutable headers."
    );
}

#[tokio::test]
async fn request_constructor_normalizes_and_checks() {
    let out = observe(&with_helpers(
        r##"
        const post = new Request("https://Example.com/p", { method: "post", body: "data", headers: { "X-A": "1" }, cf: { cacheTtl: 5 } });
        out.post = [post.method, post.url, post.headers.get("x-a"), post.redirect, post.cf, post.signal.aborted];
        out.keepsCase = new Request("https://e.com", { method: "patch" }).method;
        out.forbidden = ["CONNECT", "trace", "Track"].map((method) => errorOf(() => new Request("https://e.com", { method })).split(":")[0]);
        out.badMethod = errorOf(() => new Request("https://e.com", { method: "bad method" }));
        out.getBody = errorOf(() => new Request("https://e.com", { body: "x" }));
        out.headBody = errorOf(() => new Request("https://e.com", { method: "HEAD", body: "x" }));
        out.relative = errorOf(() => new Request("/relative")).split(":")[0];
        out.redirectError = errorOf(() => new Request("https://e.com", { redirect: "error" })).split(":")[0];
        out.redirectManual = new Request("https://e.com", { redirect: "manual" }).redirect;
        out.badSignal = errorOf(() => new Request("https://e.com", { signal: {} })).split(":")[0];
        const controller = new AbortController();
        out.signal = new Request("https://e.com", { signal: controller.signal }).signal === controller.signal;
        out.integrity = errorOf(() => new Request("https://e.com", { integrity: "sha256-x" })).split(":")[0];

        const clone = post.clone();
        out.clone = [await clone.text(), clone.cf.cacheTtl, clone.cf === post.cf, clone.headers === post.headers];
        const copy = new Request(post, { headers: { "X-B": "2" } });
        out.copy = [copy.method, copy.url, copy.headers.get("x-a"), copy.headers.get("x-b"), post.bodyUsed, await copy.text()];
        out.reuse = errorOf(() => new Request(post));
        const replaced = new Request(post, { body: "replacement" });
        out.replaced = await replaced.text();
        out.json = await new Request("https://e.com", { method: "PUT", body: '{"a":[1]}' }).json();
        "##,
    ))
    .await;
    assert_eq!(
        out["post"],
        json!(["POST", "https://example.com/p", "1", "follow", { "cacheTtl": 5 }, false])
    );
    assert_eq!(out["keepsCase"], "patch");
    assert_eq!(
        out["forbidden"],
        json!(["TypeError", "TypeError", "TypeError"])
    );
    assert_eq!(
        out["badMethod"],
        "TypeError: Invalid HTTP method string: bad method"
    );
    let get_body = "TypeError: Request with a GET or HEAD method cannot have a body.";
    assert_eq!(out["getBody"], get_body);
    assert_eq!(out["headBody"], get_body);
    assert_eq!(out["relative"], "TypeError");
    assert_eq!(out["redirectError"], "TypeError");
    assert_eq!(out["redirectManual"], "manual");
    assert_eq!(out["badSignal"], "TypeError");
    assert_eq!(out["signal"], true);
    assert_eq!(out["integrity"], "TypeError");
    assert_eq!(out["clone"], json!(["data", 5, false, false]));
    assert_eq!(
        out["copy"],
        json!(["POST", "https://example.com/p", null, "2", true, "data"])
    );
    assert_eq!(
        out["reuse"],
        "TypeError: Cannot reconstruct a Request with a used body."
    );
    assert_eq!(out["replaced"], "replacement");
    assert_eq!(out["json"], json!({ "a": [1] }));
}

#[tokio::test]
async fn incoming_request_reflects_the_http_request() {
    let script = r##"export default {
        async fetch(request) {
            return Response.json({
                method: request.method,
                url: request.url,
                headers: [...request.headers],
                body: await request.text(),
                cf: request.cf,
                isRequest: request instanceof Request,
            });
        },
    };"##;
    let rt = runtime();
    rt.add_worker(WorkerSpec::new("incoming", script).with_syntax(Syntax::Module))
        .await
        .unwrap();
    let request = http::Request::builder()
        .method("PUT")
        .uri("http://localhost/path?q=1")
        .header("X-Custom", "  padded  ")
        .header("content-type", "text/plain")
        .body(Bytes::from_static(b"payload"))
        .unwrap();
    let response = rt.fetch("incoming", request).await.unwrap();
    assert_eq!(response.status(), 200);
    let out: Value = serde_json::from_slice(&response.into_body().collect().await).unwrap();
    assert_eq!(out["method"], "PUT");
    assert_eq!(out["url"], "http://localhost/path?q=1");
    let headers = out["headers"].as_array().unwrap();
    assert!(
        headers.contains(&json!(["x-custom", "padded"])),
        "{headers:?}"
    );
    assert!(
        headers.contains(&json!(["content-type", "text/plain"])),
        "{headers:?}"
    );
    assert_eq!(out["body"], "payload");
    assert_eq!(out["cf"]["colo"], "LOC");
    assert_eq!(out["cf"]["httpProtocol"], "HTTP/1.1");
    assert_eq!(out["isRequest"], true);
}

#[tokio::test]
async fn response_parts_reach_the_client() {
    let script = r##"export default {
        fetch() {
            const headers = new Headers([["Set-Cookie", "a=1"], ["X-Multi", "1"]]);
            headers.append("set-cookie", "b=2");
            headers.append("x-multi", "2");
            return new Response(new Uint8Array([0, 1, 255]), { status: 207, headers });
        },
    };"##;
    let rt = runtime();
    rt.add_worker(WorkerSpec::new("parts", script).with_syntax(Syntax::Module))
        .await
        .unwrap();
    let response = rt.fetch("parts", get("/")).await.unwrap();
    assert_eq!(response.status(), 207);
    let cookies: Vec<_> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_string())
        .collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
    assert_eq!(response.headers()["x-multi"], "1, 2");
    assert_eq!(
        &response.into_body().collect().await[..],
        &[0u8, 1, 255][..]
    );
}

#[tokio::test]
async fn blob_and_file_hold_bytes() {
    let out = observe(&with_helpers(
        r##"
        const blob = new Blob(["ab", new Uint8Array([0x63]), new Blob(["d"]), new Uint16Array([0x6665]).buffer], { type: "Text/Plain" });
        out.blob = [blob.size, blob.type, await blob.text()];
        out.slices = [await blob.slice(1, 3).text(), await blob.slice(-2).text(), await blob.slice(4, 1).text(), blob.slice(0, 1, "A/B").type];
        out.bytes = [...await blob.slice(0, 2).bytes()];
        out.badType = new Blob([], { type: "text/\u00e9" }).type;
        out.native = await new Blob(["a\r\nb\rc"], { endings: "native" }).text();
        out.notSequence = errorOf(() => new Blob("abc")).split(":")[0];
        const file = new File(["content"], "name.txt", { type: "text/plain", lastModified: 42 });
        out.file = [file.name, file.size, file.type, file.lastModified, file instanceof Blob, Object.prototype.toString.call(file)];
        "##,
    ))
    .await;
    assert_eq!(out["blob"], json!([6, "text/plain", "abcdef"]));
    assert_eq!(out["slices"], json!(["bc", "ef", "", "a/b"]));
    assert_eq!(out["bytes"], json!([97, 98]));
    assert_eq!(out["badType"], "");
    assert_eq!(out["native"], "a\nb\nc");
    assert_eq!(out["notSequence"], "TypeError");
    assert_eq!(
        out["file"],
        json!(["name.txt", 7, "text/plain", 42, true, "[object File]"])
    );
}

#[tokio::test]
async fn form_data_round_trips_through_multipart() {
    let out = observe(
        r##"
        const form = new FormData();
        form.append("text", "line1\nline2");
        form.append("file", new Blob(["file body"], { type: "text/x-test" }), "a\"b.txt");
        form.append("blob", new Blob(["raw"]));
        form.append("text", "second");
        form.set("single", "1");
        out.entries = [...form.keys()];
        out.blobName = form.get("blob").name;
        const parsed = await new Response(form).formData();
        out.text = parsed.getAll("text");
        const file = parsed.get("file");
        out.file = [file instanceof File, file.name, file.type, await file.text()];
        out.blob = [parsed.get("blob").name, parsed.get("blob").type];
        out.single = parsed.get("single");
        form.delete("text");
        out.deleted = form.has("text");

        const urlencoded = await new Request("https://e.com", {
            method: "POST", body: "a=1&b=x+y&c=%E2%82%AC",
            headers: { "content-type": "application/x-www-form-urlencoded" },
        }).formData();
        out.urlencoded = [...urlencoded];

        const multipart = "--XYZ\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nv\r\n--XYZ\r\n" +
            "Content-Disposition: form-data; name=\"up\"; filename=\"u.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n\u0001\u0002\r\n--XYZ--\r\n";
        const fromText = await new Response(multipart, { headers: { "content-type": "multipart/form-data; boundary=XYZ" } }).formData();
        out.fromText = [fromText.get("k"), fromText.get("up").name, fromText.get("up").size];
        try {
            await new Response("x", { headers: { "content-type": "text/plain" } }).formData();
            out.wrongType = "no error";
        } catch (error) {
            out.wrongType = error.name;
        }
        "##,
    )
    .await;
    assert_eq!(
        out["entries"],
        json!(["text", "file", "blob", "text", "single"])
    );
    assert_eq!(out["blobName"], "blob");
    // Serialization turns a bare LF in a value into CRLF, as the HTML standard requires.
    assert_eq!(out["text"], json!(["line1\r\nline2", "second"]));
    assert_eq!(
        out["file"],
        json!([true, "a\"b.txt", "text/x-test", "file body"])
    );
    assert_eq!(out["blob"], json!(["blob", "application/octet-stream"]));
    assert_eq!(out["single"], "1");
    assert_eq!(out["deleted"], false);
    assert_eq!(
        out["urlencoded"],
        json!([["a", "1"], ["b", "x y"], ["c", "€"]])
    );
    assert_eq!(out["fromText"], json!(["v", "u.bin", 2]));
    assert_eq!(out["wrongType"], "TypeError");
}

#[tokio::test]
async fn event_target_dispatches_in_order() {
    let out = observe(&with_helpers(
        r##"
        const target = new EventTarget();
        const log = [];
        const listener = (event) => log.push(`fn:${event.type}:${event.target === target}`);
        target.addEventListener("ping", listener);
        target.addEventListener("ping", listener);
        target.addEventListener("ping", { handleEvent(event) { log.push(`object:${this !== target}`); } }, { once: true });
        target.addEventListener("ping", (event) => { log.push("stopper"); event.stopImmediatePropagation(); });
        target.addEventListener("ping", () => log.push("never"));
        target.dispatchEvent(new Event("ping"));
        target.dispatchEvent(new Event("ping"));
        target.removeEventListener("ping", listener);
        target.dispatchEvent(new Event("ping"));
        out.log = log;

        const cancelable = new Event("c", { cancelable: true });
        target.addEventListener("c", (event) => event.preventDefault());
        out.cancelable = [target.dispatchEvent(cancelable), cancelable.defaultPrevented];
        const plain = new Event("c");
        out.plain = [target.dispatchEvent(plain), plain.defaultPrevented];

        const controller = new AbortController();
        let removedCalls = 0;
        target.addEventListener("s", () => removedCalls++, { signal: controller.signal });
        target.dispatchEvent(new Event("s"));
        controller.abort();
        target.dispatchEvent(new Event("s"));
        out.removedCalls = removedCalls;

        out.custom = new CustomEvent("k", { detail: { n: 1 } }).detail;
        out.phase = [new Event("x").eventPhase, new Event("x").isTrusted];
        out.capture = errorOf(() => target.addEventListener("x", listener, { capture: true }));
        out.redispatch = errorOf(() => {
            const event = new Event("r");
            target.addEventListener("r", () => target.dispatchEvent(event));
            target.dispatchEvent(event);
        });
        "##,
    ))
    .await;
    assert_eq!(
        out["log"],
        json!([
            "fn:ping:true",
            "object:true",
            "stopper",
            "fn:ping:true",
            "stopper",
            "stopper"
        ])
    );
    assert_eq!(out["cancelable"], json!([false, true]));
    assert_eq!(out["plain"], json!([true, false]));
    assert_eq!(out["removedCalls"], 1);
    assert_eq!(out["custom"], json!({ "n": 1 }));
    assert_eq!(out["phase"], json!([0, false]));
    assert_eq!(
        out["capture"],
        "TypeError: addEventListener(): options.capture must be false."
    );
    assert_eq!(
        out["redispatch"],
        "InvalidStateError: The event is already being dispatched."
    );
}

#[tokio::test]
async fn dom_exception_has_names_and_codes() {
    let out = observe(
        r##"
        const names = ["IndexSizeError", "InvalidStateError", "AbortError", "TimeoutError",
            "QuotaExceededError", "TypeMismatchError", "DataCloneError", "NotARealName"];
        out.codes = names.map((name) => new DOMException("m", name).code);
        const error = new DOMException("message", "AbortError");
        out.error = [error.name, error.message, String(error), error instanceof Error,
            Object.prototype.toString.call(error), DOMException.ABORT_ERR, error.TIMEOUT_ERR];
        out.defaults = [new DOMException().name, new DOMException().message];
        out.stackFromCaller = !String(error.stack).includes("DOMException");
        "##,
    )
    .await;
    assert_eq!(out["codes"], json!([1, 11, 20, 23, 22, 17, 25, 0]));
    assert_eq!(
        out["error"],
        json!([
            "AbortError",
            "message",
            "AbortError: message",
            true,
            "[object DOMException]",
            20,
            23
        ])
    );
    assert_eq!(out["defaults"], json!(["Error", ""]));
    assert_eq!(out["stackFromCaller"], true);
}

#[tokio::test]
async fn abort_signals_fire_once() {
    let out = observe(&with_helpers(
        r##"
        const controller = new AbortController();
        const log = [];
        controller.signal.onabort = (event) => log.push(`onabort:${event.isTrusted}`);
        controller.signal.addEventListener("abort", () => log.push("listener"));
        controller.abort();
        controller.abort("second");
        out.log = log;
        const reason = controller.signal.reason;
        out.reason = [reason instanceof DOMException, reason.name, reason.message, reason.code];
        out.throwIfAborted = errorOf(() => controller.signal.throwIfAborted());
        out.custom = AbortSignal.abort("why").reason;
        out.illegal = errorOf(() => new AbortSignal());

        const first = new AbortController();
        const second = new AbortController();
        const any = AbortSignal.any([first.signal, second.signal]);
        out.anyBefore = any.aborted;
        second.abort("second wins");
        first.abort("too late");
        out.any = [any.aborted, any.reason];
        out.anyAborted = AbortSignal.any([new AbortController().signal, AbortSignal.abort("pre")]).reason;

        const timeout = AbortSignal.timeout(5);
        await new Promise((resolve) => timeout.addEventListener("abort", resolve));
        out.timeout = [timeout.reason.name, timeout.reason.message, timeout.reason.code];
        out.badTimeout = errorOf(() => AbortSignal.timeout(-1)).split(":")[0];
        "##,
    ))
    .await;
    assert_eq!(out["log"], json!(["onabort:true", "listener"]));
    assert_eq!(
        out["reason"],
        json!([true, "AbortError", "The operation was aborted", 20])
    );
    assert_eq!(
        out["throwIfAborted"],
        "AbortError: The operation was aborted"
    );
    assert_eq!(out["custom"], "why");
    assert_eq!(out["illegal"], "TypeError: Illegal constructor");
    assert_eq!(out["anyBefore"], false);
    assert_eq!(out["any"], json!([true, "second wins"]));
    assert_eq!(out["anyAborted"], "pre");
    assert_eq!(
        out["timeout"],
        json!([
            "TimeoutError",
            "The operation was aborted due to timeout",
            23
        ])
    );
    assert_eq!(out["badTimeout"], "TypeError");
}

#[tokio::test]
async fn abort_timeout_rejected_at_global_scope() {
    let script = r##"
        let failure = "no error";
        try { AbortSignal.timeout(10); } catch (error) { failure = error.message; }
        export default { fetch() { return new Response(failure); } };
    "##;
    let rt = runtime();
    rt.add_worker(WorkerSpec::new("global-timeout", script).with_syntax(Syntax::Module))
        .await
        .unwrap();
    let response = rt.fetch("global-timeout", get("/")).await.unwrap();
    let text = String::from_utf8(response.into_body().collect().await.to_vec()).unwrap();
    assert!(
        text.starts_with("Disallowed operation called within global scope."),
        "{text}"
    );
}

#[tokio::test]
async fn io_objects_belong_to_their_request() {
    let script = r##"
        let saved;
        export default {
            async fetch(request) {
                if (new URL(request.url).pathname === "/save") {
                    saved = { controller: new AbortController(), response: new Response("kept") };
                    return new Response("saved");
                }
                const results = [];
                for (const use of [() => saved.controller.abort(), () => saved.controller.signal.aborted, () => saved.response.text()]) {
                    try { await use(); results.push("no error"); }
                    catch (error) { results.push(error.message); }
                }
                return Response.json(results);
            },
        };
    "##;
    let rt = runtime();
    rt.add_worker(WorkerSpec::new("cross-request", script).with_syntax(Syntax::Module))
        .await
        .unwrap();
    let saved = rt.fetch("cross-request", get("/save")).await.unwrap();
    assert_eq!(saved.status(), 200);
    let response = rt.fetch("cross-request", get("/use")).await.unwrap();
    let out: Value = serde_json::from_slice(&response.into_body().collect().await).unwrap();
    let prefix = "Cannot perform I/O on behalf of a different request.";
    for (index, message) in out.as_array().unwrap().iter().enumerate() {
        let message = message.as_str().unwrap();
        assert!(message.starts_with(prefix), "use {index}: {message}");
    }
    assert!(
        out[0]
            .as_str()
            .unwrap()
            .ends_with("(I/O type: RefcountedCanceler)")
    );
}

#[tokio::test]
async fn structured_clone_copies_graphs() {
    let out = observe(&with_helpers(
        r##"
        const source = { date: new Date(7), regexp: /x/gi, map: new Map([["k", [1]]]), set: new Set(["v"]),
            array: [1, , 3], bytes: new Uint8Array([1, 2, 3]).subarray(1), big: 5n, nested: { ok: true } };
        source.self = source;
        source.alias = source.nested;
        const copy = structuredClone(source);
        out.distinct = copy !== source && copy.nested !== source.nested;
        out.cycle = copy.self === copy;
        out.alias = copy.alias === copy.nested;
        out.types = [copy.date instanceof Date, copy.date.getTime(), copy.regexp.flags, copy.map.get("k"),
            copy.set.has("v"), 1 in copy.array, copy.array.length, [...copy.bytes], copy.bytes.byteOffset, copy.big === 5n];
        const error = structuredClone(new RangeError("range"));
        out.error = [error instanceof RangeError, error.message];
        class Point { constructor() { this.x = 1; } }
        const point = structuredClone(new Point());
        out.classInstance = [point.x, point instanceof Point];
        out.function = errorOf(() => structuredClone({ f() {} })).split(":")[0];
        out.symbol = errorOf(() => structuredClone(Symbol("s"))).split(":")[0];
        out.platform = errorOf(() => structuredClone(new Headers())).split(":")[0];
        const buffer = new ArrayBuffer(8);
        const moved = structuredClone(buffer, { transfer: [buffer] });
        out.transfer = [buffer.byteLength, moved.byteLength];
        "##,
    ))
    .await;
    assert_eq!(out["distinct"], true);
    assert_eq!(out["cycle"], true);
    assert_eq!(out["alias"], true);
    assert_eq!(
        out["types"],
        json!([true, 7, "gi", [1], true, false, 3, [2, 3], 1, true])
    );
    assert_eq!(out["error"], json!([true, "range"]));
    assert_eq!(out["classInstance"], json!([1, false]));
    assert_eq!(out["function"], "DataCloneError");
    assert_eq!(out["symbol"], "DataCloneError");
    assert_eq!(out["platform"], "DataCloneError");
    assert_eq!(out["transfer"], json!([0, 8]));
}

#[tokio::test]
async fn globals_are_hidden_and_present() {
    let out = observe(
        r##"
        out.self = self === globalThis;
        out.userAgent = navigator.userAgent;
        const order = [];
        queueMicrotask(() => order.push("microtask"));
        order.push("sync");
        await null;
        out.order = order;
        out.enumerable = Object.keys(globalThis).filter((key) => ["Headers", "URL", "console", "fetch"].includes(key));
        out.internals = [typeof host, typeof defineGlobal, typeof BodyStream, typeof headerList];
        out.tags = [new Headers(), new URL("https://e.com"), new Blob(), new FormData(), new TextEncoder()]
            .map((value) => Object.prototype.toString.call(value));
        "##,
    )
    .await;
    assert_eq!(out["self"], true);
    assert_eq!(out["userAgent"], "Cloudflare-Workers");
    assert_eq!(out["order"], json!(["sync", "microtask"]));
    assert_eq!(out["enumerable"], json!([]));
    assert_eq!(
        out["internals"],
        json!(["undefined", "undefined", "undefined", "undefined"])
    );
    assert_eq!(
        out["tags"],
        json!([
            "[object Headers]",
            "[object URL]",
            "[object Blob]",
            "[object FormData]",
            "[object TextEncoder]"
        ])
    );
}

/// Log lines of the `worker` tracing target as `"<level> <message>"`, from every test.
static WORKER_LOGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Installs the process-wide subscriber that fills [`WORKER_LOGS`], once.
fn capture_worker_logs() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(LogCapture);
        tracing::subscriber::set_global_default(subscriber).expect("no other subscriber is set");
    });
}

/// A tracing layer that records the message of every event of the `worker` target.
struct LogCapture;

/// The `message` field of a tracing event.
struct MessageField(String);

impl tracing::field::Visit for MessageField {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for LogCapture {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _context: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if event.metadata().target() != "worker" {
            return;
        }
        let mut message = MessageField(String::new());
        event.record(&mut message);
        let level = event.metadata().level().as_str().to_lowercase();
        WORKER_LOGS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(format!("{level} {}", message.0));
    }
}

#[tokio::test]
async fn console_formats_like_node() {
    capture_worker_logs();
    let script = r##"export default {
        fetch() {
            console.log("console-test", "text", 1, -0, 2n, null, undefined, true, Symbol("s"));
            console.log("console-test %s is %d, %i, %f, %j, %%, %o", "x", "42", 3.9, "1.5", { a: 1 }, [1]);
            const cycle = { name: "c" };
            cycle.self = cycle;
            console.info("console-test", { a: 1, "b-c": "s", list: [1, , "x"], deep: { l1: { l2: { l3: 1 } } } }, cycle);
            console.warn("console-test", new Map([["k", 1]]), new Set([2]), new Uint8Array([3]), new Date(0), /r/g);
            console.error("console-test", new TypeError("bad thing"));
            console.debug("console-test", new Headers({ a: "1" }), function named() {}, class Klass {});
            console.assert(false, "console-test %s", "assertion");
            console.count("console-test");
            console.count("console-test");
            return new Response("logged");
        },
    };"##;
    let rt = runtime();
    rt.add_worker(WorkerSpec::new("console", script).with_syntax(Syntax::Module))
        .await
        .unwrap();
    let response = rt.fetch("console", get("/")).await.unwrap();
    assert_eq!(response.status(), 200);

    let lines: Vec<String> = WORKER_LOGS
        .lock()
        .unwrap()
        .iter()
        .filter(|line| line.contains("console-test"))
        .cloned()
        .collect();
    let expected = [
        "info console-test text 1 -0 2n null undefined true Symbol(s)",
        "info console-test x is 42, 3, 1.5, {\"a\":1}, %, [ 1 ]",
        // Node breaks an object longer than 72 columns into one property per line.
        "info console-test {\n  a: 1,\n  'b-c': 's',\n  list: [ 1, <1 empty item>, 'x' ],\n  \
         deep: { l1: { l2: [Object] } }\n} <ref *1> { name: 'c', self: [Circular *1] }",
        "warn console-test Map(1) { 'k' => 1 } Set(1) { 2 } Uint8Array(1) [ 3 ] 1970-01-01T00:00:00.000Z /r/g",
        "debug console-test Headers { 'a' => '1' } [Function: named] [class Klass]",
        "error Assertion failed: console-test assertion",
        "info console-test: 1",
        "info console-test: 2",
    ];
    for line in expected {
        assert!(
            lines.iter().any(|logged| logged == line),
            "missing log line {line:?} in {lines:#?}"
        );
    }
    let error = lines
        .iter()
        .find(|line| line.starts_with("error console-test TypeError: bad thing"))
        .unwrap_or_else(|| panic!("no error line in {lines:#?}"));
    assert!(
        error.contains("\n    at "),
        "the error has no stack: {error:?}"
    );
}

#[tokio::test]
async fn byte_stream_fills_byob_views() {
    let out = observe(&with_helpers(
        r##"
        const chunks = [[1, 2, 3], [4, 5], [6, 7, 8]];
        const stream = new ReadableStream({
            type: "bytes",
            pull(controller) {
                const next = chunks.shift();
                if (next === undefined) { controller.close(); return; }
                controller.enqueue(new Uint8Array(next));
            },
        });
        const reader = stream.getReader({ mode: "byob" });
        const atLeastFive = await reader.read(new Uint8Array(8), { min: 5 });
        out.minFive = [...atLeastFive.value];
        const words = await reader.read(new Uint16Array(2));
        out.wordsLength = words.value.length;
        out.wordsType = words.value.constructor.name;
        const rest = await reader.read(new Uint8Array(8));
        out.rest = [...rest.value];
        const end = await reader.read(new Uint8Array(1));
        out.endDone = end.done;
        out.minTooLarge = await rejectionOf(reader.read(new Uint8Array(2), { min: 3 }));

        const responding = new ReadableStream({
            type: "bytes",
            pull(controller) {
                const request = controller.byobRequest;
                const view = new Uint8Array(request.view.buffer, request.view.byteOffset, 2);
                view.set([42, 43]);
                request.respondWithNewView(view);
            },
        });
        const own = await responding.getReader({ mode: "byob" }).read(new Uint8Array(4));
        out.respondWithNewView = [...own.value];
        "##,
    ))
    .await;
    assert_eq!(out["uncaught"], Value::Null);
    assert_eq!(out["minFive"], json!([1, 2, 3, 4, 5]));
    // [6, 7, 8] fills one two-byte element; byte 8 stays queued for the next read.
    assert_eq!(out["wordsLength"], 1);
    assert_eq!(out["wordsType"], "Uint16Array");
    assert_eq!(out["rest"], json!([8]));
    assert_eq!(out["endDone"], true);
    assert_eq!(
        out["minTooLarge"],
        "TypeError: Minimum bytes to read (3) exceeds size of buffer (2)."
    );
    assert_eq!(out["respondWithNewView"], json!([42, 43]));
}

#[tokio::test]
async fn byte_stream_tee_serves_byob_and_default_branches() {
    let out = observe(
        r##"
        const source = new ReadableStream({
            type: "bytes",
            start(controller) {
                controller.enqueue(new Uint8Array([1, 2, 3, 4]));
                controller.enqueue(new Uint8Array([5, 6]));
                controller.close();
            },
        });
        const [left, right] = source.tee();
        const byob = left.getReader({ mode: "byob" });
        const fromByob = [];
        for (;;) {
            const { value, done } = await byob.read(new Uint8Array(3));
            if (done) break;
            fromByob.push(...value);
        }
        const fromDefault = [...new Uint8Array(await new Response(right).arrayBuffer())];
        out.fromByob = fromByob;
        out.fromDefault = fromDefault;
        "##,
    )
    .await;
    assert_eq!(out["uncaught"], Value::Null);
    assert_eq!(out["fromByob"], json!([1, 2, 3, 4, 5, 6]));
    assert_eq!(out["fromDefault"], json!([1, 2, 3, 4, 5, 6]));
}

#[tokio::test]
async fn writable_abort_signals_the_sink() {
    let out = observe(&with_helpers(
        r##"
        const log = [];
        let signal;
        const stream = new WritableStream({
            start(controller) {
                signal = controller.signal;
                signal.addEventListener("abort", () => log.push(`signal ${signal.reason}`));
            },
            async write(chunk) {
                await new Promise((resolve) => setTimeout(resolve, 5));
                log.push(`wrote ${chunk}`);
            },
            abort(reason) {
                log.push(`abort ${reason}`);
            },
        });
        const writer = stream.getWriter();
        const inFlight = writer.write("first");
        const queued = writer.write("second");
        await new Promise((resolve) => setTimeout(resolve, 1));
        const abort = writer.abort("cancelled");
        out.signalAbortedAtOnce = signal.aborted;
        out.inFlight = await rejectionOf(inFlight);
        out.queued = await rejectionOf(queued.catch((reason) => { throw new Error(String(reason)); }));
        await abort;
        out.log = log;
        out.closed = await rejectionOf(writer.closed.catch((reason) => { throw new Error(String(reason)); }));
        "##,
    ))
    .await;
    assert_eq!(out["uncaught"], Value::Null);
    assert_eq!(out["signalAbortedAtOnce"], true);
    // The write in flight finishes; the queued one is rejected with the abort reason.
    assert_eq!(out["inFlight"], "no error");
    assert_eq!(out["queued"], "Error: cancelled");
    // The sink's abort runs only after the write in flight settles.
    assert_eq!(
        out["log"],
        json!(["signal cancelled", "wrote first", "abort cancelled"])
    );
    assert_eq!(out["closed"], "Error: cancelled");
}

#[tokio::test]
async fn streams_belong_to_their_request() {
    let script = r##"
        let saved;
        export default {
            async fetch(request) {
                if (new URL(request.url).pathname === "/save") {
                    saved = new ReadableStream({ start(c) { c.enqueue("x"); c.close(); } });
                    return new Response("saved");
                }
                try { saved.getReader(); return new Response("no error"); }
                catch (error) { return new Response(error.message); }
            },
        };
    "##;
    let rt = runtime();
    rt.add_worker(WorkerSpec::new("saved-stream", script).with_syntax(Syntax::Module))
        .await
        .unwrap();
    let saved = rt.fetch("saved-stream", get("/save")).await.unwrap();
    assert_eq!(saved.status(), 200);
    let response = rt.fetch("saved-stream", get("/use")).await.unwrap();
    let text = String::from_utf8(response.into_body().collect().await.to_vec()).unwrap();
    assert!(
        text.starts_with("Cannot perform I/O on behalf of a different request."),
        "{text}"
    );
    assert!(text.ends_with("(I/O type: ReadableStream)"), "{text}");
}

#[tokio::test]
async fn compression_streams_handle_many_chunks() {
    let out = observe(
        r##"
        // 256 KiB of xorshift noise, which deflate cannot shrink much, fed in 16 KiB chunks.
        const input = new Uint8Array(256 * 1024);
        let state = 2463534242;
        for (let i = 0; i < input.length; i++) {
            state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
            input[i] = state & 0xff;
        }
        const chunked = new ReadableStream({
            start(controller) {
                for (let offset = 0; offset < input.length; offset += 16384) {
                    controller.enqueue(input.slice(offset, offset + 16384));
                }
                controller.close();
            },
        });
        const compressed = chunked.pipeThrough(new CompressionStream("deflate-raw"));
        const restored = new Uint8Array(await new Response(compressed.pipeThrough(new DecompressionStream("deflate-raw"))).arrayBuffer());
        out.length = restored.length;
        out.equal = restored.every((byte, index) => byte === input[index]);
        "##,
    )
    .await;
    assert_eq!(out["uncaught"], Value::Null);
    assert_eq!(out["length"], 256 * 1024);
    assert_eq!(out["equal"], true);
}

#[tokio::test]
async fn html_rewriter_async_handlers_run_until_their_first_await() {
    let out = observe(&with_helpers(
        r##"
        const before = new HTMLRewriter().on("a", {
            async element(element) { element.setAttribute("x", "1"); },
        });
        out.syncPart = await before.transform(new Response("<a>t</a>")).text();
        const late = new HTMLRewriter().on("a", {
            async element(element) {
                await null;
                element.setAttribute("x", "1");
            },
        });
        out.late = await rejectionOf(late.transform(new Response("<a>t</a>")).text());
        "##,
    ))
    .await;
    assert_eq!(out["uncaught"], Value::Null);
    assert_eq!(out["syncPart"], "<a x=\"1\">t</a>");
    assert_eq!(
        out["late"],
        "TypeError: This content token is no longer valid. Content tokens are only valid during \
         the execution of the relevant content handler."
    );
}

#[tokio::test]
async fn subtle_private_keys_round_trip() {
    let out = observe(
        r##"
        const subtle = crypto.subtle;
        const message = new TextEncoder().encode("round trip");
        const ec = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign", "verify"]);
        const jwk = await subtle.exportKey("jwk", ec.privateKey);
        const fromJwk = await subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-384" }, false, ["sign"]);
        const ecSignature = await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, fromJwk, message);
        out.ecVerifies = await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, ec.publicKey, ecSignature, message);
        out.ecJwkFields = Object.keys(jwk).sort();
        const ed = await subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
        const pkcs8 = await subtle.exportKey("pkcs8", ed.privateKey);
        const spki = await subtle.exportKey("spki", ed.publicKey);
        const edPrivate = await subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
        const edPublic = await subtle.importKey("spki", spki, { name: "Ed25519" }, false, ["verify"]);
        out.edVerifies = await subtle.verify("Ed25519", edPublic, await subtle.sign("Ed25519", edPrivate, message), message);
        out.edSpkiBytes = spki.byteLength;
        out.edPkcs8Bytes = pkcs8.byteLength;
        const mismatched = { ...jwk, d: (await subtle.exportKey("jwk", (await subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign"])).privateKey)).d };
        try {
            await subtle.importKey("jwk", mismatched, { name: "ECDSA", namedCurve: "P-384" }, false, ["sign"]);
            out.mismatch = "no error";
        } catch (error) {
            out.mismatch = error.name;
        }
        "##,
    )
    .await;
    assert_eq!(out["uncaught"], Value::Null);
    assert_eq!(out["ecVerifies"], true);
    assert_eq!(
        out["ecJwkFields"],
        json!(["crv", "d", "ext", "key_ops", "kty", "x", "y"])
    );
    assert_eq!(out["edVerifies"], true);
    // The standard DER encodings of an Ed25519 SubjectPublicKeyInfo and PKCS #8 v1 key.
    assert_eq!(out["edSpkiBytes"], 44);
    assert_eq!(out["edPkcs8Bytes"], 48);
    assert_eq!(out["mismatch"], "DataError");
}
