package dev.attn4j.xpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * Loads the JNI shim packaged in the jar ({@code dev/attn4j/xpu/native/<os>-<arch>/libattn4j_ze.so},
 * built by {@code build-native.sh}): extracted to a temporary file and {@code System.load}ed once
 * per class loader, as Netty loads its native transports. A failure is remembered and reported as
 * the probe's cause, never thrown.
 */
final class ZeShim {
    private static final String NAME = "libattn4j_ze.so";
    private static final Optional<String> FAILURE = load0();

    private ZeShim() {
    }

    /** Empty when the shim is loaded; else why it is not. */
    static Optional<String> load() {
        return FAILURE;
    }

    /** The resource path of the shim for this platform, e.g. {@code linux-x86_64}. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        arch = arch.equals("amd64") ? "x86_64" : arch.equals("arm64") ? "aarch64" : arch;
        return (os.contains("linux") ? "linux" : os.replace(' ', '_')) + "-" + arch;
    }

    private static Optional<String> load0() {
        String resource = "/dev/attn4j/xpu/native/" + platform() + "/" + NAME;
        try (InputStream in = ZeShim.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.of("the Level Zero JNI shim was not built for " + platform()
                        + " (gcc or the Level Zero headers, Debian's libze-dev, were missing when attn4j-backend-xpu was built)");
            }
            Path file = Files.createTempFile("attn4j_ze", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            System.load(file.toAbsolutePath().toString());
            return Optional.empty();
        } catch (IOException | LinkageError | SecurityException e) {
            return Optional.of("the Level Zero JNI shim could not be loaded: " + e);
        }
    }
}
