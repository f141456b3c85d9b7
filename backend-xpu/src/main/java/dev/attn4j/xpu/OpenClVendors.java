package dev.attn4j.xpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The OpenCL drivers registered with the ICD loader, read from its vendor files without loading
 * anything. The probe loads the OpenCL ICD loader only when one of them can be used: an Intel GPU
 * driver, or any driver once {@code attn4j.xpu.allowAnyOpenClDevice=true}. Loading a driver is not
 * harmless in a JVM: PoCL brings LLVM, whose signal handlers replace the JVM's own (the JVM then
 * dies on its next deliberate SIGSEGV, e.g. an implicit null check) unless the JVM runs with
 * {@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so}, which chains them.
 */
final class OpenClVendors {
    private static final Path DEFAULT_DIR = Path.of("/etc/OpenCL/vendors");

    private OpenClVendors() {
    }

    /** The library named by each registered ICD file ({@code OCL_ICD_VENDORS} first, as ocl-icd reads it). */
    static List<String> registered() {
        String env = System.getenv("OCL_ICD_VENDORS");
        Path where = env != null && !env.isBlank() ? Path.of(env) : DEFAULT_DIR;
        List<String> libraries = new ArrayList<>();
        try {
            if (Files.isRegularFile(where)) {
                libraries.add(Files.readString(where).strip());
            } else if (Files.isDirectory(where)) {
                try (Stream<Path> files = Files.list(where)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".icd")).sorted().toList()) {
                        libraries.add(Files.readString(f).strip());
                    }
                }
            }
        } catch (IOException e) {
            // Unreadable vendor files: let the ICD loader decide, as it would.
            libraries.add("(unreadable: " + where + ")");
        }
        return libraries;
    }

    /** Whether a registered library is Intel's GPU OpenCL driver (intel-opencl-icd's libigdrcl). */
    static boolean isIntelGpuDriver(String library) {
        return library.contains("igdrcl");
    }
}
