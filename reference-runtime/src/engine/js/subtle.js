// crypto.subtle (W3C Web Cryptography API) with workerd's additions: the MD5 digest and the
// NODE-ED25519 algorithm name. SubtleCrypto implements digest; sign, verify, generateKey,
// importKey and exportKey for HMAC, ECDSA (P-256, P-384) and Ed25519. The cryptography runs in
// Rust (natives/subtle.rs); this file owns the keys, the algorithm rules and the errors, whose
// texts follow workerd.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const {
  assertInRequest,
  bufferSourceBytes,
  concatBytes,
  createDOMException,
  host,
  isBufferSource,
  requireChunk,
  toEnforcedUnsignedInteger,
} = core;
const { atob, btoa } = requireChunk("encoding");

/** Key usages in the order workerd reports them, which is also the order of the standard. */
const KEY_USAGES = [
  "encrypt",
  "decrypt",
  "sign",
  "verify",
  "deriveKey",
  "deriveBits",
  "wrapKey",
  "unwrapKey",
];

const DIGEST_NAMES = ["SHA-1", "SHA-256", "SHA-384", "SHA-512", "MD5"];
const HMAC_HASH_NAMES = ["SHA-1", "SHA-256", "SHA-384", "SHA-512"];

/** Algorithm names that workerd recognizes, spelled as the standard spells them. */
const KNOWN_ALGORITHMS = [
  "AES-CTR",
  "AES-CBC",
  "AES-GCM",
  "AES-KW",
  "RSASSA-PKCS1-v1_5",
  "RSA-PSS",
  "RSA-OAEP",
  "ECDSA",
  "ECDH",
  "HMAC",
  "HKDF",
  "PBKDF2",
  "Ed25519",
  "X25519",
  "NODE-ED25519",
];

const EC_CURVES = ["P-256", "P-384"];

/** HMAC's default key length in bits: the block size of its hash. */
const HMAC_BLOCK_BITS = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };

/** JWK `alg` values of HMAC keys, by hash. */
const HMAC_JWK_ALGS = {
  "SHA-1": "HS1",
  "SHA-256": "HS256",
  "SHA-384": "HS384",
  "SHA-512": "HS512",
};

/** JWK `alg` values of ECDSA keys, by curve. */
const ECDSA_JWK_ALGS = { "P-256": "ES256", "P-384": "ES384" };

/** Length in bytes of a coordinate of each curve. */
const EC_FIELD_BYTES = { "P-256": 32, "P-384": 48 };

function cryptoError(name, message) {
  return createDOMException(message, name);
}

// ---- Keys

/** Token that lets this file construct a CryptoKey, which user code cannot. */
const CRYPTO_KEY_TOKEN = Symbol("CryptoKey token");

// Set by the static block of CryptoKey.
let createCryptoKey;
let cryptoKeyState;

class CryptoKey {
  #type;
  #extractable;
  #algorithm;
  #usages;
  /** Key material: `{ bytes }` for HMAC, `{ secret, public }` for EC and Ed25519. */
  #material;

