package dev.attn4j.api;

/** Root of every exception attn4j throws. Unchecked: they describe programming or deployment errors. */
public class Attn4jException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Attn4jException(String message) {
        super(message);
    }

    public Attn4jException(String message, Throwable cause) {
        super(message, cause);
    }
}
