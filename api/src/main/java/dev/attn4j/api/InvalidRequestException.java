package dev.attn4j.api;

/**
 * Bad input: a field of a request, a spec or a tensor has a value the operation cannot accept.
 * The message always starts with {@code field=value}, so a log line says what to fix. Thrown
 * before any kernel runs; an operation that throws it has changed nothing (no byte of a KV cache,
 * no output).
 */
public class InvalidRequestException extends Attn4jException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String value;

    public InvalidRequestException(String field, Object value, String reason) {
        super(field + "=" + render(value) + ": " + reason);
        this.field = field;
        this.value = render(value);
    }

    /** {@code value}, or this exception naming {@code field} when it is null (never a NullPointerException). */
    public static <T> T requireNonNull(T value, String field) {
        if (value == null) {
            throw new InvalidRequestException(field, null, "required");
        }
        return value;
    }

    /** The offending field, e.g. {@code batch.sequence[2].blockIds[5]}. */
    public String field() {
        return field;
    }

    /** The offending value as text. */
    public String value() {
        return value;
    }

    static String render(Object value) {
        if (value instanceof int[]) {
            return java.util.Arrays.toString((int[]) value);
        }
        if (value instanceof float[]) {
            return java.util.Arrays.toString((float[]) value);
        }
        return String.valueOf(value);
    }
}
