/**
 * The provider SPI: what a backend module registers in
 * {@code META-INF/services/dev.attn4j.api.spi.AttentionBackendProvider} so the selector can find,
 * probe and open it.
 */
package dev.attn4j.api.spi;
