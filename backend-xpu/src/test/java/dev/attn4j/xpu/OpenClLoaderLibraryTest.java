package dev.attn4j.xpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe's cause when JOCL cannot load the OpenCL ICD loader names what is really missing. The
 * case that hid a skipped xpu suite: Debian's runtime package gives libOpenCL.so.1 only, while JOCL
 * dlopens libOpenCL.so, so "install ocl-icd-libopencl1" (already installed) was the wrong advice.
 */
class OpenClLoaderLibraryTest {
    private static final String JOCL_ERROR = "Could not initialize native OpenCL library";

    @Test
    void onlyTheRuntimeLibraryNamesTheUnversionedLink(@TempDir Path a, @TempDir Path b) throws IOException {
        Files.createFile(b.resolve("libOpenCL.so.1"));
        String cause = OpenClLoaderLibrary.missingCause(List.of(a, b), JOCL_ERROR);
        assertTrue(cause.startsWith("no OpenCL: JOCL loads the OpenCL ICD loader by its unversioned name, "
                + "libOpenCL.so, and this machine has only " + b.resolve("libOpenCL.so.1")), cause);
        assertTrue(cause.contains("ocl-icd-opencl-dev"), cause);
        assertTrue(cause.endsWith("(JOCL: " + JOCL_ERROR + ")"), cause);
    }

    @Test
    void noLoaderAtAllNamesThePackages(@TempDir Path a) {
        String cause = OpenClLoaderLibrary.missingCause(List.of(a), JOCL_ERROR);
        assertTrue(cause.startsWith("no OpenCL: no OpenCL ICD loader (libOpenCL.so) was found"), cause);
        assertTrue(cause.contains("ocl-icd-opencl-dev, which brings ocl-icd-libopencl1"), cause);
    }

    @Test
    void aLinkThatFailsToLoadIsNamed(@TempDir Path a) throws IOException {
        Files.createFile(a.resolve("libOpenCL.so"));
        Files.createFile(a.resolve("libOpenCL.so.1"));
        String cause = OpenClLoaderLibrary.missingCause(List.of(a), JOCL_ERROR);
        assertTrue(cause.startsWith("no OpenCL: JOCL could not load the OpenCL ICD loader " + a.resolve("libOpenCL.so")),
                cause);
    }

    @Test
    void searchesTheLinkerConfigurationBeforeTheDefaultDirectories() throws IOException {
        List<Path> dirs = OpenClLoaderLibrary.searchDirectories();
        int defaults = dirs.indexOf(Path.of("/lib64"));
        assertTrue(defaults >= 0 && dirs.subList(defaults, dirs.size()).containsAll(
                List.of(Path.of("/usr/lib64"), Path.of("/lib"), Path.of("/usr/lib"))), dirs::toString);
        Path conf = Path.of("/etc/ld.so.conf.d/x86_64-linux-gnu.conf");   // Debian's multiarch directories
        if (Files.exists(conf)) {
            for (String line : Files.readAllLines(conf)) {
                if (line.startsWith("/")) {
                    int at = dirs.indexOf(Path.of(line.strip()));
                    assertTrue(at >= 0 && at < defaults, () -> line + " missing or after the defaults: " + dirs);
                }
            }
        }
    }
}
