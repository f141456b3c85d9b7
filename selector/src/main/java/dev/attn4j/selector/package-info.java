/**
 * Choosing a backend: {@link dev.attn4j.selector.BackendSelector} discovers providers
 * (ServiceLoader and code), orders them (explicit list or priority), and for each candidate probes,
 * checks capabilities, opens and validates against the float64 reference, recording every step in
 * a {@link dev.attn4j.selector.SelectionReport}. Guice applications use {@code Attn4jModule} from
 * the separate {@code attn4j-guice} artifact; this one depends on no injection framework.
 */
package dev.attn4j.selector;
