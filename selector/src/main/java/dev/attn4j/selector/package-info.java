/**
 * Choosing a backend: {@link dev.attn4j.selector.BackendSelector} discovers providers
 * (ServiceLoader and code), orders them (explicit list or priority), and for each candidate probes,
 * checks capabilities, opens and validates against the float64 reference, recording every step in
 * a {@link dev.attn4j.selector.SelectionReport}. {@link dev.attn4j.selector.Attn4jModule} does the
 * same for Guice applications.
 */
package dev.attn4j.selector;
