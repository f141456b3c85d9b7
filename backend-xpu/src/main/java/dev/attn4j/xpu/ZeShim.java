package dev.attn4j.xpu;

import dev.attn4j.api.support.NativeShim;

import java.util.Optional;

/**
 * Loads the JNI shim packaged in the jar ({@code dev/attn4j/xpu/native/<os>-<arch>/libattn4j_ze.so},
 * built by {@code build-native.sh}) once per class loader ({@link NativeShim}). A failure is
 * remembered and reported as the probe's cause, never thrown.
 */
final class ZeShim {
    private static final Optional<String> FAILURE = NativeShim.load(ZeShim.class, "/dev/attn4j/xpu/native",
            "libattn4j_ze.so", "the Level Zero JNI shim",
            "gcc or the Level Zero headers, Debian's libze-dev, were missing when attn4j-backend-xpu was built",
            path -> System.load(path));

    private ZeShim() {
    }

    /** Empty when the shim is loaded; else why it is not. */
    static Optional<String> load() {
        return FAILURE;
    }
}