  static {
    createCryptoKey = (type, extractable, algorithm, usages, material) => {
      const key = new CryptoKey(CRYPTO_KEY_TOKEN);
      key.#type = type;
      key.#extractable = extractable;
      key.#algorithm = algorithm;
      key.#usages = usages;
      key.#material = material;
      return key;
    };
    cryptoKeyState = (value) => {
      if (value === null || typeof value !== "object" || !(#type in value)) {
        return undefined;
      }
      return {
        type: value.#type,
        extractable: value.#extractable,
        algorithm: value.#algorithm,
        usages: value.#usages,
        material: value.#material,
      };
    };
  }

  constructor(token = undefined) {
    if (token !== CRYPTO_KEY_TOKEN) {
      throw new TypeError("Illegal constructor");
    }
  }

  get type() {
    return this.#type;
  }

  get extractable() {
    return this.#extractable;
  }

  // Like workerd, each getter returns the same object every time.
  get algorithm() {
    return this.#algorithm;
  }

  get usages() {
    return this.#usages;
  }
}
Object.defineProperty(CryptoKey.prototype, Symbol.toStringTag, {
  value: "CryptoKey",
  configurable: true,
});

// ---- Argument conversion

/** Returns a copy of the bytes of a BufferSource argument, or throws workerd's TypeError. */
function copyBufferSource(value, method, position) {
  if (!isBufferSource(value)) {
    throw new TypeError(
      `Failed to execute '${method}' on 'SubtleCrypto': parameter ${position} is not of type 'BufferSource'.`,
    );
  }
  return bufferSourceBytes(value, "The data").slice();
}

/** Converts an AlgorithmIdentifier into a dictionary with a `name` string. */
function algorithmDictionary(algorithm) {
  if (typeof algorithm === "string") {
    return { name: algorithm };
  }
  if (algorithm === null || typeof algorithm !== "object") {
    throw new TypeError("An algorithm must be a string or an object with a name.");
  }
  if (algorithm.name === undefined) {
    throw new TypeError('Missing field "name" in "algorithm".');
  }
  return algorithm;
}

/** Matches a name case-insensitively against `names`; returns the standard spelling or null. */
function matchAlgorithmName(name, names) {
  const lower = String(name).toLowerCase();
  return names.find((candidate) => candidate.toLowerCase() === lower) ?? null;
}

/** Normalizes an algorithm for an operation: `{ name, dictionary }` with the standard name. */
function normalizeAlgorithm(algorithm) {
  const dictionary = algorithmDictionary(algorithm);
  const requested = String(dictionary.name);
  const name = matchAlgorithmName(requested, KNOWN_ALGORITHMS);
  if (name === null) {
    throw cryptoError(
      "NotSupportedError",
      `Unrecognized or unimplemented algorithm "${requested}" requested.`,
    );
  }
  return { name, requested, dictionary };
}

/** Normalizes a hash member such as `"SHA-256"` or `{ name: "sha-256" }` to its name. */
function normalizeHash(value) {
  const name = matchAlgorithmName(algorithmDictionary(value).name, HMAC_HASH_NAMES);
  if (name === null) {
    throw cryptoError(
      "NotSupportedError",
      "Unrecognized or unimplemented digest algorithm requested.",
    );
  }
  return name;
}

function requireMember(dictionary, member) {
  const value = dictionary[member];
  if (value === undefined) {
    throw new TypeError(`Missing field "${member}" in "algorithm".`);
  }
  return value;
}

/** Converts a sequence of KeyUsage strings, rejecting unknown ones as Web IDL does. */
function toKeyUsages(usages) {
  if (usages === null || typeof usages !== "object" || !(Symbol.iterator in usages)) {
    throw new TypeError("Key usages must be a sequence of strings.");
  }
  const result = [];
  for (const usage of usages) {
    const text = String(usage);
    if (!KEY_USAGES.includes(text)) {
      throw new TypeError(`'${text}' is not a valid key usage.`);
    }
    result.push(text);
  }
  return result;
}

/** Removes duplicates and sorts usages into workerd's order. */
function canonicalUsages(usages) {
  return KEY_USAGES.filter((usage) => usages.includes(usage));
}

/** Throws a SyntaxError naming the first usage outside `allowed`. */
function checkUsages(usages, allowed, describe) {
  for (const usage of usages) {
    if (!allowed.includes(usage)) {
      throw cryptoError("SyntaxError", `Attempt to ${describe} with invalid usage "${usage}".`);
    }
  }
}

/** Returns the internal state of a CryptoKey argument, or throws a TypeError. */
function requireCryptoKey(value, method, position) {
  const state = cryptoKeyState(value);
  if (state === undefined) {
    throw new TypeError(
      `Failed to execute '${method}' on 'SubtleCrypto': parameter ${position} is not of type 'CryptoKey'.`,
    );
  }
  return state;
}

/** Checks that a key suits the requested algorithm and operation, as workerd orders the checks. */
function checkKeyFor(key, normalized, usage) {
  if (key.algorithm.name !== normalized.name) {
    throw cryptoError(
      "InvalidAccessError",
      `Requested algorithm "${normalized.requested}" does not match this CryptoKey's algorithm "${key.algorithm.name}".`,
    );
  }
  if (!key.usages.includes(usage)) {
    throw cryptoError(
      "InvalidAccessError",
      `Requested key usage "${usage}" does not match any usage listed in this CryptoKey.`,
    );
  }
}

function notImplemented(operation, name) {
  // NOTE: workerd also implements AES, RSA, ECDH, X25519, HKDF and PBKDF2. This runtime does not
  // yet, so encrypt, decrypt, deriveBits, deriveKey, wrapKey and unwrapKey always reject.
  return cryptoError(
    "NotSupportedError",
    `${operation} with "${name}" is not implemented by this runtime.`,
  );
}

// ---- Base64url, for JSON Web Keys

function base64UrlEncode(bytes) {
  let binary = "";
  for (const byte of bytes) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64UrlDecode(text, what) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) {
    throw cryptoError("DataError", `Invalid base64url encoding of ${what} in the JSON Web Key.`);
  }
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  let binary;
  try {
    binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  } catch {
    throw cryptoError("DataError", `Invalid base64url encoding of ${what} in the JSON Web Key.`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) {
    bytes[index] = binary.charCodeAt(index);
  }
  return bytes;
}

/** Runs the checks that JWK import shares across algorithms: use, key_ops and ext. */
function checkJwkCommon(jwk, extractable, usages, algorithmName) {
  if (usages.length > 0 && jwk.use !== undefined && jwk.use !== "sig") {
    throw cryptoError(
      "DataError",
      `JWK "use" field for "${algorithmName}" must be "sig" (encountered "${jwk.use}").`,
    );
  }
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops)) {
      throw cryptoError("DataError", 'JWK "key_ops" field must be an array of strings.');
    }
    for (const usage of usages) {
      if (!jwk.key_ops.includes(usage)) {
        throw cryptoError(
          "DataError",
          `JWK "key_ops" field does not include the requested usage "${usage}".`,
        );
      }
    }
  }
  if (jwk.ext === false && extractable) {
    throw cryptoError(
      "DataError",
      `JWK ext field for "${algorithmName}" is set to false but extractable is true`,
    );
  }
}

