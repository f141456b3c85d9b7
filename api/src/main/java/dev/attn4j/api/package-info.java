/**
 * attn4j's public API: value types that describe a paged, quantized KV cache and a batch of
 * attention work, the {@link dev.attn4j.api.AttentionBackend} every backend implements, and the
 * exceptions it throws.
 *
 * <p>Shapes are written outermost first, e.g. {@code [numTokens][numQoHeads][headDim]}; every
 * tensor is dense and row-major in that order. Validation happens on the host before any kernel
 * runs: value types check what they can see alone (a {@link dev.attn4j.api.KvCacheSpec} rejects a
 * zero block size), {@link dev.attn4j.api.AttentionBackend#plan plan} checks a batch against a
 * cache once per step, and each operation checks the tensors it is handed.
 */
package dev.attn4j.api;
