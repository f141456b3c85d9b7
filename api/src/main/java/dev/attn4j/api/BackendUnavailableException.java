package dev.attn4j.api;

/**
 * A backend cannot be used: its probe found no usable device or library, it was disabled, it
 * has been closed, or an earlier device fault marked it failed (then {@link #getCause()} is
 * that first fault and every later call fails fast with it).
 */
public class BackendUnavailableException extends Attn4jException {
    private static final long serialVersionUID = 1L;
    private final String backend;

    public BackendUnavailableException(String backend, String reason) {
        super("backend " + backend + " is unavailable: " + reason);
        this.backend = backend;
    }

    public BackendUnavailableException(String backend, String reason, Throwable cause) {
        super("backend " + backend + " is unavailable: " + reason, cause);
        this.backend = backend;
    }

    public String backend() {
        return backend;
    }
}