function requireJwk(keyData) {
  if (keyData === null || typeof keyData !== "object" || isBufferSource(keyData)) {
    throw new TypeError('A "jwk" import requires a JSON Web Key object.');
  }
  return keyData;
}

function unsupportedFormat(verb, format) {
  return cryptoError("NotSupportedError", `Unrecognized key ${verb} format "${format}".`);
}

// ---- HMAC

const hmacAlgorithm = {
  importKey(format, keyData, normalized, extractable, usages) {
    checkUsages(usages, ["sign", "verify"], "import secret HMAC key");
    const hash = normalizeHash(requireMember(normalized.dictionary, "hash"));
    let bytes;
    if (format === "raw") {
      bytes = copyBufferSource(keyData, "importKey", 2);
    } else if (format === "jwk") {
      const jwk = requireJwk(keyData);
      if (jwk.kty !== "oct") {
        throw cryptoError(
          "DataError",
          'HMAC "jwk" key import requires a JSON Web Key with Key Type parameter ("kty") equal to ' +
            `"oct" (encountered "${jwk.kty}").`,
        );
      }
      if (jwk.k === undefined) {
        throw cryptoError("DataError", 'HMAC "jwk" key import requires a "k" field.');
      }
      bytes = base64UrlDecode(jwk.k, '"k"');
      const expectedAlg = HMAC_JWK_ALGS[hash];
      if (jwk.alg !== undefined && jwk.alg !== expectedAlg) {
        throw cryptoError(
          "DataError",
          `HMAC "jwk" key import specifies "alg" that is incompatible with the hash name ` +
            `(encountered "${jwk.alg}", expected "${expectedAlg}").`,
        );
      }
      checkJwkCommon(jwk, extractable, usages, "HMAC");
    } else {
      throw unsupportedFormat("import", format);
    }
    const dataBits = bytes.byteLength * 8;
    let length = dataBits;
    if (normalized.dictionary.length !== undefined) {
      length = toEnforcedUnsignedInteger(normalized.dictionary.length, "The HMAC key length");
    }
    if (length === 0 || length > dataBits || length <= dataBits - 8) {
      throw cryptoError(
        "DataError",
        `Imported HMAC key length (${length}) must be a non-zero value up to 7 bits less than, and ` +
          `no greater than, the bit length of the raw key data (${dataBits}).`,
      );
    }
    const algorithm = { name: "HMAC", hash: { name: hash }, length };
    return createCryptoKey("secret", extractable, algorithm, canonicalUsages(usages), { bytes });
  },

  generateKey(normalized, extractable, usages) {
    checkUsages(usages, ["sign", "verify"], "generate HMAC key");
    const hash = normalizeHash(requireMember(normalized.dictionary, "hash"));
    let length = HMAC_BLOCK_BITS[hash];
    if (normalized.dictionary.length !== undefined) {
      length = toEnforcedUnsignedInteger(normalized.dictionary.length, "The HMAC key length");
      if (length === 0) {
        throw cryptoError("OperationError", "HMAC key length must be a non-zero number of bits.");
      }
    }
    const bytes = new Uint8Array(Math.ceil(length / 8));
    host.randomFill(bytes);
    // Bits past `length` in the last byte stay zero, so the key has exactly `length` bits.
    if (length % 8 !== 0) {
      bytes[bytes.length - 1] &= 0xff << (8 - (length % 8));
    }
    const algorithm = { name: "HMAC", hash: { name: hash }, length };
    return createCryptoKey("secret", extractable, algorithm, canonicalUsages(usages), { bytes });
  },

  sign(normalized, key, data) {
    return host.subtleHmacSign(key.algorithm.hash.name, key.material.bytes, data).buffer;
  },

  verify(normalized, key, signature, data) {
    return host.subtleHmacVerify(key.algorithm.hash.name, key.material.bytes, data, signature);
  },

  exportKey(format, key) {
    const bytes = key.material.bytes;
    if (format === "raw") {
      return bytes.slice().buffer;
    }
    if (format === "jwk") {
      return {
        kty: "oct",
        key_ops: [...key.usages],
        alg: HMAC_JWK_ALGS[key.algorithm.hash.name],
        ext: key.extractable,
        k: base64UrlEncode(bytes),
      };
    }
    throw unsupportedFormat("export", format);
  },
};

