/**
 * The keys service from a workload: {@link dev.bulwark.sdk.keys.KeysClient} calls its API over
 * mutual TLS (encrypt, decrypt, data keys, rewrap), and {@link dev.bulwark.sdk.keys.FieldEncryptor}
 * encrypts record fields locally under cached data keys, binding each ciphertext to its ring,
 * record and field. Failures are {@link dev.bulwark.sdk.keys.KeysClientException}s with a stable
 * code; nothing here ever falls back to plaintext.
 */
package dev.bulwark.sdk.keys;
