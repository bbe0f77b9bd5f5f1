// Outbound fetch(). The engine performs the HTTP exchange off the isolate thread and calls
// `completeFetch` or `failFetch` as an event of the request that started it.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const {
  Headers,
  NULL_BODY_STATUSES,
  Request,
  assertInRequest,
  createInternalResponse,
  host,
} = core;

/** Resolvers of each fetch in flight, by id. */
const pendingFetches = new Map();
let nextFetchId = 1;

async function fetch(input, init = undefined) {
  assertInRequest();
  const request = new Request(input, init);
  const signal = request.signal;
  signal.throwIfAborted();

  const flatHeaders = [];
  for (const [name, value] of request.headers) {
    flatHeaders.push(name, value);
  }
  const body =
    request.method === "GET" || request.method === "HEAD"
      ? null
      : new Uint8Array(await request.arrayBuffer());
  signal.throwIfAborted();

  const id = nextFetchId++;
  const response = new Promise((resolve, reject) => {
    pendingFetches.set(id, { resolve, reject, url: request.url });
  });
  try {
    host.fetchStart(id, request.method, request.url, flatHeaders, body, request.redirect);
  } catch (error) {
    pendingFetches.delete(id);
    throw error;
  }
  signal.addEventListener(
    "abort",
    () => {
      const pending = pendingFetches.get(id);
      if (pending !== undefined) {
        pendingFetches.delete(id);
        host.fetchCancel(id);
        pending.reject(signal.reason);
      }
    },
    { once: true },
  );
  return response;
}

/** Resolves fetch `id` with the response that the engine received. */
function completeFetch(id, status, statusText, headerPairs, body, urlList) {
  const pending = pendingFetches.get(id);
  if (pending === undefined) {
    return;
  }
  pendingFetches.delete(id);
  const headers = new Headers();
  for (let i = 0; i + 1 < headerPairs.length; i += 2) {
    headers.append(headerPairs[i], headerPairs[i + 1]);
  }
  const nullBody = NULL_BODY_STATUSES.includes(status);
  pending.resolve(
    createInternalResponse({
      status,
      statusText,
      headers,
      bytes: nullBody ? null : body,
      urlList,
    }),
  );
}

/** Rejects fetch `id` with a TypeError, as a network error does. */
function failFetch(id, message) {
  const pending = pendingFetches.get(id);
  if (pending === undefined) {
    return;
  }
  pendingFetches.delete(id);
  pending.reject(new TypeError(message));
}

return { fetch, completeFetch, failFetch };
