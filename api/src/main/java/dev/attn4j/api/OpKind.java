package dev.attn4j.api;

/** The two attention operations a {@link Plan} can serve. */
public enum OpKind {
    /** Any qLen per sequence ({@code 1 <= qLen <= kvLen}), incl. chunked prefill over a cached prefix. */
    PREFILL,
    /** Exactly one query token per sequence. */
    DECODE
}
