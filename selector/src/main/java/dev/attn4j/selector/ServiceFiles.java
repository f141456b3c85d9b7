package dev.attn4j.selector;

import dev.attn4j.api.spi.AttentionBackendProvider;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The provider classes the {@code META-INF/services} files visible to a class loader list, each
 * with the jar that listed it, in the order {@link java.util.ServiceLoader} reads them. Only used
 * to name a provider that failed to load: {@code ServiceLoader}'s errors name the class at best,
 * never the jar, and a {@code LinkageError} while loading the class names neither.
 */
final class ServiceFiles {
    static final String PATH = "META-INF/services/" + AttentionBackendProvider.class.getName();
    private static final Pattern PROVIDER = Pattern.compile("Provider ([\\p{L}\\p{N}_$.]+)");

    private final Map<String, String> jarByClass;

    private ServiceFiles(Map<String, String> jarByClass) {
        this.jarByClass = jarByClass;
    }

    /** The listings {@code loader} sees; empty when they cannot be read (the names get vaguer, nothing fails). */
    static ServiceFiles read(ClassLoader loader) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            ClassLoader l = loader != null ? loader : ClassLoader.getSystemClassLoader();
            for (URL url : Collections.list(l.getResources(PATH))) {
                String jar = Locations.describe(url);
                try (BufferedReader r = new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        int hash = line.indexOf('#');
                        String name = (hash >= 0 ? line.substring(0, hash) : line).strip();
                        if (!name.isEmpty()) {
                            out.putIfAbsent(name, jar);   // ServiceLoader, too, takes a name once
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // An unreadable listing only makes the report's names less precise.
        }
        return new ServiceFiles(out);
    }

    /** The jar (or directory) that listed {@code className}, or {@code "unknown location"}. */
    String jarOf(String className) {
        return jarByClass.getOrDefault(className, "unknown location");
    }

    /**
     * The provider class a discovery error is about: a listed class not yet accounted for that the
     * error's messages name (the longest such name), else the class a {@code ServiceLoader} message
     * names, else the first listed class not yet accounted for (ServiceLoader reads them in order,
     * so a bare {@code LinkageError} is about that one), else {@code "unknown provider"}.
     */
    String culprit(Throwable error, Set<String> accounted) {
        String messages = messages(error);
        Optional<String> named = jarByClass.keySet().stream()
                .filter(n -> !accounted.contains(n) && messages.contains(n))
                .max(Comparator.comparingInt(String::length));
        if (named.isPresent()) {
            return named.get();
        }
        Matcher m = PROVIDER.matcher(messages);
        if (m.find()) {
            return m.group(1);
        }
        return jarByClass.keySet().stream().filter(n -> !accounted.contains(n)).findFirst().orElse("unknown provider");
    }

    /** Every message of the error and its causes, one line. */
    static String messages(Throwable error) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = error; t != null && b.length() < 4000; t = t.getCause() == t ? null : t.getCause()) {
            if (b.length() > 0) {
                b.append(": ");
            }
            b.append(t.getClass().getName()).append(": ").append(t.getMessage());
        }
        return b.toString().replaceAll("\\s+", " ");
    }
}
