package dev.attn4j.xpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenCL C source of the kernels as one string, for the OpenCL path's run-time build: the
 * files of {@code src/main/opencl} are resources in the jar, and {@code #include "file"} lines are
 * replaced by the file's text, every time (the sources include some files once per dtype, on
 * purpose, and rely on it). The Level Zero path gets the same source compiled at build time.
 */
final class XpuProgramSource {
    static final String DIR = "/dev/attn4j/xpu/opencl/";
    static final String MAIN = "attn4j.cl";
    private static final Pattern INCLUDE = Pattern.compile("^\\s*#\\s*include\\s+\"([^\"]+)\"\\s*$", Pattern.MULTILINE);

    private XpuProgramSource() {
    }

    /** attn4j.cl with every include expanded. */
    static String expanded() {
        return expand(MAIN, 0);
    }

    private static String expand(String file, int depth) {
        if (depth > 8) {
            throw new IllegalStateException("kernel sources include too deeply at " + file);
        }
        String text = read(file);
        Matcher m = INCLUDE.matcher(text);
        StringBuilder out = new StringBuilder(text.length() * 2);
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(expand(m.group(1), depth + 1)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String read(String file) {
        try (InputStream in = XpuProgramSource.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + DIR + file + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + DIR + file, e);
        }
    }
}
