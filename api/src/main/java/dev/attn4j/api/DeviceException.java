package dev.attn4j.api;

/**
 * A device or driver call failed: names the backend, the call and the driver's error code and
 * name (e.g. {@code cuLaunchKernel -> CUDA_ERROR_ILLEGAL_ADDRESS (700)}). A {@linkplain #isSticky()
 * sticky} fault (the device or context is lost: an illegal address, a lost device) marks the
 * backend failed, and every later call fails fast with {@link BackendUnavailableException}. A fault
 * that is not sticky (out of memory, a buffer larger than the device allows) fails that call only.
 */
public class DeviceException extends Attn4jException {
    private static final long serialVersionUID = 1L;
    private final String backend;
    private final String call;
    private final long errorCode;
    private final String errorName;
    private final boolean sticky;

    /** A sticky fault: where a backend cannot tell, it assumes the worst. */
    public DeviceException(String backend, String call, long errorCode, String errorName) {
        this(backend, call, errorCode, errorName, true, null);
    }

    /**
     * @param sticky whether the device or context is unusable after it (the backend knows its
     *               driver's codes); the first sticky fault marks the backend failed
     */
    public DeviceException(String backend, String call, long errorCode, String errorName, boolean sticky,
                           Throwable cause) {
        super("backend " + backend + ": " + call + " -> " + errorName + " (" + errorCode + ")"
                + (sticky ? "" : " [not sticky: the backend stays usable]"), cause);
        this.backend = backend;
        this.call = call;
        this.errorCode = errorCode;
        this.errorName = errorName;
        this.sticky = sticky;
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

    /** Whether the device or context cannot be trusted after this fault, so the backend is failed. */
    public boolean isSticky() {
        return sticky;
    }
}
