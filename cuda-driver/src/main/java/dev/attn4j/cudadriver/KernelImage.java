package dev.attn4j.cudadriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds a backend's kernel image (a fatbin, or whatever its device's compiler emits): normally a
 * resource its build put in the jar, absent when that build had no device compiler; for kernel
 * development a file named by a system property, so a variant can be tried without rebuilding jars.
 */
public final class KernelImage {
    private KernelImage() {
    }

    /** Opens a backend's own resource: {@code name -> MyKernels.class.getResourceAsStream(name)}. */
    @FunctionalInterface
    public interface Resources {
        /** The resource, or null when there is none. */
        InputStream open(String name) throws IOException;
    }

    /**
     * The image's bytes: the file {@code overrideProperty} names if it is set, else the backend's
     * {@code resource}, else empty. The backend opens its resource itself: on the module path its
     * packages are encapsulated, so this module could not read them.
     */
    public static Optional<byte[]> load(Resources backend, String resource, String overrideProperty) {
        String file = System.getProperty(overrideProperty);
        if (file != null && !file.isBlank()) {
            try {
                return Optional.of(Files.readAllBytes(Path.of(file)));
            } catch (IOException e) {
                throw new UncheckedIOException(overrideProperty + "=" + file + ": cannot read the kernel image", e);
            }
        }
        try (InputStream in = backend.open(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }
}
