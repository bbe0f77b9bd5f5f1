//! Natives behind crypto.subtle: digests, HMAC, ECDSA on P-256 and P-384, and Ed25519, from the
//! RustCrypto crates. They work on raw key material (bytes); `js/subtle.js` owns the CryptoKey
//! objects, the algorithm rules and the DOMExceptions.
//!
//! Functions that parse input return `null` (`None`) for bytes that are not a valid key, so the
//! JS side can throw the DataError that WebCrypto specifies.

use ed25519_dalek::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use ed25519_dalek::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
use ed25519_dalek::{Signer as _, Verifier as _};
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use rquickjs::{Ctx, Exception, Function, Object, Result, TypedArray};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// Hashes `data` with a WebCrypto digest name, or returns None for an unknown name.
fn digest(name: &str, data: &[u8]) -> Option<Vec<u8>> {
    let output = match name {
        "SHA-1" => Sha1::digest(data).to_vec(),
        "SHA-256" => Sha256::digest(data).to_vec(),
        "SHA-384" => Sha384::digest(data).to_vec(),
        "SHA-512" => Sha512::digest(data).to_vec(),
        "MD5" => md5::Md5::digest(data).to_vec(),
        _ => return None,
    };
    Some(output)
}

/// Computes an HMAC tag, or returns None for an unknown hash.
fn hmac_sign(hash: &str, key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    macro_rules! tag {
        ($digest:ty) => {{
            // HMAC accepts keys of any length, so this cannot fail.
            let mut mac = Hmac::<$digest>::new_from_slice(key).expect("HMAC takes any key length");
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }};
    }
    let tag = match hash {
        "SHA-1" => tag!(Sha1),
        "SHA-256" => tag!(Sha256),
        "SHA-384" => tag!(Sha384),
        "SHA-512" => tag!(Sha512),
        _ => return None,
    };
    Some(tag)
}

/// Checks an HMAC tag in constant time; false for an unknown hash.
fn hmac_verify(hash: &str, key: &[u8], data: &[u8], signature: &[u8]) -> bool {
    macro_rules! check {
        ($digest:ty) => {{
            // HMAC accepts keys of any length, so this cannot fail.
            let mut mac = Hmac::<$digest>::new_from_slice(key).expect("HMAC takes any key length");
            mac.update(data);
            mac.verify_slice(signature).is_ok()
        }};
    }
    match hash {
        "SHA-1" => check!(Sha1),
        "SHA-256" => check!(Sha256),
        "SHA-384" => check!(Sha384),
        "SHA-512" => check!(Sha512),
        _ => false,
    }
}

/// Fills a buffer from the OS random source, or throws an InternalError.
fn random_bytes<const N: usize>(ctx: &Ctx<'_>) -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|error| {
        Exception::throw_internal(ctx, &format!("the OS random source failed: {error}"))
    })?;
    Ok(bytes)
}

/// ECDSA and key-format operations of one NIST curve, written once for P-256 and P-384.
macro_rules! ec_curve {
    ($module:ident, $curve:ident, $field_bytes:expr) => {
        mod $module {
            use $curve::ecdsa::{Signature, SigningKey, VerifyingKey};
            use $curve::elliptic_curve::sec1::ToEncodedPoint as _;
            use $curve::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
            use $curve::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
            use $curve::{PublicKey, SecretKey};

            use super::{PrehashSigner, PrehashVerifier};

            pub(super) const FIELD_BYTES: usize = $field_bytes;

            fn uncompressed(public: &PublicKey) -> Vec<u8> {
                public.to_encoded_point(false).as_bytes().to_vec()
            }

            /// Returns the uncompressed point of a private scalar, or None for an invalid one.
            pub(super) fn public_from_private(scalar: &[u8]) -> Option<Vec<u8>> {
                let secret = SecretKey::from_slice(scalar).ok()?;
                Some(uncompressed(&secret.public_key()))
            }

            /// Parses a compressed or uncompressed SEC1 point and returns it uncompressed.
            pub(super) fn public_from_sec1(bytes: &[u8]) -> Option<Vec<u8>> {
                PublicKey::from_sec1_bytes(bytes)
                    .ok()
                    .map(|key| uncompressed(&key))
            }

            pub(super) fn spki_decode(der: &[u8]) -> Option<Vec<u8>> {
                PublicKey::from_public_key_der(der)
                    .ok()
                    .map(|key| uncompressed(&key))
            }

            pub(super) fn spki_encode(point: &[u8]) -> Option<Vec<u8>> {
                let key = PublicKey::from_sec1_bytes(point).ok()?;
                key.to_public_key_der()
                    .ok()
                    .map(|document| document.as_bytes().to_vec())
            }

            pub(super) fn pkcs8_decode(der: &[u8]) -> Option<Vec<u8>> {
                SecretKey::from_pkcs8_der(der)
                    .ok()
                    .map(|key| key.to_bytes().to_vec())
            }

            pub(super) fn pkcs8_encode(scalar: &[u8]) -> Option<Vec<u8>> {
                let key = SecretKey::from_slice(scalar).ok()?;
                key.to_pkcs8_der()
                    .ok()
                    .map(|document| document.as_bytes().to_vec())
            }

            /// Signs a message digest; the signature is r || s, as WebCrypto specifies.
            pub(super) fn sign(scalar: &[u8], prehash: &[u8]) -> Option<Vec<u8>> {
                let key = SigningKey::from_slice(scalar).ok()?;
                let signature: Signature = key.sign_prehash(prehash).ok()?;
                Some(signature.to_bytes().to_vec())
            }

            pub(super) fn verify(point: &[u8], prehash: &[u8], signature: &[u8]) -> bool {
                let Ok(key) = VerifyingKey::from_sec1_bytes(point) else {
                    return false;
                };
                let Ok(signature) = Signature::from_slice(signature) else {
                    return false;
                };
                key.verify_prehash(prehash, &signature).is_ok()
            }
        }
    };
}