// ---- Asymmetric keys: ECDSA and Ed25519

/** Splits requested usages into those of the public and the private key of a new pair. */
function splitPairUsages(usages) {
  return {
    publicUsages: canonicalUsages(usages.filter((usage) => usage === "verify")),
    privateUsages: canonicalUsages(usages.filter((usage) => usage === "sign")),
  };
}

function createKeyPair(algorithm, extractable, usages, secret, publicBytes) {
  const { publicUsages, privateUsages } = splitPairUsages(usages);
  if (privateUsages.length === 0) {
    throw cryptoError(
      "SyntaxError",
      "Attempt to generate asymmetric keys with no valid private key usages.",
    );
  }
  // The public key of a new pair is always extractable.
  const publicKey = createCryptoKey("public", true, algorithm, publicUsages, {
    secret: null,
    public: publicBytes,
  });
  const privateKey = createCryptoKey("private", extractable, algorithm, privateUsages, {
    secret,
    public: publicBytes,
  });
  return { publicKey, privateKey };
}

function requirePublicOnly(usages, name) {
  checkUsages(usages, ["verify"], `import public ${name} key`);
}

function requirePrivateOnly(usages, name) {
  checkUsages(usages, ["sign"], `import private ${name} key`);
}

/** Reads the `namedCurve` of an ECDSA algorithm, which must name a supported curve. */
function ecdsaCurve(normalized) {
  const curve = String(requireMember(normalized.dictionary, "namedCurve"));
  if (!EC_CURVES.includes(curve)) {
    // NOTE: workerd also supports P-521, which needs the p521 crate here.
    throw cryptoError(
      "NotSupportedError",
      `Unrecognized or unimplemented EC curve "${curve}" requested.`,
    );
  }
  return curve;
}

function dataErrorIfNull(value, message) {
  if (value === null || value === undefined) {
    throw cryptoError("DataError", message);
  }
  return value;
}

function concatKeyBytes(...parts) {
  return concatBytes(parts);
}

