package dev.attn4j.api.spi;

import java.util.Optional;

/**
 * The per-backend kill switch: system property {@code attn4j.<name>.disabled=true}. Every
 * provider's probe reports it as its unavailability cause, before touching any native code.
 */
public final class KillSwitch {
    private KillSwitch() {
    }

    /** The property that disables a backend. */
    public static String property(String backendName) {
        return "attn4j." + backendName + ".disabled";
    }

    /** The cause to report if the backend is disabled, else empty. */
    public static Optional<String> cause(String backendName) {
        String key = property(backendName);
        return Boolean.parseBoolean(System.getProperty(key, "false"))
                ? Optional.of("disabled by " + key + "=true")
                : Optional.empty();
    }
}
