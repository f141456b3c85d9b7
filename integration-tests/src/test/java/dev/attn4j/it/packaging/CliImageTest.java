package dev.attn4j.it.packaging;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.cli.Main;
import dev.attn4j.conformance.ConformanceSuite;
import dev.attn4j.cpu.CpuBackendProvider;
import dev.attn4j.cuda.CudaBackendProvider;
import dev.attn4j.cudadriver.DeviceSource;
import dev.attn4j.ilu.IluBackendProvider;
import dev.attn4j.it.Artifacts;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.xpu.XpuBackendProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jlink takes the CLI: every module it needs is a named module (JLine 4 under progressbar), so an
 * image with the cpu backend linked in runs {@code attn4j backends}. The GPU backends stay out of
 * it, because JCuda and JOCL are automatic modules, which jlink refuses; added at run time with
 * {@code --module-path}, they are bound and probe as on the class path (docs/PACKAGING.md).
 */
class CliImageTest {
    private static final String JCUDA_NATIVES = ModulePathTest.JCUDA_NATIVES;


    @Test
    void aJlinkedCliRunsBackends(@TempDir Path dir) {
        ToolProvider jlink = ToolProvider.findFirst("jlink").orElse(null);
        // Maven runs the tests on a JDK, which has jlink; the GPU host's pack runs them on a jlinked JRE.
        Assumptions.assumeTrue(jlink != null, "no jlink in this Java runtime (" + System.getProperty("java.home") + ")");
        List<File> modules = new ArrayList<>(List.of(Artifacts.of(Main.class), Artifacts.of(BackendSelector.class),
                Artifacts.of(AttentionBackend.class), Artifacts.of(ConformanceSuite.class),
                Artifacts.of(CpuBackendProvider.class), Artifacts.holding("org.slf4j.LoggerFactory"),
                Artifacts.holding("org.slf4j.simple.SimpleServiceProvider"), Artifacts.holding("picocli.CommandLine"),
                Artifacts.holding("me.tongfei.progressbar.ProgressBar"), Artifacts.holding("org.jline.terminal.Terminal"),
                Artifacts.holding("org.jline.nativ.JLineNativeLoader")));
        Path jmods = Path.of(System.getProperty("java.home"), "jmods");
        if (Files.isDirectory(jmods)) {
            modules.add(jmods.toFile());
        }
        Path image = dir.resolve("attn4j-image");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
        int rc = jlink.run(ps, ps, "--module-path", Artifacts.path(modules),
                // java.logging: JCuda and JOCL log through it, and jlink cannot see what automatic modules need.
                "--add-modules", "dev.attn4j.cli,dev.attn4j.cpu,org.slf4j.simple,java.logging",
                "--launcher", "attn4j=dev.attn4j.cli/dev.attn4j.cli.Main",
                "--no-header-files", "--no-man-pages", "--strip-debug", "--output", image.toString());
        assertEquals(0, rc, "jlink: " + log.toString(StandardCharsets.UTF_8));

        Artifacts.Run r = Artifacts.run(List.of(image.resolve("bin/attn4j").toString(), "backends", "--json"), 120);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("\"chosen\":\"cpu\""), r.output());

        // The GPU backends, added at run time with --module-path, are bound and probe for real.
        List<File> gpu = List.of(Artifacts.of(DeviceSource.class), Artifacts.of(CudaBackendProvider.class),
                Artifacts.of(IluBackendProvider.class), Artifacts.of(XpuBackendProvider.class),
                Artifacts.holding("jcuda.driver.JCudaDriver"), Artifacts.holdingResource(JCUDA_NATIVES), Artifacts.holding("org.jocl.CL"));
        Artifacts.Run all = Artifacts.run(List.of(image.resolve("bin/java").toString(), "-Djava.io.tmpdir=" + dir,
                "--module-path", Artifacts.path(gpu), "-m", "dev.attn4j.cli/" + Main.class.getName(), "backends", "--json"), 120);
        assertEquals(0, all.exitCode(), all.output());
        for (String name : List.of("cuda", "ilu", "xpu")) {
            assertTrue(all.output().contains("{\"name\":\"" + name + "\","), name + " not bound: " + all.output());
        }
        assertFalse(all.output().contains("NoClassDefFoundError") || all.output().contains("Could not initialize class")
                || all.output().contains("No resource found"), all.output());
    }
}
