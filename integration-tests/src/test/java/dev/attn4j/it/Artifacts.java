package dev.attn4j.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The jars the packaging tests start other JVMs, frameworks and jlink with, found on this test's
 * class path: in a reactor build, a module's packaged jar (its classes directory when only
 * {@code test} ran, which the module path, jlink and Felix accept as well).
 */
public final class Artifacts {
    private Artifacts() {
    }

    /** The jar or classes directory {@code c} was loaded from. */
    public static File of(Class<?> c) {
        try {
            return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The jar holding the class of this name, loaded without being initialized. By class, not by
     * file name on {@code java.class.path}: the GPU host's pack runs the tests from a class loader
     * of JUnit's console launcher, and that property names the launcher only.
     */
    public static File holding(String className) {
        try {
            return of(Class.forName(className, false, Artifacts.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            throw new AssertionError(className + " is not on the test class path", e);
        }
    }

    /** The jar holding a resource outside any package (a native library in a natives-only jar). */
    public static File holdingResource(String resource) {
        java.net.URL url = Artifacts.class.getClassLoader().getResource(resource);
        if (url == null || !url.getProtocol().equals("jar")) {
            throw new AssertionError(resource + " is in no jar on the test class path: " + url);
        }
        String jar = url.getPath().substring(0, url.getPath().indexOf("!/"));
        try {
            return new File(new java.net.URI(jar));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Entries joined as a module or class path. */
    public static String path(List<File> files) {
        return String.join(File.pathSeparator, files.stream().map(File::toString).toList());
    }

    /** This JVM's {@code java} launcher. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** What a finished child process printed (stdout and stderr together). */
    public record Run(int exitCode, String output) {
    }

    /** Runs {@code command} (environment inherited: LD_PRELOAD of libjsig among it), killed after {@code seconds}. */
    public static Run run(List<String> command, int seconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            // Read while it runs: a full pipe would block the child.
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    out.append("(reading the output failed: ").append(e).append(')');
                }
            });
            reader.start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                reader.join(5_000);
                throw new AssertionError("did not finish in " + seconds + " s: " + command + "\n" + out);
            }
            reader.join();
            return new Run(p.exitValue(), out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
