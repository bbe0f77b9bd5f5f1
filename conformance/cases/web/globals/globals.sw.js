// Shared by the web/globals cases: the request path names a global, and the response says what
// type it has, plus a detail for the globals whose type alone says little.
const DETAILS = {
  crypto: () => ({
    subtleIsSubtleCrypto: crypto.subtle instanceof SubtleCrypto,
    getRandomValues: typeof crypto.getRandomValues,
  }),
  performance: () => ({ now: typeof performance.now }),
  navigator: () => ({ userAgent: navigator.userAgent }),
  self: () => ({ isGlobalThis: self === globalThis }),
};

function describeGlobal(name) {
  const detail = Object.hasOwn(DETAILS, name) ? DETAILS[name]() : null;
  return { name, type: typeof globalThis[name], detail };
}

addEventListener('fetch', (event) => {
  const name = decodeURIComponent(new URL(event.request.url).pathname.slice(1));
  event.respondWith(Response.json(describeGlobal(name)));
});
