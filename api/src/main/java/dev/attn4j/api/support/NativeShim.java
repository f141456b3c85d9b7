package dev.attn4j.api.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A backend's JNI library packaged in its jar under {@code <dir>/<os>-<arch>/<file>}, extracted to a
 * temporary file and loaded, as Netty loads its native transports. A failure is returned as a reason,
 * never thrown.
 *
 * <p>The backend passes its own {@code System.load} ({@code path -> System.load(path)}, written in
 * the backend's class): a JNI library binds to the class loader of the class that loads it, and
 * under OSGi that must be the backend bundle's, whose classes declare the native methods.
 */
public final class NativeShim {
    private NativeShim() {
    }

    /** The resource directory name for this platform, e.g. {@code linux-x86_64}. */
    public static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        arch = arch.equals("amd64") ? "x86_64" : arch.equals("arm64") ? "aarch64" : arch;
        return (os.contains("linux") ? "linux" : os.replace(' ', '_')) + "-" + arch;
    }

    /**
     * Loads {@code dir/<platform>/file} from {@code owner}'s module or bundle.
     *
     * @param what      the shim in words, for the reasons ("the Level Zero JNI shim")
     * @param notBuilt  why a build leaves it out, appended to "was not built for {@code <platform>}"
     * @param load      the backend's {@code System.load}
     * @return empty when loaded, else why not
     */
    public static Optional<String> load(Class<?> owner, String dir, String file, String what, String notBuilt,
                                        Consumer<String> load) {
        String resource = dir + "/" + platform() + "/" + file;
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.of(what + " was not built for " + platform() + " (" + notBuilt + ")");
            }
            String stem = file.endsWith(".so") ? file.substring(0, file.length() - 3) : file;
            Path extracted = Files.createTempFile(stem, ".so");
            extracted.toFile().deleteOnExit();
            Files.copy(in, extracted, StandardCopyOption.REPLACE_EXISTING);
            load.accept(extracted.toAbsolutePath().toString());
            return Optional.empty();
        } catch (IOException | LinkageError | SecurityException e) {
            return Optional.of(what + " could not be loaded: " + e);
        }
    }
}
