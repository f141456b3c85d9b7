package dev.attn4j.api;

import java.util.List;

/**
 * The answer to "does this backend support that configuration?": supported, or every reason it
 * is not (each naming the field and the value), never just the first.
 */
public record CapabilityCheck(String backend, List<String> reasons) {

    public CapabilityCheck {
        reasons = List.copyOf(reasons);
    }

    public boolean supported() {
        return reasons.isEmpty();
    }

    /** Throws {@link UnsupportedConfigurationException} with all reasons unless supported. */
    public void orThrow() {
        if (!supported()) {
            throw new UnsupportedConfigurationException(backend, reasons);
        }
    }
}