const ecdsaAlgorithm = {
  generateKey(normalized, extractable, usages) {
    const curve = ecdsaCurve(normalized);
    checkUsages(usages, ["sign", "verify"], "generate ECDSA key");
    const [secret, publicBytes] = host.subtleEcGenerate(curve);
    return createKeyPair(
      { name: "ECDSA", namedCurve: curve },
      extractable,
      usages,
      secret,
      publicBytes,
    );
  },

  importKey(format, keyData, normalized, extractable, usages) {
    const curve = ecdsaCurve(normalized);
    const algorithm = { name: "ECDSA", namedCurve: curve };
    if (format === "raw") {
      requirePublicOnly(usages, "ECDSA");
      const point = dataErrorIfNull(
        host.subtleEcPublicFromSec1(curve, copyBufferSource(keyData, "importKey", 2)),
        "Failed to import raw EC key data: Invalid point encoding..",
      );
      return createCryptoKey("public", extractable, algorithm, canonicalUsages(usages), {
        secret: null,
        public: point,
      });
    }
    if (format === "spki") {
      requirePublicOnly(usages, "ECDSA");
      const point = dataErrorIfNull(
        host.subtleEcSpkiDecode(curve, copyBufferSource(keyData, "importKey", 2)),
        `Invalid SPKI input for an ECDSA ${curve} key.`,
      );
      return createCryptoKey("public", extractable, algorithm, canonicalUsages(usages), {
        secret: null,
        public: point,
      });
    }
    if (format === "pkcs8") {
      requirePrivateOnly(usages, "ECDSA");
      const secret = dataErrorIfNull(
        host.subtleEcPkcs8Decode(curve, copyBufferSource(keyData, "importKey", 2)),
        `Invalid PKCS#8 input for an ECDSA ${curve} key.`,
      );
      const point = host.subtleEcPublicFromPrivate(curve, secret);
      return createCryptoKey("private", extractable, algorithm, canonicalUsages(usages), {
        secret,
        public: point,
      });
    }
    if (format === "jwk") {
      const jwk = requireJwk(keyData);
      if (jwk.kty !== "EC") {
        throw cryptoError(
          "DataError",
          `Elliptic curve "jwk" key import requires a JSON Web Key with Key Type parameter ("kty") equal to "EC" (encountered "${jwk.kty}").`,
        );
      }
      if (jwk.crv !== curve) {
        throw cryptoError(
          "DataError",
          `JWK "crv" field "${jwk.crv}" does not match the requested curve "${curve}".`,
        );
      }
      if (jwk.alg !== undefined && jwk.alg !== ECDSA_JWK_ALGS[curve]) {
        throw cryptoError(
          "DataError",
          `JWK "alg" field "${jwk.alg}" does not match the requested curve "${curve}".`,
        );
      }
      checkJwkCommon(jwk, extractable, usages, "ECDSA");
      const size = EC_FIELD_BYTES[curve];
      const x = base64UrlDecode(jwk.x, '"x"');
      const y = base64UrlDecode(jwk.y, '"y"');
      if (x.byteLength !== size || y.byteLength !== size) {
        throw cryptoError(
          "DataError",
          `JWK "x" and "y" fields must each be ${size} bytes for ${curve}.`,
        );
      }
      const point = dataErrorIfNull(
        host.subtleEcPublicFromSec1(curve, concatKeyBytes(new Uint8Array([4]), x, y)),
        "Invalid EC public key in the JSON Web Key.",
      );
      if (jwk.d === undefined) {
        requirePublicOnly(usages, "ECDSA");
        return createCryptoKey("public", extractable, algorithm, canonicalUsages(usages), {
          secret: null,
          public: point,
        });
      }
      requirePrivateOnly(usages, "ECDSA");
      const secret = base64UrlDecode(jwk.d, '"d"');
      const derived = dataErrorIfNull(
        secret.byteLength === size ? host.subtleEcPublicFromPrivate(curve, secret) : null,
        "Invalid EC private key in the JSON Web Key.",
      );
      if (base64UrlEncode(derived) !== base64UrlEncode(point)) {
        throw cryptoError("DataError", 'JWK "d" field does not match its "x" and "y" fields.');
      }
      return createCryptoKey("private", extractable, algorithm, canonicalUsages(usages), {
        secret,
        public: point,
      });
    }
    throw unsupportedFormat("import", format);
  },

  sign(normalized, key, data) {
    const hash = normalizeHash(requireMember(normalized.dictionary, "hash"));
    if (key.type !== "private") {
      throw cryptoError("InvalidAccessError", "ECDSA signing requires a private key.");
    }
    const signature = host.subtleEcSign(key.algorithm.namedCurve, hash, key.material.secret, data);
    if (signature === null || signature === undefined) {
      throw cryptoError(
        "OperationError",
        `ECDSA ${key.algorithm.namedCurve} cannot sign with ${hash}.`,
      );
    }
    return signature.buffer;
  },

  verify(normalized, key, signature, data) {
    const hash = normalizeHash(requireMember(normalized.dictionary, "hash"));
    if (key.type !== "public") {
      throw cryptoError("InvalidAccessError", "ECDSA verification requires a public key.");
    }
    return host.subtleEcVerify(
      key.algorithm.namedCurve,
      hash,
      key.material.public,
      data,
      signature,
    );
  },

  exportKey(format, key) {
    const curve = key.algorithm.namedCurve;
    if (format === "raw") {
      if (key.type !== "public") {
        throw cryptoError(
          "InvalidAccessError",
          "Raw export of elliptic curve keys is only allowed for public keys.",
        );
      }
      return key.material.public.slice().buffer;
    }
    if (format === "spki") {
      if (key.type !== "public") {
        throw cryptoError(
          "InvalidAccessError",
          "SPKI export of elliptic curve keys is only allowed for public keys.",
        );
      }
      return host.subtleEcSpkiEncode(curve, key.material.public).buffer;
    }
    if (format === "pkcs8") {
      if (key.type !== "private") {
        throw cryptoError(
          "InvalidAccessError",
          "PKCS8 export of elliptic curve keys is only allowed for private keys.",
        );
      }
      return host.subtleEcPkcs8Encode(curve, key.material.secret).buffer;
    }
    if (format === "jwk") {
      const size = EC_FIELD_BYTES[curve];
      const point = key.material.public;
      const jwk = {
        kty: "EC",
        key_ops: [...key.usages],
        ext: key.extractable,
        crv: curve,
        x: base64UrlEncode(point.subarray(1, 1 + size)),
        y: base64UrlEncode(point.subarray(1 + size)),
      };
      if (key.type === "private") {
        jwk.d = base64UrlEncode(key.material.secret);
      }
      return jwk;
    }
    throw unsupportedFormat("export", format);
  },
};

