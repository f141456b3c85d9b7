package dev.attn4j.it;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.cpu.CpuBackendProvider;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.CandidateReport;
import dev.attn4j.selector.Outcome;
import dev.attn4j.selector.ProbeCache;
import dev.attn4j.selector.Selection;
import dev.attn4j.selector.SelectionReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Discovery survives a bad jar, as SLF4J's and the JUnit Platform's do: a provider that is not
 * there, that throws in its constructor, whose class needs a class the jar lacks
 * ({@code NoClassDefFoundError} while loading, which {@code ServiceLoader} does not wrap), that was
 * compiled against an api without {@code spiVersion()}, or that declares another SPI version, is
 * each reported with its own outcome and the jar that listed it, and the good providers are still
 * found and chosen.
 */
public class DiscoveryTest {   // public: its nested providers are instantiated by ServiceLoader
    private static final Requirements REQ = Requirements.of(AttentionShape.of(new KvCacheSpec(64, 16, 2, 64, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD), 4, DType.BF16, AttentionOptions.CAUSAL), Feature.DECODE, Feature.CAUSAL);
    private static URLClassLoader loader;

    /**
     * A jar named {@code broken-backends.jar} whose service file lists five broken providers and
     * one real one (cpu, from the class path). Its classes are compiled here: one against a
     * stand-in of the api from before {@code spiVersion()}, one whose superclass is left out.
     */
    @BeforeAll
    static void brokenJar(@TempDir Path dir) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        write(src, "dev/attn4j/api/spi/AttentionBackendProvider.java", """
                package dev.attn4j.api.spi;
                /** The SPI as it was before spiVersion(): compiled against, never packed. */
                public interface AttentionBackendProvider {
                    String name();
                    int priority();
                    Availability probe();
                    dev.attn4j.api.Capabilities capabilities();
                    dev.attn4j.api.AttentionBackend open(BackendOptions options);
                }
                """);
        write(src, "bad/OldSpiProvider.java", """
                package bad;
                public class OldSpiProvider implements dev.attn4j.api.spi.AttentionBackendProvider {
                    public String name() { return "old-spi"; }
                    public int priority() { return 70; }
                    public dev.attn4j.api.spi.Availability probe() { return null; }
                    public dev.attn4j.api.Capabilities capabilities() { return null; }
                    public dev.attn4j.api.AttentionBackend open(dev.attn4j.api.spi.BackendOptions o) { return null; }
                }
                """);
        write(src, "bad/Gone.java", "package bad; public abstract class Gone { }\n");
        write(src, "bad/NeedsGone.java", """
                package bad;
                public class NeedsGone extends Gone implements dev.attn4j.api.spi.AttentionBackendProvider {
                    public String name() { return "needs-gone"; }
                    public int priority() { return 70; }
                    public dev.attn4j.api.spi.Availability probe() { return null; }
                    public dev.attn4j.api.Capabilities capabilities() { return null; }
                    public dev.attn4j.api.AttentionBackend open(dev.attn4j.api.spi.BackendOptions o) { return null; }
                }
                """);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests run on a JDK");
        try (var files = Files.walk(src)) {
            List<String> args = new java.util.ArrayList<>(List.of("-d", classes.toString(),
                    "-cp", System.getProperty("java.class.path"), "-proc:none"));
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
            assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)));
        }
        Path jar = dir.resolve("broken-backends.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String c : List.of("bad/OldSpiProvider.class", "bad/NeedsGone.class")) {   // not Gone, not the stand-in
                out.putNextEntry(new JarEntry(c));
                out.write(Files.readAllBytes(classes.resolve(c)));
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + AttentionBackendProvider.class.getName()));
            out.write(String.join("\n", "# five broken providers and a good one",
                    "bad.NotThere", ThrowsInConstructor.class.getName(), "bad.NeedsGone", "bad.OldSpiProvider",
                    FutureSpi.class.getName() + "   # a comment", CpuBackendProvider.class.getName(), "")
                    .getBytes(StandardCharsets.UTF_8));
        }
        loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, DiscoveryTest.class.getClassLoader());
    }

    @AfterAll
    static void close() throws IOException {
        loader.close();
    }

    private static void write(Path root, String file, String text) throws IOException {
        Path p = root.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    /** Over the broken jar and this class path (every real backend too); cpu chosen wherever the test runs. */
    private static BackendSelector selector() {
        return BackendSelector.builder().classLoader(loader).order("cpu").environment(Map.of()).backendProperty(null)
                .build();
    }

    private static CandidateReport line(SelectionReport r, String name) {
        return r.candidate(name).orElseThrow(() -> new AssertionError(name + " missing from\n" + r.table()));
    }

    @Test
    void everyBrokenProviderIsReportedWithItsJarAndCpuIsStillChosen() {
        ProbeCache.clear();
        try (Selection s = selector().select(REQ)) {
            assertEquals("cpu", s.backend().name());
            SelectionReport r = s.report();

            CandidateReport missing = line(r, "bad.NotThere");
            assertEquals(Outcome.LOAD_FAILED, missing.outcome());
            assertEquals("bad.NotThere (broken-backends.jar)", missing.source());
            assertTrue(missing.reason().contains("Provider bad.NotThere not found"), missing.reason());

            CandidateReport ctor = line(r, ThrowsInConstructor.class.getName());
            assertEquals(Outcome.LOAD_FAILED, ctor.outcome());
            assertEquals(ThrowsInConstructor.class.getName() + " (broken-backends.jar)", ctor.source());
            assertTrue(ctor.reason().contains("could not be instantiated")
                    && ctor.reason().contains("native library missing (test)"), ctor.reason());

            CandidateReport linkage = line(r, "bad.NeedsGone");
            assertEquals(Outcome.LOAD_FAILED, linkage.outcome());
            assertEquals("bad.NeedsGone (broken-backends.jar)", linkage.source());
            assertTrue(linkage.reason().startsWith("java.lang.NoClassDefFoundError: bad/Gone"), linkage.reason());

            CandidateReport old = line(r, "bad.OldSpiProvider");
            assertEquals(Outcome.INCOMPATIBLE, old.outcome());
            assertTrue(old.reason().startsWith("built against an attn4j-api older than SPI version " + dev.attn4j.api.spi.AttentionBackendProvider.SPI_VERSION), old.reason());
            assertTrue(old.source().endsWith("(broken-backends.jar)"), old.source());

            CandidateReport future = line(r, "future");
            assertEquals(Outcome.INCOMPATIBLE, future.outcome());
            assertEquals("built against attn4j SPI version " + (dev.attn4j.api.spi.AttentionBackendProvider.SPI_VERSION + 1) + ", but this attn4j-api has SPI version "
                    + dev.attn4j.api.spi.AttentionBackendProvider.SPI_VERSION + ": use the backend's release for this attn4j version", future.reason());

            assertTrue(r.table().contains("bad.NeedsGone") && r.json().contains("\"outcome\":\"INCOMPATIBLE\""), r.json());
        }
    }

    @Test
    void theRejectedAreNotCandidatesAndAnExplicitOrderSaysWhy() {
        BackendSelector selector = selector();
        assertTrue(selector.providers().keySet().containsAll(List.of("cpu", "cuda", "ilu", "xpu")),
                selector.providers()::toString);
        assertEquals(List.of("bad.NotThere", ThrowsInConstructor.class.getName(), "bad.NeedsGone", "bad.OldSpiProvider",
                "future"), selector.rejected().stream().map(CandidateReport::name).toList());
        assertTrue(selector.rejected().stream().noneMatch(r -> selector.providers().containsKey(r.name())));
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> BackendSelector.builder().classLoader(loader).order("future").build().order());
        assertTrue(e.getMessage().contains("valid: cpu, cuda, ilu, xpu; future is INCOMPATIBLE: built against attn4j SPI version "
                + (dev.attn4j.api.spi.AttentionBackendProvider.SPI_VERSION + 1)),
                e.getMessage());
    }

    /** Listed in the jar; its constructor throws, as a provider whose native library is missing might. */
    public static final class ThrowsInConstructor extends TestProviders.Base {
        public ThrowsInConstructor() {
            super("throws");
            throw new IllegalStateException("native library missing (test)");
        }
    }

    /** Built against an SPI version this api does not have. */
    public static final class FutureSpi extends TestProviders.Base {
        public FutureSpi() {
            super("future");
        }

        @Override
        public int spiVersion() {
            return SPI_VERSION + 1;
        }
    }
}
