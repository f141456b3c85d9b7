package dev.attn4j.cudadriver;

import jcuda.JCudaVersion;
import jcuda.LibUtils;
import jcuda.driver.JCudaDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * JCuda's driver library, loaded once per process for every backend that uses it, with the reason in
 * words when it cannot be: JCuda's own error is a page of nested stack traces, and after the first
 * failure JCuda only says "Could not initialize class", so a second backend would lose the cause.
 *
 * <p>On the module path it first makes the library loadable. JCuda 12.6 extracts it with
 * {@code Class.getResourceAsStream} on its own class, which in a named module searches only that
 * module, while the library is in the natives jar ({@code jcuda-natives-*.jar}), a module of its own;
 * JCudaDriver would fail with "No resource found with name '/lib/libJCudaDriver-…'". Before
 * extracting, JCuda loads the file it would extract if {@code java.io.tmpdir} already holds it, so on
 * the module path that file is written first, read through the class loader, which finds resources
 * outside packages in any module. On the class path JCuda's own lookup works and nothing is written.
 */
public final class JCudaNatives {
    private static final Logger LOG = LoggerFactory.getLogger(JCudaNatives.class);
    private static final String AS_RESOURCE = "attempt to load the library as a resource:";
    private static Optional<String> failure;

    private JCudaNatives() {
    }

    /** Loads JCuda's driver library: empty when it is loaded, else why not. Never throws. */
    public static synchronized Optional<String> load() {
        if (failure == null) {
            Throwable early = prepareForModulePath();
            try {
                JCudaDriver.setExceptionsEnabled(false);   // JCudaDriver's initializer loads the library
                failure = Optional.empty();
            } catch (LinkageError e) {
                // After a failed static initializer JCuda only says "Could not initialize class":
                // the first error, if preparing met it, says why (e.g. java.logging left out of a jlink image).
                boolean repeated = String.valueOf(e.getMessage()).startsWith("Could not initialize class");
                failure = Optional.of(repeated && early != null ? early.toString() : detail(e));
            }
        }
        return failure;
    }

    /**
     * Whether a {@link #load} failure means the CUDA driver itself ({@code libcuda.so.1}) is missing,
     * rather than JCuda's library for this platform.
     */
    public static boolean isDriverMissing(String failure) {
        return failure.contains("libcuda.so");
    }

    /** The one line of JCuda's error that says what failed: the resource attempt's, else the first. */
    static String detail(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int at = m.indexOf(AS_RESOURCE);
        String line = at >= 0 ? m.substring(at + AS_RESOURCE.length()).strip() : m;
        line = line.lines().findFirst().orElse(line).strip();
        return line.startsWith("java.lang.UnsatisfiedLinkError: ")
                ? line.substring("java.lang.UnsatisfiedLinkError: ".length()) : line;
    }

    /** Null, or the error that preparing met (JCuda's own classes failing to initialize, say). */
    private static Throwable prepareForModulePath() {
        if (!JCudaDriver.class.getModule().isNamed()) {
            return null;
        }
        try {
            // The names JCudaDriver's static initializer asks LibUtils for.
            String file = LibUtils.createLibraryFileName(LibUtils.createPlatformLibraryName(
                    "JCudaDriver-" + JCudaVersion.get()));
            Path target = Path.of(System.getProperty("java.io.tmpdir"), file);
            ClassLoader loader = JCudaDriver.class.getClassLoader();
            if (Files.exists(target) || loader == null) {
                return null;
            }
            try (InputStream in = loader.getResourceAsStream("lib/" + file)) {
                if (in == null) {
                    return null;   // no natives jar for this platform: JCuda's own error says so
                }
                Path part = Files.createTempFile(target.getParent(), file, ".part");
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                // Atomic, so a second JVM never loads a half-written file; if one wins the race, same bytes.
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                LOG.debug("module path: wrote JCuda's {} to {} for JCuda to load", file, target);
            }
            return null;
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.debug("module path: could not write JCuda's driver library; JCuda will report it", e);
            return e;
        }
    }
}