/** Returns the key algorithm of an Ed25519 key under either of the names workerd accepts. */
function ed25519KeyAlgorithm(normalized) {
  if (normalized.name === "NODE-ED25519") {
    const curve = String(requireMember(normalized.dictionary, "namedCurve"));
    if (curve !== "NODE-ED25519") {
      throw cryptoError(
        "NotSupportedError",
        `Unrecognized or unimplemented EC curve "${curve}" requested.`,
      );
    }
    return { name: "NODE-ED25519", namedCurve: "NODE-ED25519" };
  }
  return { name: "Ed25519" };
}

const ed25519Algorithm = {
  generateKey(normalized, extractable, usages) {
    const algorithm = ed25519KeyAlgorithm(normalized);
    checkUsages(usages, ["sign", "verify"], `generate ${algorithm.name} key`);
    const [secret, publicBytes] = host.subtleEdGenerate();
    return createKeyPair(algorithm, extractable, usages, secret, publicBytes);
  },

  importKey(format, keyData, normalized, extractable, usages) {
    const algorithm = ed25519KeyAlgorithm(normalized);
    const name = algorithm.name;
    if (format === "raw") {
      requirePublicOnly(usages, name);
      const bytes = copyBufferSource(keyData, "importKey", 2);
      if (bytes.byteLength !== 32 || !host.subtleEdPublicCheck(bytes)) {
        throw cryptoError(
          "DataError",
          `Ed25519 raw keys must be exactly 32 bytes (provided ${bytes.byteLength}).`,
        );
      }
      return createCryptoKey("public", extractable, algorithm, canonicalUsages(usages), {
        secret: null,
        public: bytes,
      });
    }
    if (format === "spki") {
      requirePublicOnly(usages, name);
      const point = dataErrorIfNull(
        host.subtleEdSpkiDecode(copyBufferSource(keyData, "importKey", 2)),
        "Invalid SPKI input for an Ed25519 key.",
      );
      return createCryptoKey("public", extractable, algorithm, canonicalUsages(usages), {
        secret: null,
        public: point,
      });
    }
    if (format === "pkcs8") {
      requirePrivateOnly(usages, name);
      const secret = dataErrorIfNull(
        host.subtleEdPkcs8Decode(copyBufferSource(keyData, "importKey", 2)),
        "Invalid PKCS#8 input for an Ed25519 key.",
      );
      const point = host.subtleEdPublicFromSeed(secret);
      return createCryptoKey("private", extractable, algorithm, canonicalUsages(usages), {
        secret,
        public: point,
      });
    }
    if (format === "jwk") {
      const jwk = requireJwk(keyData);
      if (jwk.kty !== "OKP") {
        throw cryptoError(
          "DataError",
          `Ed25519 "jwk" key import requires a JSON Web Key with Key Type parameter ("kty") equal to "OKP" (encountered "${jwk.kty}").`,
        );
      }
      if (jwk.crv !== "Ed25519") {
        throw cryptoError(
          "DataError",
          `JWK "crv" field must be "Ed25519" (encountered "${jwk.crv}").`,
        );
      }
      if (jwk.alg !== undefined && jwk.alg !== "EdDSA" && jwk.alg !== "Ed25519") {
        throw cryptoError(
          "DataError",
          `JWK "alg" field must be "EdDSA" (encountered "${jwk.alg}").`,
        );
      }
      checkJwkCommon(jwk, extractable, usages, name);
      const point = base64UrlDecode(jwk.x, '"x"');
      if (point.byteLength !== 32 || !host.subtleEdPublicCheck(point)) {
        throw cryptoError("DataError", 'JWK "x" field must be a valid 32-byte Ed25519 public key.');
      }
      if (jwk.d === undefined) {
        requirePublicOnly(usages, name);
        return createCryptoKey("public", extractable, algorithm, canonicalUsages(usages), {
          secret: null,
          public: point,
        });
      }
      requirePrivateOnly(usages, name);
      const secret = base64UrlDecode(jwk.d, '"d"');
      const derived = dataErrorIfNull(
        secret.byteLength === 32 ? host.subtleEdPublicFromSeed(secret) : null,
        'JWK "d" field must be a 32-byte Ed25519 private key.',
      );
      if (base64UrlEncode(derived) !== base64UrlEncode(point)) {
        throw cryptoError("DataError", 'JWK "d" field does not match its "x" field.');
      }
      return createCryptoKey("private", extractable, algorithm, canonicalUsages(usages), {
        secret,
        public: point,
      });
    }
    throw unsupportedFormat("import", format);
  },

  sign(normalized, key, data) {
    if (key.type !== "private") {
      throw cryptoError("InvalidAccessError", "Ed25519 signing requires a private key.");
    }
    return host.subtleEdSign(key.material.secret, data).buffer;
  },

  verify(normalized, key, signature, data) {
    if (key.type !== "public") {
      throw cryptoError("InvalidAccessError", "Ed25519 verification requires a public key.");
    }
    // workerd rejects a signature of the wrong length instead of returning false.
    if (signature.byteLength !== 64) {
      throw cryptoError(
        "OperationError",
        `Invalid Ed25519 signature length ${signature.byteLength}`,
      );
    }
    return host.subtleEdVerify(key.material.public, data, signature);
  },

  exportKey(format, key) {
    if (format === "raw") {
      if (key.type !== "public") {
        throw cryptoError(
          "InvalidAccessError",
          "Raw export of Ed25519 keys is only allowed for public keys.",
        );
      }
      return key.material.public.slice().buffer;
    }
    if (format === "spki") {
      if (key.type !== "public") {
        throw cryptoError(
          "InvalidAccessError",
          "SPKI export of Ed25519 keys is only allowed for public keys.",
        );
      }
      return host.subtleEdSpkiEncode(key.material.public).buffer;
    }
    if (format === "pkcs8") {
      if (key.type !== "private") {
        throw cryptoError(
          "InvalidAccessError",
          "PKCS8 export of Ed25519 keys is only allowed for private keys.",
        );
      }
      return host.subtleEdPkcs8Encode(key.material.secret).buffer;
    }
    if (format === "jwk") {
      const jwk = {
        kty: "OKP",
        key_ops: [...key.usages],
        alg: "EdDSA",
        ext: key.extractable,
        crv: "Ed25519",
        x: base64UrlEncode(key.material.public),
      };
      if (key.type === "private") {
        jwk.d = base64UrlEncode(key.material.secret);
      }
      return jwk;
    }
    throw unsupportedFormat("export", format);
  },
};

