package dev.attn4j.xpu;

/**
 * A Level Zero call failed: thrown by the JNI shim ({@link ZeNative}) with the call, the
 * {@code ze_result_t} and its name, and a detail (a module's build log). The backend turns it into
 * the API's {@link dev.attn4j.api.DeviceException}.
 */
final class ZeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int code;
    private final String resultName;
    private final String detail;

    /** Called from native code; keep the signature in step with {@code ze_jni.c}. */
    ZeException(String call, int code, String resultName, String detail) {
        super(call + " -> " + resultName + (detail == null ? "" : ": " + detail));
        this.call = call;
        this.code = code;
        this.resultName = resultName;
        this.detail = detail;
    }

    String call() {
        return call;
    }

    int code() {
        return code;
    }

    /** e.g. {@code ZE_RESULT_ERROR_DEVICE_LOST}. */
    String resultName() {
        return resultName;
    }

    /** Extra text from the driver (a build log), or null. */
    String detail() {
        return detail;
    }
}