ec_curve!(curve_p256, p256, 32);
ec_curve!(curve_p384, p384, 48);

/// Dispatches to the curve module named by a WebCrypto `namedCurve`.
macro_rules! on_curve {
    ($curve:expr, $module:ident => $body:expr) => {
        match $curve {
            "P-256" => {
                use curve_p256 as $module;
                $body
            }
            "P-384" => {
                use curve_p384 as $module;
                $body
            }
            _ => None,
        }
    };
}

fn ec_generate(ctx: &Ctx<'_>, curve: &str) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    // A random string of field size is a valid scalar unless it is zero or at least the group
    // order. That happens with probability below 2^-32 for both curves, and then it tries again.
    for _ in 0..16 {
        let seed: [u8; 48] = random_bytes(ctx)?;
        let pair = on_curve!(curve, module => {
            let scalar = &seed[..module::FIELD_BYTES];
            module::public_from_private(scalar).map(|public| (scalar.to_vec(), public))
        });
        if pair.is_some() {
            return Ok(pair);
        }
        if !matches!(curve, "P-256" | "P-384") {
            return Ok(None);
        }
    }
    Err(Exception::throw_internal(
        ctx,
        "failed to generate an EC key",
    ))
}

fn ed25519_signing_key(seed: &[u8]) -> Option<ed25519_dalek::SigningKey> {
    let seed: [u8; 32] = seed.try_into().ok()?;
    Some(ed25519_dalek::SigningKey::from_bytes(&seed))
}

fn ed25519_verifying_key(public: &[u8]) -> Option<ed25519_dalek::VerifyingKey> {
    let public: [u8; 32] = public.try_into().ok()?;
    ed25519_dalek::VerifyingKey::from_bytes(&public).ok()
}

/// Copies the bytes of a Uint8Array argument.
fn bytes_of(array: &TypedArray<'_, u8>) -> Vec<u8> {
    // SAFETY: the slice is copied before any JS can run and detach the buffer.
    unsafe { array.as_bytes() }.unwrap_or_default().to_vec()
}

fn to_array<'js>(ctx: &Ctx<'js>, bytes: Option<Vec<u8>>) -> Result<Option<TypedArray<'js, u8>>> {
    bytes
        .map(|bytes| TypedArray::new(ctx.clone(), bytes))
        .transpose()
}

/// Registers the `subtle*` natives on `host`. Byte arguments and results are Uint8Arrays.
pub(crate) fn register<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    // subtleDigest(name, data) -> digest, or null for an unknown name.
    host.set(
        "subtleDigest",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, name: String, data: TypedArray<'js, u8>| {
                to_array(&ctx, digest(&name, &bytes_of(&data)))
            },
        )?,
    )?;

    // subtleHmacSign(hash, key, data) -> tag, or null for an unknown hash.
    host.set(
        "subtleHmacSign",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, hash: String, key: TypedArray<'js, u8>, data: TypedArray<'js, u8>| {
                to_array(&ctx, hmac_sign(&hash, &bytes_of(&key), &bytes_of(&data)))
            },
        )?,
    )?;

    // subtleHmacVerify(hash, key, data, signature) -> boolean.
    host.set(
        "subtleHmacVerify",
        Function::new(
            ctx.clone(),
            |hash: String,
             key: TypedArray<'js, u8>,
             data: TypedArray<'js, u8>,
             signature: TypedArray<'js, u8>| {
                hmac_verify(
                    &hash,
                    &bytes_of(&key),
                    &bytes_of(&data),
                    &bytes_of(&signature),
                )
            },
        )?,
    )?;

    register_ec(ctx, host)?;
    register_ed25519(ctx, host)?;
    Ok(())
}

