package dev.attn4j.cudadriver;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The step-loop test counts synchronizes and allocations through {@link DriverBackend}'s counted
 * wrappers ({@code dev.attn4j.api.support.DriverCalls}); that count means something only if no
 * other code of the driver backends calls the driver's blocking or allocating functions. This reads
 * the sources of cuda-driver, cuda and ilu and lists every such call.
 */
class DriverCallSitesTest {
    private static final Pattern CALL = Pattern.compile(
            "JCudaDriver\\s*\\.\\s*(cuStreamSynchronize|cuCtxSynchronize|cuEventSynchronize|cuMemAlloc\\w*)\\s*\\(");

    @Test
    void onlyTheCountedWrappersSynchronizeOrAllocate() throws IOException {
        List<String> sites = new ArrayList<>();
        Path project = Files.isDirectory(Path.of("backend-cuda")) ? Path.of("") : Path.of("..");   // root or a module
        for (String module : new String[] {"cuda-driver", "backend-cuda", "backend-ilu"}) {
            Path root = project.resolve(module).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    Matcher m = CALL.matcher(Files.readString(f));
                    while (m.find()) {
                        sites.add(f.getFileName() + ":" + m.group(1));
                    }
                }
            }
        }
        // memAlloc, hostAlloc, drainStream, eventSynchronize, freeMemory (each counted), and the
        // drain in release() when the backend closes.
        assertEquals(List.of("DriverBackend.java:cuMemAlloc", "DriverBackend.java:cuMemAllocHost",
                "DriverBackend.java:cuStreamSynchronize", "DriverBackend.java:cuEventSynchronize",
                "DriverBackend.java:cuStreamSynchronize", "DriverBackend.java:cuStreamSynchronize"), sites);
    }
}
