package dev.attn4j.xpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The OpenCL ICD loader as JOCL looks for it, and what to tell the user when JOCL cannot load it.
 * JOCL 2.0.5 dlopens the unversioned name {@code libOpenCL.so}, which Debian and Ubuntu ship only in
 * the development package ({@code ocl-icd-opencl-dev}); the runtime package
 * ({@code ocl-icd-libopencl1}) has {@code libOpenCL.so.1} alone. So "the loader is installed" and
 * "JOCL can load it" are different facts, and the cause names the one that is missing.
 */
final class OpenClLoaderLibrary {
    /** The name JOCL passes to dlopen. */
    static final String NAME = "libOpenCL.so";
    /** The ICD loader's runtime name (its soname). */
    static final String RUNTIME_NAME = "libOpenCL.so.1";

    private OpenClLoaderLibrary() {
    }

    /**
     * The directories the dynamic linker searches, in its order: {@code LD_LIBRARY_PATH}, the
     * directories {@code /etc/ld.so.conf.d} lists, then the default ones.
     */
    static List<Path> searchDirectories() {
        Set<Path> dirs = new LinkedHashSet<>();
        String env = System.getenv("LD_LIBRARY_PATH");
        if (env != null) {
            for (String d : env.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        Path conf = Path.of("/etc/ld.so.conf.d");
        if (Files.isDirectory(conf)) {
            try (Stream<Path> files = Files.list(conf)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".conf")).sorted().toList()) {
                    for (String line : Files.readAllLines(f)) {
                        String d = line.strip();
                        if (d.startsWith("/")) {
                            dirs.add(Path.of(d));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // An unreadable configuration only makes the cause less precise.
            }
        }
        for (String d : List.of("/lib64", "/usr/lib64", "/lib", "/usr/lib")) {
            dirs.add(Path.of(d));
        }
        return new ArrayList<>(dirs);
    }

    /** The first {@code name} in {@code dirs}, if any. */
    static Optional<Path> find(List<Path> dirs, String name) {
        return dirs.stream().map(d -> d.resolve(name)).filter(Files::exists).findFirst();
    }

    /**
     * Why JOCL could not load the loader, naming the missing piece: the unversioned link when only
     * {@code libOpenCL.so.1} is there, the loader itself when neither is, else JOCL's own error.
     */
    static String missingCause(List<Path> dirs, String joclError) {
        Optional<Path> link = find(dirs, NAME);
        Optional<Path> runtime = find(dirs, RUNTIME_NAME);
        String detail = " (JOCL: " + joclError + ")";
        if (link.isEmpty() && runtime.isPresent()) {
            return "no OpenCL: JOCL loads the OpenCL ICD loader by its unversioned name, " + NAME
                    + ", and this machine has only " + runtime.get() + "; install the loader's development "
                    + "link (Debian/Ubuntu: ocl-icd-opencl-dev), or put a " + NAME + " link to " + RUNTIME_NAME
                    + " in a directory on LD_LIBRARY_PATH" + detail;
        }
        if (link.isEmpty()) {
            return "no OpenCL: no OpenCL ICD loader (" + NAME + ") was found; install it (Debian/Ubuntu: "
                    + "ocl-icd-opencl-dev, which brings ocl-icd-libopencl1) and an OpenCL driver" + detail;
        }
        return "no OpenCL: JOCL could not load the OpenCL ICD loader " + link.get() + detail;
    }
}
