package dev.attn4j.it.osgi;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.conformance.ConformanceSuite;
import dev.attn4j.cpu.CpuBackendProvider;
import dev.attn4j.it.Artifacts;
import dev.attn4j.it.osgi.host.OsgiHost;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.xpu.XpuBackendProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * attn4j's jars as OSGi bundles in Apache Felix 7, with Apache Aries SPI Fly as the Service Loader
 * Mediator: a host bundle selects cpu and runs a validated decode; the xpu bundle installed at run
 * time is found (and chosen, on PoCL); uninstalled, it is gone and its class loader can be collected.
 * The scenario ({@link OsgiScenario}) runs in a JVM of its own; the jars come from this test's class
 * path, which in a reactor build are the modules' packaged bundles.
 *
 * <p>JOCL is not a bundle. OSGi users wrap such jars (bnd's wrap, pax-url's {@code wrap:}); this test
 * does the same by hand: JOCL's content under a manifest that exports {@code org.jocl}.
 */
class OsgiFrameworkTest {
    /** Where scripts/setup.sh ran (PoCL installed), xpu must also be chosen and validated inside the framework. */
    private static final boolean XPU_MUST_RUN = Boolean.getBoolean("attn4j.xpu.strictTests");

    @Test
    void selectsInsideFelixAndFollowsABackendInstalledAndUninstalledAtRunTime(@TempDir Path dir) throws Exception {
        List<String> args = new ArrayList<>(List.of(dir.resolve("felix-cache").toString()));
        // The mediator and what it needs, then logging, then attn4j and the host.
        for (String bundleClass : List.of("org.objectweb.asm.ClassVisitor", "org.objectweb.asm.tree.ClassNode",
                "org.objectweb.asm.tree.analysis.Analyzer", "org.objectweb.asm.commons.Remapper",
                "org.objectweb.asm.util.Printer", "org.apache.aries.spifly.dynamic.DynamicWeavingActivator",
                "org.slf4j.LoggerFactory", "org.slf4j.simple.SimpleServiceProvider")) {
            args.add("early:" + location(Artifacts.holding(bundleClass)));
        }
        for (Class<?> c : List.of(AttentionBackend.class, ConformanceSuite.class, BackendSelector.class,
                CpuBackendProvider.class)) {
            args.add("early:" + location(Artifacts.of(c)));
        }
        args.add("host:" + location(hostBundle(dir.resolve("host.jar"))));
        args.add("late:" + location(wrapJocl(Artifacts.holding("org.jocl.CL"), dir.resolve("org.jocl.jar"))));
        args.add("late:" + location(Artifacts.of(XpuBackendProvider.class)));

        List<String> cmd = new ArrayList<>(List.of(Artifacts.java(), "-Dattn4j.xpu.allowAnyOpenClDevice=true",
                "-cp", Artifacts.path(List.of(Artifacts.holding("org.apache.felix.framework.Felix"), testClasses().toFile())),
                OsgiScenario.class.getName()));
        cmd.addAll(args);
        // OsgiScenario exits on its own (System.exit, also after an error); the bound only guards a hang.
        Artifacts.Run run = Artifacts.run(cmd, 300);
        String out = run.output();
        assertEquals(0, run.exitCode(), out);

        String step1 = line(out, "step1: ");
        assertTrue(step1.startsWith("chosen=cpu decode=PASSED candidates=cpu:CHOSEN"), out);
        assertFalse(step1.contains("xpu:"), out);

        String step2 = line(out, "step2: ");
        assertTrue(step2.contains("xpu:"), "the xpu bundle installed at run time is in the report:\n" + out);
        if (XPU_MUST_RUN) {
            assertTrue(step2.startsWith("chosen=xpu decode=PASSED candidates=xpu:CHOSEN"), out);
        }

        String step3 = line(out, "step3: ");
        assertTrue(step3.startsWith("chosen=cpu decode=PASSED candidates=cpu:CHOSEN"), out);
        assertFalse(step3.contains("xpu:"), "uninstalled, xpu is gone from the report:\n" + out);
        assertTrue(step3.endsWith("xpuState=UNINSTALLED xpuLoaderCollected=true"), out);
        assertTrue(out.contains("\nstopped"), out);
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + prefix + "' line in:\n" + out));
    }

    /** The host bundle: this test's {@code osgi.host} package under a manifest importing attn4j's packages. */
    private static File hostBundle(Path jar) throws IOException {
        Manifest m = manifest("dev.attn4j.it.osgi.host", "1.0.0", null,
                "dev.attn4j.api,dev.attn4j.conformance,dev.attn4j.selector");
        Path pkg = testClasses().resolve(OsgiHost.class.getPackageName().replace('.', '/'));
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m);
             Stream<Path> classes = Files.list(pkg)) {
            for (Path c : classes.toList()) {
                out.putNextEntry(new JarEntry(testClasses().relativize(c).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(c));
            }
        }
        return jar.toFile();
    }

    /** JOCL as a bundle: its classes and native libraries as they are, with a manifest that exports org.jocl. */
    private static File wrapJocl(File jocl, Path jar) throws IOException {
        Manifest m = manifest("org.jocl", "2.0.5", "org.jocl;version=\"2.0.5\"", null);
        try (JarFile in = new JarFile(jocl); JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            for (JarEntry e : java.util.Collections.list(in.entries())) {
                if (e.isDirectory() || e.getName().equals(JarFile.MANIFEST_NAME)) {
                    continue;
                }
                out.putNextEntry(new JarEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    is.transferTo(out);
                }
            }
        }
        return jar.toFile();
    }

    private static Manifest manifest(String symbolicName, String version, String exports, String imports) {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", version);
        if (exports != null) {
            a.putValue("Export-Package", exports);
        }
        if (imports != null) {
            a.putValue("Import-Package", imports);
        }
        return m;
    }

    /** How Felix installs it: a jar by URL, an exploded bundle (a reactor's classes directory) by reference. */
    private static String location(File f) {
        return f.isDirectory() ? "reference:" + f.toURI() : f.toURI().toString();
    }

    private static Path testClasses() {
        return Artifacts.of(OsgiScenario.class).toPath();
    }
}
