package dev.attn4j.it.packaging;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.conformance.ConformanceSuite;
import dev.attn4j.cpu.CpuBackendProvider;
import dev.attn4j.cuda.CudaBackendProvider;
import dev.attn4j.cudadriver.DeviceSource;
import dev.attn4j.guice.Attn4jModule;
import dev.attn4j.ilu.IluBackendProvider;
import dev.attn4j.it.Artifacts;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.tck.BackendTck;
import dev.attn4j.xpu.XpuBackendProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every library jar is a named module and an OSGi bundle that say the same things: the bundle's
 * symbolic name is the module name, it exports the packages the module exports, the providers in
 * {@code META-INF/services}, the module's {@code provides} and the bundle's osgi.serviceloader
 * capabilities agree (so the class path, the module path and OSGi find the same backends), and it
 * carries the LICENSE and NOTICE.
 */
class LibraryJarsTest {
    private static final String SERVICE = AttentionBackendProvider.class.getName();

    @TestFactory
    Stream<DynamicTest> everyLibraryJar() {
        return Stream.of(AttentionBackend.class, ConformanceSuite.class, CpuBackendProvider.class, DeviceSource.class,
                        CudaBackendProvider.class, IluBackendProvider.class, XpuBackendProvider.class,
                        BackendSelector.class, Attn4jModule.class, BackendTck.class)
                .map(Artifacts::of)
                .map(f -> DynamicTest.dynamicTest(f.getName(), () -> check(f)));
    }

    private static void check(File jar) throws IOException {
        ModuleDescriptor d = ModuleFinder.of(jar.toPath()).findAll().iterator().next().descriptor();
        assertFalse(d.isAutomatic(), jar + " has no module-info");
        Attributes osgi = manifest(jar).getMainAttributes();
        assertEquals(d.name(), osgi.getValue("Bundle-SymbolicName"), "symbolic name = module name");
        String exports = osgi.getValue("Export-Package");
        for (ModuleDescriptor.Exports e : d.exports()) {
            assertTrue(exports != null && exports.contains(e.source() + ";version="), e.source() + " not exported: " + exports);
        }
        Set<String> services = new TreeSet<>(serviceFile(jar));
        Set<String> provides = d.provides().stream().filter(p -> p.service().equals(SERVICE))
                .flatMap(p -> p.providers().stream()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(services, provides, "META-INF/services and module-info's provides");
        String capabilities = String.valueOf(osgi.getValue("Provide-Capability"));
        for (String provider : provides) {
            assertTrue(capabilities.contains("osgi.serviceloader=\"" + SERVICE + "\";register:=\"" + provider + "\""),
                    "no osgi.serviceloader capability for " + provider + ": " + capabilities);
        }
        assertTrue(resource(jar, "META-INF/LICENSE").contains("Apache License"), "LICENSE");
        assertTrue(resource(jar, "META-INF/NOTICE").startsWith("attn4j"), "NOTICE");
    }

    private static Manifest manifest(File jar) throws IOException {
        if (jar.isDirectory()) {
            try (InputStream in = Files.newInputStream(jar.toPath().resolve(JarFile.MANIFEST_NAME))) {
                return new Manifest(in);
            }
        }
        try (JarFile j = new JarFile(jar)) {
            return j.getManifest();
        }
    }

    private static List<String> serviceFile(File jar) throws IOException {
        String text = resourceOrEmpty(jar, "META-INF/services/" + SERVICE);
        return text.lines().map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty()).toList();
    }

    private static String resource(File jar, String name) throws IOException {
        String s = resourceOrEmpty(jar, name);
        assertFalse(s.isEmpty(), name + " missing from " + jar);
        return s;
    }

    private static String resourceOrEmpty(File jar, String name) throws IOException {
        if (jar.isDirectory()) {
            Path p = jar.toPath().resolve(name);
            return Files.exists(p) ? Files.readString(p) : "";
        }
        try (JarFile j = new JarFile(jar)) {
            var e = j.getJarEntry(name);
            if (e == null) {
                return "";
            }
            try (InputStream in = j.getInputStream(e)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }
}