/// Registers the ECDSA natives; each takes the curve name ("P-256" or "P-384") first.
fn register_ec<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    // subtleEcGenerate(curve) -> [privateScalar, uncompressedPoint], or null for another curve.
    host.set(
        "subtleEcGenerate",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, curve: String| -> Result<Option<Vec<TypedArray<'js, u8>>>> {
                let Some((scalar, public)) = ec_generate(&ctx, &curve)? else {
                    return Ok(None);
                };
                Ok(Some(vec![
                    TypedArray::new(ctx.clone(), scalar)?,
                    TypedArray::new(ctx.clone(), public)?,
                ]))
            },
        )?,
    )?;

    // subtleEcPublicFromPrivate(curve, scalar) -> uncompressed point, or null.
    host.set(
        "subtleEcPublicFromPrivate",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, curve: String, scalar: TypedArray<'js, u8>| {
                let scalar = bytes_of(&scalar);
                to_array(
                    &ctx,
                    on_curve!(curve.as_str(), module => module::public_from_private(&scalar)),
                )
            },
        )?,
    )?;

    // subtleEcPublicFromSec1(curve, point) -> uncompressed point, or null.
    host.set(
        "subtleEcPublicFromSec1",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, curve: String, point: TypedArray<'js, u8>| {
                let point = bytes_of(&point);
                to_array(
                    &ctx,
                    on_curve!(curve.as_str(), module => module::public_from_sec1(&point)),
                )
            },
        )?,
    )?;

    // subtleEcSpkiDecode(curve, der) -> uncompressed point, or null (also for another curve).
    host.set(
        "subtleEcSpkiDecode",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, curve: String, der: TypedArray<'js, u8>| {
                let der = bytes_of(&der);
                to_array(
                    &ctx,
                    on_curve!(curve.as_str(), module => module::spki_decode(&der)),
                )
            },
        )?,
    )?;

    // subtleEcSpkiEncode(curve, point) -> DER.
    host.set(
        "subtleEcSpkiEncode",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, curve: String, point: TypedArray<'js, u8>| {
                let point = bytes_of(&point);
                to_array(
                    &ctx,
                    on_curve!(curve.as_str(), module => module::spki_encode(&point)),
                )
            },
        )?,
    )?;

    // subtleEcPkcs8Decode(curve, der) -> private scalar, or null.
    host.set(
        "subtleEcPkcs8Decode",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, curve: String, der: TypedArray<'js, u8>| {
                let der = bytes_of(&der);
                to_array(
                    &ctx,
                    on_curve!(curve.as_str(), module => module::pkcs8_decode(&der)),
                )
            },
        )?,
    )?;

    // subtleEcPkcs8Encode(curve, scalar) -> DER.
    host.set(
        "subtleEcPkcs8Encode",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, curve: String, scalar: TypedArray<'js, u8>| {
                let scalar = bytes_of(&scalar);
                to_array(
                    &ctx,
                    on_curve!(curve.as_str(), module => module::pkcs8_encode(&scalar)),
                )
            },
        )?,
    )?;

    // subtleEcSign(curve, hash, scalar, data) -> r || s, or null when the hash is unknown or
    // shorter than half the curve's field, which ECDSA cannot use.
    host.set(
        "subtleEcSign",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             curve: String,
             hash: String,
             scalar: TypedArray<'js, u8>,
             data: TypedArray<'js, u8>| {
                let scalar = bytes_of(&scalar);
                let signature = digest(&hash, &bytes_of(&data)).and_then(
                    |prehash| on_curve!(curve.as_str(), module => module::sign(&scalar, &prehash)),
                );
                to_array(&ctx, signature)
            },
        )?,
    )?;

    // subtleEcVerify(curve, hash, point, data, signature) -> boolean.
    host.set(
        "subtleEcVerify",
        Function::new(
            ctx.clone(),
            |curve: String,
             hash: String,
             point: TypedArray<'js, u8>,
             data: TypedArray<'js, u8>,
             signature: TypedArray<'js, u8>| {
                let point = bytes_of(&point);
                let signature = bytes_of(&signature);
                digest(&hash, &bytes_of(&data)).is_some_and(|prehash| {
                    on_curve!(curve.as_str(), module => Some(module::verify(&point, &prehash, &signature)))
                        .unwrap_or(false)
                })
            },
        )?,
    )?;
    Ok(())
}

