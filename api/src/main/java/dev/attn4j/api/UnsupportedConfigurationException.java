package dev.attn4j.api;

import java.util.List;

/**
 * A well-formed configuration that this backend does not implement (a head dim, KV format,
 * layout, block size, group size or option outside its {@link Capabilities}). Carries every
 * reason, not just the first.
 */
public class UnsupportedConfigurationException extends Attn4jException {
    private static final long serialVersionUID = 1L;
    private final String backend;
    private final List<String> reasons;

    public UnsupportedConfigurationException(String backend, List<String> reasons) {
        super("backend " + backend + " does not support this configuration: " + String.join("; ", reasons));
        this.backend = backend;
        this.reasons = List.copyOf(reasons);
    }

    public String backend() {
        return backend;
    }

    /** All reasons, each naming the field and the value. Never empty. */
    public List<String> reasons() {
        return reasons;
    }
}
