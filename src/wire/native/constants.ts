// Fixed numbers of the native wire protocol (syncobj-protocol(7)): magic, version, sizes, limits.

/** "SOBJ": read as a PySyncObj int32-LE length it is 1,245,859,667 bytes, which no PySyncObj client sends. */
export const NATIVE_MAGIC = Uint8Array.of(0x53, 0x4f, 0x42, 0x4a);
export const NATIVE_VERSION = 1;

/** magic(4) version(1) flags(1) ephemeral public key(32). */
export const CLIENT_HELLO_BYTES = 38;
/** magic(4) version(1) flags(1) ephemeral public key(32) server proof(32). */
export const SERVER_HELLO_BYTES = 70;
/** The server's hello up to its proof: the part both transcripts hash. */
export const SERVER_HELLO_PREFIX_BYTES = 38;
/** HMAC-SHA256 proof of the client. */
export const CLIENT_FINISH_BYTES = 32;

/** Client hello flag: the client was given a password. */
export const CLIENT_FLAG_HAS_PASSWORD = 0x01;
/** Hello flag, either side: this end reads batch frames (a msgpack array of messages), so the other may send them. */
export const FLAG_READS_BATCHES = 0x02;
/** Server hello flag: the node has a password and requires clients to prove it. */
export const SERVER_FLAG_REQUIRES_PASSWORD = 0x01;
/** Server hello flag: the node does not speak the client's version; the hello ends after the flags byte. */
export const SERVER_FLAG_VERSION_REJECTED = 0x80;

/** Frame header: uint32 big-endian length of the sealed box that follows. */
export const FRAME_HEADER_BYTES = 4;
/** secretbox's Poly1305 tag, present in every sealed frame. */
export const SEAL_OVERHEAD_BYTES = 16;
/** Default cap on one sealed frame; a declared length above it is refused before any of it is buffered. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;