/// Registers the Ed25519 natives. Private keys are 32-byte seeds, public keys 32-byte points.
fn register_ed25519<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    // subtleEdGenerate() -> [seed, publicKey].
    host.set(
        "subtleEdGenerate",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>| -> Result<Vec<TypedArray<'js, u8>>> {
                let seed: [u8; 32] = random_bytes(&ctx)?;
                let key = ed25519_dalek::SigningKey::from_bytes(&seed);
                Ok(vec![
                    TypedArray::new(ctx.clone(), seed.to_vec())?,
                    TypedArray::new(ctx.clone(), key.verifying_key().to_bytes().to_vec())?,
                ])
            },
        )?,
    )?;

    // subtleEdPublicFromSeed(seed) -> public key, or null for a seed that is not 32 bytes.
    host.set(
        "subtleEdPublicFromSeed",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, seed: TypedArray<'js, u8>| {
            let public = ed25519_signing_key(&bytes_of(&seed))
                .map(|key| key.verifying_key().to_bytes().to_vec());
            to_array(&ctx, public)
        })?,
    )?;

    // subtleEdPublicCheck(publicKey) -> whether it is a valid encoded point.
    host.set(
        "subtleEdPublicCheck",
        Function::new(ctx.clone(), |public: TypedArray<'js, u8>| {
            ed25519_verifying_key(&bytes_of(&public)).is_some()
        })?,
    )?;

    // subtleEdSpkiDecode(der) -> public key, or null.
    host.set(
        "subtleEdSpkiDecode",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, der: TypedArray<'js, u8>| {
            let public = ed25519_dalek::VerifyingKey::from_public_key_der(&bytes_of(&der))
                .ok()
                .map(|key| key.to_bytes().to_vec());
            to_array(&ctx, public)
        })?,
    )?;

    // subtleEdSpkiEncode(publicKey) -> DER, or null for an invalid key.
    host.set(
        "subtleEdSpkiEncode",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, public: TypedArray<'js, u8>| {
            let der = ed25519_verifying_key(&bytes_of(&public))
                .and_then(|key| key.to_public_key_der().ok())
                .map(|document| document.as_bytes().to_vec());
            to_array(&ctx, der)
        })?,
    )?;

    // subtleEdPkcs8Decode(der) -> seed, or null.
    host.set(
        "subtleEdPkcs8Decode",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, der: TypedArray<'js, u8>| {
            let seed = ed25519_dalek::SigningKey::from_pkcs8_der(&bytes_of(&der))
                .ok()
                .map(|key| key.to_bytes().to_vec());
            to_array(&ctx, seed)
        })?,
    )?;

    // subtleEdPkcs8Encode(seed) -> DER, or null for a seed that is not 32 bytes.
    host.set(
        "subtleEdPkcs8Encode",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, seed: TypedArray<'js, u8>| {
            // Like workerd, the PKCS #8 v1 form without the public key (48 bytes).
            let der = <[u8; 32]>::try_from(bytes_of(&seed).as_slice())
                .ok()
                .and_then(|secret_key| {
                    let pair = ed25519_dalek::pkcs8::KeypairBytes {
                        secret_key,
                        public_key: None,
                    };
                    pair.to_pkcs8_der().ok()
                })
                .map(|document| document.as_bytes().to_vec());
            to_array(&ctx, der)
        })?,
    )?;

    // subtleEdSign(seed, data) -> 64-byte signature, or null for a seed that is not 32 bytes.
    host.set(
        "subtleEdSign",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, seed: TypedArray<'js, u8>, data: TypedArray<'js, u8>| {
                let signature = ed25519_signing_key(&bytes_of(&seed))
                    .map(|key| key.sign(&bytes_of(&data)).to_bytes().to_vec());
                to_array(&ctx, signature)
            },
        )?,
    )?;

    // subtleEdVerify(publicKey, data, signature) -> boolean.
    host.set(
        "subtleEdVerify",
        Function::new(
            ctx.clone(),
            |public: TypedArray<'js, u8>,
             data: TypedArray<'js, u8>,
             signature: TypedArray<'js, u8>| {
                let Some(key) = ed25519_verifying_key(&bytes_of(&public)) else {
                    return false;
                };
                let Ok(signature) = ed25519_dalek::Signature::from_slice(&bytes_of(&signature))
                else {
                    return false;
                };
                key.verify(&bytes_of(&data), &signature).is_ok()
            },
        )?,
    )?;
    Ok(())
}
