package dev.attn4j.it.packaging;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.conformance.ConformanceSuite;
import dev.attn4j.cpu.CpuBackendProvider;
import dev.attn4j.cuda.CudaBackendProvider;
import dev.attn4j.cudadriver.DeviceSource;
import dev.attn4j.example.HostApp;
import dev.attn4j.ilu.IluBackendProvider;
import dev.attn4j.it.Artifacts;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.xpu.XpuBackendProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host application on the module path, started with {@code -m} and no {@code --add-modules}: the
 * example (module {@code dev.attn4j.example}, which requires only the selector) finds cpu because
 * the JVM binds every module that {@code provides} the selector's {@code uses}. With every backend
 * on the module path as well, each is discovered, and cuda's and ilu's probes give the real cause
 * (JCuda's library loads from its separate natives module: JCudaNatives) or run.
 */
class ModulePathTest {
    /** JCuda's driver library, the one resource of the natives jar this test needs to find it by. */
    static final String JCUDA_NATIVES = "lib/libJCudaDriver-" + jcuda.JCudaVersion.get() + "-linux-x86_64.so";
    private static final String MAIN = "dev.attn4j.example/" + HostApp.class.getName();

    /** The example and what it needs at run time: selector, api, conformance, cpu, slf4j with a binding. */
    static List<File> hostModules() {
        return new ArrayList<>(List.of(Artifacts.of(HostApp.class), Artifacts.of(BackendSelector.class),
                Artifacts.of(AttentionBackend.class), Artifacts.of(ConformanceSuite.class),
                Artifacts.of(CpuBackendProvider.class), Artifacts.holding("org.slf4j.LoggerFactory"),
                Artifacts.holding("org.slf4j.simple.SimpleServiceProvider")));
    }

    @Test
    void theHostAppSelectsCpuWithoutAddModules() {
        Artifacts.Run r = Artifacts.run(List.of(Artifacts.java(), "--module-path", Artifacts.path(hostModules()),
                "-m", MAIN), 120);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("backend: cpu\nprefill: 25 rows\ndecode: 2 rows, out[0] = "), r.output());
        assertTrue(r.output().contains("attn4j selected cpu in "), "the selection's INFO line, through slf4j: " + r.output());
    }

    @Test
    void everyBackendModuleIsBoundAndProbesForReal(@TempDir Path tmp) {
        List<File> modules = hostModules();
        modules.addAll(List.of(Artifacts.of(DeviceSource.class), Artifacts.of(CudaBackendProvider.class),
                Artifacts.of(IluBackendProvider.class), Artifacts.of(XpuBackendProvider.class),
                Artifacts.holding("jcuda.driver.JCudaDriver"), Artifacts.holdingResource(JCUDA_NATIVES),
                Artifacts.holding("org.jocl.CL")));
        // A fresh java.io.tmpdir: JCuda would load a library some class-path run extracted there before.
        Artifacts.Run r = Artifacts.run(List.of(Artifacts.java(), "-Djava.io.tmpdir=" + tmp,
                "--module-path", Artifacts.path(modules), "-m", MAIN), 180);
        assertEquals(0, r.exitCode(), r.output());
        String log = r.output().lines().filter(l -> l.contains("attn4j selected ")).findFirst().orElseThrow(
                () -> new AssertionError("no selection line in " + r.output()));
        for (String name : List.of("cuda", "ilu", "xpu", "cpu")) {
            assertTrue(log.contains("; " + name + ": ") || log.contains("] order=priority; " + name + ": "),
                    name + " was not discovered on the module path: " + log);
        }
        assertFalse(log.contains("No resource found") || log.contains("Could not initialize class"),
                "JCuda's library must load from its natives module (the driver may be absent): " + log);
    }
}
