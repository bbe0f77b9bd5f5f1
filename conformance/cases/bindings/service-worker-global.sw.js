const atStartup = GREETING;

addEventListener('fetch', (event) => {
  event.respondWith(
    Response.json({ atStartup, inListener: GREETING, onGlobalThis: globalThis.GREETING }),
  );
});