const KEY_ALGORITHMS = {
  HMAC: hmacAlgorithm,
  ECDSA: ecdsaAlgorithm,
  Ed25519: ed25519Algorithm,
  "NODE-ED25519": ed25519Algorithm,
};

function keyAlgorithmFor(normalized, operation) {
  const implementation = KEY_ALGORITHMS[normalized.name];
  if (implementation === undefined || implementation[operation] === undefined) {
    throw notImplemented(operation, normalized.name);
  }
  return implementation;
}

const KEY_FORMATS = ["raw", "spki", "pkcs8", "jwk"];

function toKeyFormat(format, verb) {
  const text = String(format);
  if (!KEY_FORMATS.includes(text)) {
    throw unsupportedFormat(verb, text);
  }
  return text;
}

/** Runs `steps` and returns a promise of its result, so every error becomes a rejection. */
function settleLater(steps) {
  try {
    return Promise.resolve(steps());
  } catch (error) {
    return Promise.reject(error);
  }
}

// ---- SubtleCrypto

/** Token that lets this file construct the one SubtleCrypto, which user code cannot. */
const SUBTLE_CRYPTO_TOKEN = Symbol("SubtleCrypto token");

class SubtleCrypto {
  constructor(token = undefined) {
    if (token !== SUBTLE_CRYPTO_TOKEN) {
      throw new TypeError("Illegal constructor");
    }
  }

  digest(algorithm, data) {
    return settleLater(() => {
      const dictionary = algorithmDictionary(algorithm);
      const name = matchAlgorithmName(dictionary.name, DIGEST_NAMES);
      const bytes = copyBufferSource(data, "digest", 2);
      if (name === null) {
        throw cryptoError(
          "NotSupportedError",
          "Unrecognized or unimplemented digest algorithm requested.",
        );
      }
      return host.subtleDigest(name, bytes).buffer;
    });
  }

