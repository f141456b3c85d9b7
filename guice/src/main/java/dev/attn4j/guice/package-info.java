/**
 * Guice integration, an optional artifact of its own ({@code attn4j-guice}) so that host apps without
 * Guice do not get Guice and Guava through the selector: {@link dev.attn4j.guice.Attn4jModule} binds
 * the {@link dev.attn4j.selector.BackendSelector}, the {@link dev.attn4j.selector.Selection} and the
 * chosen {@link dev.attn4j.api.AttentionBackend}, and lets applications add providers through a
 * multibinder.
 */
package dev.attn4j.guice;
