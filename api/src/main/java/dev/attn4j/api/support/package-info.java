/**
 * Shared machinery for backend implementers: the host-side validation every backend runs before
 * launching anything (so all backends reject the same inputs with the same messages), the
 * validated batch a plan uploads, and the sticky-failure latch.
 */
package dev.attn4j.api.support;