  sign(algorithm, key, data) {
    return settleLater(() => {
      const normalized = normalizeAlgorithm(algorithm);
      const state = requireCryptoKey(key, "sign", 2);
      const bytes = copyBufferSource(data, "sign", 3);
      checkKeyFor(state, normalized, "sign");
      return keyAlgorithmFor(normalized, "sign").sign(normalized, state, bytes);
    });
  }

  verify(algorithm, key, signature, data) {
    return settleLater(() => {
      const normalized = normalizeAlgorithm(algorithm);
      const state = requireCryptoKey(key, "verify", 2);
      const signatureBytes = copyBufferSource(signature, "verify", 3);
      const bytes = copyBufferSource(data, "verify", 4);
      checkKeyFor(state, normalized, "verify");
      return keyAlgorithmFor(normalized, "verify").verify(normalized, state, signatureBytes, bytes);
    });
  }

  generateKey(algorithm, extractable, keyUsages) {
    return settleLater(() => {
      // Generating a key draws random values, which Workers disallows at global scope.
      assertInRequest();
      const normalized = normalizeAlgorithm(algorithm);
      const usages = toKeyUsages(keyUsages);
      const result = keyAlgorithmFor(normalized, "generateKey").generateKey(
        normalized,
        Boolean(extractable),
        usages,
      );
      if (result instanceof CryptoKey && result.usages.length === 0) {
        throw cryptoError("SyntaxError", "Secret/private CryptoKeys must have at least one usage.");
      }
      return result;
    });
  }

  importKey(format, keyData, algorithm, extractable, keyUsages) {
    return settleLater(() => {
      const keyFormat = toKeyFormat(format, "import");
      const normalized = normalizeAlgorithm(algorithm);
      const usages = toKeyUsages(keyUsages);
      const key = keyAlgorithmFor(normalized, "importKey").importKey(
        keyFormat,
        keyData,
        normalized,
        Boolean(extractable),
        usages,
      );
      if ((key.type === "secret" || key.type === "private") && key.usages.length === 0) {
        throw cryptoError("SyntaxError", "Secret/private CryptoKeys must have at least one usage.");
      }
      return key;
    });
  }

  exportKey(format, key) {
    return settleLater(() => {
      const keyFormat = toKeyFormat(format, "export");
      const state = requireCryptoKey(key, "exportKey", 2);
      const name = state.algorithm.name;
      if (!state.extractable) {
        throw cryptoError("InvalidAccessError", `Attempt to export non-extractable ${name} key.`);
      }
      return KEY_ALGORITHMS[name].exportKey(keyFormat, state);
    });
  }

  encrypt(algorithm, key, data) {
    return unimplementedKeyOperation(algorithm, key, "encrypt", "encrypt");
  }

  decrypt(algorithm, key, data) {
    return unimplementedKeyOperation(algorithm, key, "decrypt", "decrypt");
  }

  deriveBits(algorithm, baseKey, length = null) {
    return unimplementedKeyOperation(algorithm, baseKey, "deriveBits", "deriveBits");
  }

  deriveKey(algorithm, baseKey, derivedKeyType, extractable, keyUsages) {
    return unimplementedKeyOperation(algorithm, baseKey, "deriveKey", "deriveKey");
  }

  wrapKey(format, key, wrappingKey, wrapAlgorithm) {
    return unimplementedKeyOperation(wrapAlgorithm, wrappingKey, "wrapKey", "wrapKey");
  }

  unwrapKey(
    format,
    wrappedKey,
    unwrappingKey,
    unwrapAlgorithm,
    unwrappedKeyAlgorithm,
    extractable,
    keyUsages,
  ) {
    return unimplementedKeyOperation(unwrapAlgorithm, unwrappingKey, "unwrapKey", "unwrapKey");
  }
}
Object.defineProperty(SubtleCrypto.prototype, Symbol.toStringTag, {
  value: "SubtleCrypto",
  configurable: true,
});

/**
 * Rejects an operation that no implemented key algorithm supports, after the checks that
 * workerd runs first: the algorithm name, then whether the key's algorithm and usages fit.
 */
function unimplementedKeyOperation(algorithm, key, usage, operation) {
  return settleLater(() => {
    const normalized = normalizeAlgorithm(algorithm);
    const state = requireCryptoKey(key, operation, 2);
    checkKeyFor(state, normalized, usage);
    throw notImplemented(operation, normalized.name);
  });
}

/** The object that `crypto.subtle` returns; crypto.js defines that getter. */
const subtleCrypto = new SubtleCrypto(SUBTLE_CRYPTO_TOKEN);

return { SubtleCrypto, CryptoKey, subtleCrypto };
