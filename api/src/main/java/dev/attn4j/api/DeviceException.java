package dev.attn4j.api;

/**
 * A device or driver call failed: names the backend, the call and the driver's error code and
 * name (e.g. {@code cuLaunchKernel -> CUDA_ERROR_ILLEGAL_ADDRESS (700)}). A sticky fault marks
 * the backend failed; see {@link BackendUnavailableException}.
 */
public class DeviceException extends Attn4jException {
    private static final long serialVersionUID = 1L;
    private final String backend;
    private final String call;
    private final long errorCode;
    private final String errorName;

    public DeviceException(String backend, String call, long errorCode, String errorName) {
        this(backend, call, errorCode, errorName, null);
    }

    public DeviceException(String backend, String call, long errorCode, String errorName, Throwable cause) {
        super("backend " + backend + ": " + call + " -> " + errorName + " (" + errorCode + ")", cause);
        this.backend = backend;
        this.call = call;
        this.errorCode = errorCode;
        this.errorName = errorName;
    }

    public String backend() {
        return backend;
    }

    /** The driver call that failed, e.g. {@code cuMemcpyDtoH}. */
    public String call() {
        return call;
    }

    public long errorCode() {
        return errorCode;
    }

    public String errorName() {
        return errorName;
    }
}
